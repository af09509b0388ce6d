"""A reviewer's decision, the certificate and summary that follow it, the audit log that records
it, and the interface language chosen from the browser."""

from __future__ import annotations

import io
import json

import pymupdf
import pytest

pytest.importorskip("django")

from tests import web_support as ws  # noqa: E402
from tests.builders import bundled_text  # noqa: E402

# A thesis of its own: prose no other web test's thesis has, with a paragraph of the second corpus
# source. (ws.thesis_text is in many theses of the shared cabinet by now: its wording would count
# as shared by many theses, whatever ran first.)
REVIEWED = "\n\n".join([bundled_text("en", "03-school-family-partnership"),
                         " ".join(ws.SOURCES[1].read_text(encoding="utf-8").split()[20:180]),
                         bundled_text("en", "04-career-guidance")]) + "\n"


@pytest.fixture(scope="module")
def checked(web_database):
    cab = ws.cabinet(web_database)
    dept = ws.department(threshold=10)
    secretary = ws.user("secretary", [dept], full_name="Saule Nurova")
    csv_bytes = ws.metadata_csv([{"file": "t.txt", "title": "Reviewed thesis", "author": "Student R", "year": "2024"}])
    link, = ws.upload_and_queue(ws.client_of(secretary), {"t.txt": REVIEWED.encode()},
                                department=dept, csv_bytes=csv_bytes)
    ws.run_worker(cab)
    link.job.refresh_from_db()
    assert link.job.state == "done" and link.job.similarity > 0.1
    return {"dept": dept, "secretary": secretary, "link": link}


def test_a_saved_decision_changes_the_figures_everywhere_and_is_audited(checked):
    from plagcheck.web.models import AuditEntry, Decision

    link, client = checked["link"], ws.client_of(checked["secretary"])
    report = client.get(f"/j/{link.token}/report.json").json()
    source = report["sources"][0]["id"]
    page = client.get(f"/j/{link.token}/").content.decode()
    assert "does not pass" in page  # over the department's 10%
    # Unknown ids and malformed switches are refused, nothing saved.
    assert client.post(f"/j/{link.token}/decision", {"source": "999999"}).status_code == 400
    assert client.post(f"/j/{link.token}/decision", {"exclude_quotes": "maybe"}).status_code == 400
    assert not Decision.objects.filter(link=link).exists()

    saved = client.post(f"/j/{link.token}/decision", {"source": str(source), "exclude_bibliography": "off"})
    assert saved.status_code == 302
    decision = Decision.objects.get(link=link)
    assert decision.reviewer_name == "Saule Nurova"
    assert decision.data == {"excluded_sources": [source], "excluded_matches": [], "exclude_quotes": None,
                             "exclude_bibliography": False, "exclude_common": None}
    link.refresh_from_db()
    assert link.reviewed_similarity == 0.0
    page = client.get(f"/j/{link.token}/").content.decode()
    assert 'id="fig-borrowed">0.0%' in page and "Saved by Saule Nurova" in page and ">passes<" in page
    listing = client.get("/jobs/").content.decode()
    assert "Reviewed thesis" in listing and "0.0%" in listing
    reviewed = client.get(f"/j/{link.token}/report.json?download=1").json()
    assert reviewed["similarity"] == 0.0 and reviewed["decisions"]["reviewer"] == "Saule Nurova"
    assert 'id="fig-similarity">0.0%' in client.get(f"/j/{link.token}/report.html").content.decode()

    certificate = client.get(f"/j/{link.token}/certificate.pdf")
    assert certificate["Content-Type"] == "application/pdf"
    text = pymupdf.open(stream=certificate.content, filetype="pdf")[0].get_text()
    assert "Saule Nurova" in text and "Reviewed thesis" in text and checked["dept"].name in text

    export = client.get(f"/summary/export.csv?department={checked['dept'].pk}").content.decode("utf-8-sig")
    line = next(row for row in export.splitlines() if "Reviewed thesis" in row)
    assert ";0.0;" in line or ";0,0;" in line

    actions = list(AuditEntry.objects.filter(job_id=link.job_id).values_list("action", "username"))
    user = checked["secretary"].username
    for action in ("uploaded", "viewed", "excluded", "downloaded"):
        assert (action, user) in actions, action
    assert AuditEntry.objects.filter(action="exported", username=user).exists()
    # The administrator reads it; the secretary may not.
    admin = ws.user("admin")
    log = ws.client_of(admin).get("/audit/").content.decode()
    assert "excluded" in log and user in log and f"{source}" in log
    assert client.get("/audit/").status_code == 403


def test_the_interface_speaks_the_browsers_language_until_the_user_picks_one(checked):
    from django.test import Client

    assert 'lang="kk"' in Client(HTTP_ACCEPT_LANGUAGE="kk").get("/login/").content.decode()
    russian = Client(HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5").get("/login/").content.decode()
    assert 'lang="ru"' in russian and "Войти" in russian
    assert 'lang="en"' in Client(HTTP_ACCEPT_LANGUAGE="de").get("/login/").content.decode()
    client = ws.client_of(checked["secretary"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    assert "Работы" in client.get("/jobs/").content.decode()
    client.post("/language/", {"language": "kk", "next": "/jobs/"})
    page = client.get("/jobs/").content.decode()
    assert 'lang="kk"' in page and "Жұмыстар" in page and "Кафедра" in page
    # The report and the certificate follow the interface language.
    link = checked["link"]
    assert 'lang="kk"' in client.get(f"/j/{link.token}/report.html").content.decode()
    certificate = client.get(f"/j/{link.token}/certificate.pdf").content
    assert "анықтама" in pymupdf.open(stream=io.BytesIO(certificate), filetype="pdf")[0].get_text()
    assert json.loads(client.get(f"/jobs/status.json?ids={link.job_id}").content)["jobs"][0]["state_label"] == "дайын"


def test_every_phrase_of_the_pages_is_translated_into_kazakh_and_russian(checked):
    """The compiled catalogs (locale/*/django.mo) cover every {% translate %} of the templates."""
    import re
    from pathlib import Path

    from django.utils import translation

    templates = Path(__file__).resolve().parent.parent / "plagcheck" / "web" / "templates" / "web"
    phrases = {m.group(2) for path in templates.glob("*.html")
               for m in re.finditer(r"""{% translate (["'])(.+?)\1""", path.read_text(encoding="utf-8"))}
    assert len(phrases) > 60
    for lang in ("kk", "ru"):
        with translation.override(lang):
            untranslated = sorted(p for p in phrases if translation.gettext(p) == p)
        assert not untranslated, (lang, untranslated)
