"""Who sees what in the web cabinet: a secretary of department A gets nothing of department B
(every URL kind), logged out gets only the login page, CSRF-less POSTs are refused, a thesis'
``<script>`` is shown as text, logins are throttled, sessions expire, headers are set."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

pytest.importorskip("django")

from tests import web_support as ws  # noqa: E402


@pytest.fixture(scope="module")
def two_departments(web_database):
    """Departments A and B, a secretary of each, a supervisor in A, and one checked thesis in each."""
    cab = ws.cabinet(web_database)
    a, b = ws.department(), ws.department()
    sec_a, sec_b = ws.user("secretary", [a]), ws.user("secretary", [b])
    supervisor = ws.user("supervisor", [a], full_name="Aigerim Seitkali")
    csv_a = ws.metadata_csv([{"file": "a.txt", "title": "Thesis of A", "author": "Student A",
                              "supervisor": "Aigerim Seitkali", "year": "2025"}])
    link_a, = ws.upload_and_queue(ws.client_of(sec_a), {"a.txt": ws.thesis_text("A").encode()}, department=a,
                                  csv_bytes=csv_a)
    csv_b = ws.metadata_csv([{"file": "b.txt", "title": "Thesis of B", "author": "Student B", "year": "2025"}])
    link_b, = ws.upload_and_queue(ws.client_of(sec_b), {"b.txt": ws.thesis_text("B").encode()}, department=b,
                                  csv_bytes=csv_b)
    # A batch of B's secretary still waiting for confirmation: its review page is B's too.
    staged = ws.upload(ws.client_of(sec_b), {"c.txt": ws.thesis_text("C").encode()}, department=b)
    counts = ws.run_worker(cab)
    assert counts["done"] >= 2
    link_a.job.refresh_from_db(), link_b.job.refresh_from_db()
    assert link_a.job.state == link_b.job.state == "done"
    return {"a": a, "b": b, "sec_a": sec_a, "sec_b": sec_b, "supervisor": supervisor, "link_a": link_a,
            "link_b": link_b, "staged_b": staged["Location"]}


def job_urls(token: str) -> list[str]:
    """Every URL that names one thesis: its page, report (HTML, JSON), file and certificate."""
    return [f"/j/{token}/", f"/j/{token}/report.html", f"/j/{token}/report.json",
            f"/j/{token}/report.json?download=1", f"/j/{token}/file", f"/j/{token}/certificate.pdf"]


def test_each_secretary_sees_their_own_department_and_nothing_of_the_other(two_departments):
    d = two_departments
    own, other = ws.client_of(d["sec_a"]), d["link_b"]
    for url in job_urls(d["link_a"].token):
        assert own.get(url).status_code == 200, url
    for url in job_urls(other.token):
        assert own.get(url).status_code == 404, url
    # The same pages of B by B's secretary work: the 404s above are about who asks.
    for url in job_urls(other.token):
        assert ws.client_of(d["sec_b"]).get(url).status_code == 200, url
    listing = own.get("/jobs/").content.decode()
    assert "Thesis of A" in listing and "Thesis of B" not in listing and other.token not in listing
    assert "Thesis of B" not in own.get(f"/jobs/?department={d['b'].pk}").content.decode()
    status = own.get(f"/jobs/status.json?ids={other.job_id},{d['link_a'].job_id}").json()
    assert [job["id"] for job in status["jobs"]] == [d["link_a"].job_id]
    # B's waiting batch, and uploading into B, are refused too.
    assert own.get(d["staged_b"]).status_code == 404
    assert own.post(d["staged_b"] + "confirm").status_code == 404
    assert own.post(d["staged_b"] + "cancel").status_code == 404
    assert ws.upload(own, {"x.txt": b"some text here"}, department=d["b"]).status_code == 403
    assert own.get("/audit/").status_code == 403
    # The department summary and its exports: B's is refused, A's (or "all") holds only A's theses.
    for url in (f"/summary/?department={d['b'].pk}", f"/summary/export.csv?department={d['b'].pk}",
                f"/summary/export.xlsx?department={d['b'].pk}"):
        assert own.get(url).status_code == 403, url
    exported = own.get("/summary/export.csv").content.decode("utf-8-sig")
    assert "Thesis of A" in exported and "Thesis of B" not in exported
    assert "Thesis of B" not in own.get("/summary/").content.decode()
    assert own.get("/admin/").status_code == 302  # not staff: Django's admin asks for another login


def test_a_decision_on_a_job_of_another_department_is_refused(two_departments):
    from plagcheck.web.models import Decision

    d = two_departments
    assert ws.client_of(d["sec_a"]).post(f"/j/{d['link_b'].token}/decision", {"source": "1"}).status_code == 404
    assert not Decision.objects.filter(link=d["link_b"]).exists()


def test_a_supervisor_sees_only_the_theses_assigned_to_them(two_departments):
    d = two_departments
    link_a = d["link_a"]
    link_a.refresh_from_db()
    assert link_a.supervisor_id == d["supervisor"].pk  # matched by the CSV's supervisor column
    client = ws.client_of(d["supervisor"])
    assert client.get(f"/j/{link_a.token}/").status_code == 200
    for url in job_urls(d["link_b"].token):
        assert client.get(url).status_code == 404, url
    other = ws.user("supervisor", [d["a"]])
    assert ws.client_of(other).get(f"/j/{link_a.token}/").status_code == 404


def test_logged_out_gets_only_the_login_page(two_departments):
    from django.test import Client

    d = two_departments
    client = Client()
    urls = ["/", "/jobs/", "/jobs/status.json?ids=1", "/upload/", "/audit/", "/summary/", d["staged_b"],
            *job_urls(d["link_a"].token)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert re.match(r"/(admin/)?login/\?next=", response["Location"]), (url, response["Location"])
    assert client.post(f"/j/{d['link_a'].token}/decision", {}).status_code == 302
    assert client.get("/login/").status_code == 200


def test_a_post_without_its_csrf_token_is_refused(two_departments):
    d = two_departments
    client = ws.client_of(d["sec_a"], csrf=True)
    token = d["link_a"].token
    posts = ["/upload/", "/logout/", "/language/", f"/j/{token}/decision"]
    for url in posts:
        assert client.post(url, {"language": "ru"}).status_code == 403, url
    from django.test import Client

    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post("/login/", {"username": "x", "password": "y"}).status_code == 403
    # With the token the page gives, the same POST goes through.
    page = client.get("/upload/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert client.post("/language/", {"language": "ru", "next": "/jobs/", "csrfmiddlewaretoken": csrf}).status_code == 302


def test_a_script_in_a_thesis_and_its_metadata_is_shown_as_text(web_database):
    cab = ws.cabinet(web_database)
    dept = ws.department()
    secretary = ws.user("secretary", [dept])
    client = ws.client_of(secretary)
    evil = "<script>alert('pwned')</script>"
    csv_bytes = ws.metadata_csv([{"file": "evil<b>.txt", "title": f"Title {evil}", "author": "<img src=x onerror=alert(1)>"}])
    preview = ws.upload(client, {"evil<b>.txt": ws.thesis_text(evil).encode()}, department=dept, csv_bytes=csv_bytes)
    review = client.get(preview["Location"]).content.decode()
    assert "<script>alert" not in review and "&lt;script&gt;alert" in review and "<img src=x" not in review
    client.post(preview["Location"] + "confirm")
    ws.run_worker(cab)
    from plagcheck.web.models import JobLink

    link = JobLink.objects.select_related("job").get(uploaded_by=secretary)
    assert link.job.state == "done", link.job.error
    for url in ("/jobs/", f"/j/{link.token}/", f"/j/{link.token}/report.html"):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body, url
        assert "&lt;script&gt;alert(" in body, url


def test_logins_are_throttled_after_repeated_failures(web_database):
    from django.test import Client

    ws.cabinet(web_database)
    victim, bystander = ws.user("secretary", [ws.department()]), ws.user("secretary", [ws.department()])
    client = Client()
    for _ in range(5):
        page = client.post("/login/", {"username": victim.username, "password": "wrong-password"})
        assert page.status_code == 200 and "_auth_user_id" not in client.session
    refused = client.post("/login/", {"username": victim.username, "password": ws.PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    assert "Too many failed logins" in refused.content.decode()
    ok = Client().post("/login/", {"username": bystander.username, "password": ws.PASSWORD})
    assert ok.status_code == 302 and ok["Location"] == "/"
    # The window passes: the right password works again.
    from plagcheck.web.models import LoginFailure
    from django.utils import timezone

    LoginFailure.objects.filter(username=victim.username).update(at=timezone.now() - timedelta(minutes=16))
    assert client.post("/login/", {"username": victim.username, "password": ws.PASSWORD}).status_code == 302


def test_passwords_are_hashed_and_sessions_expire(two_departments):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    d = two_departments
    assert d["sec_a"].password.startswith("pbkdf2_sha256$") and ws.PASSWORD not in d["sec_a"].password
    from django.test import Client

    client = Client()
    assert client.post("/login/", {"username": d["sec_a"].username, "password": ws.PASSWORD}).status_code == 302
    assert client.get("/jobs/").status_code == 200
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["max-age"]  # ends with the browser
    Session.objects.filter(session_key=cookie.value).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/jobs/").status_code == 302


def test_security_headers(two_departments):
    d = two_departments
    client = ws.client_of(d["sec_a"])
    page = client.get("/jobs/")
    assert page["X-Frame-Options"] == "DENY" and page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin" and page["Cache-Control"] == "no-store"
    assert "script-src 'self';" in page["Content-Security-Policy"] and "unsafe-inline" not in page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert "<script>" not in page.content.decode()  # no inline script on the cabinet's pages
    report = client.get(f"/j/{d['link_a'].token}/report.html")
    assert report["Cache-Control"] == "no-store" and report["X-Frame-Options"] == "SAMEORIGIN"
    policy = report["Content-Security-Policy"]
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+';", policy) and "frame-ancestors 'self'" in policy
    assert client.get(f"/j/{d['link_a'].token}/file")["Content-Disposition"].startswith("attachment;")
