"""The cabinet's pages. Each view is thin: who may see it (:mod:`plagcheck.web.access`), what the
library says (:mod:`plagcheck.jobs`, the stored report, :mod:`plagcheck.web.uploads`), a template.

Every thesis is named by its link's unguessable token and looked up through
:func:`~plagcheck.web.access.link_or_404`, so a job of another department is a 404 whatever URL
names it.
"""

from __future__ import annotations

import io
import json
import mimetypes
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from plagcheck import jobs
from plagcheck.report.i18n import translator
from plagcheck.report.text import percent
from plagcheck.text_safety import printable
from plagcheck.web import access, audit, uploads
from plagcheck.web.reasons import reason_text
from plagcheck.web.models import AuditEntry, Decision, JobLink, QueueJob, QueueJobFile, UploadBatch

PAGE_SIZE = 50
REASON_SHOWN_CHARS = 120  # a longer failure reason is folded in the jobs table (its full text one click away)
STATES = (jobs.QUEUED, jobs.RUNNING, jobs.DONE, jobs.FAILED)


def cabinet_context(request) -> dict:
    """What every page's frame needs: the language switch, and the user's role for the menu."""
    from plagcheck.web.conf import LANGUAGES

    # Each language by its own name, whatever the page's language ("English" on a Russian page, not
    # "Английский"): Django's get_available_languages would translate them.
    frame = {"interface_languages": LANGUAGES}
    if not request.user.is_authenticated:
        return frame
    return {**frame, "role": access.role(request.user), "is_admin": access.is_admin(request.user),
            "can_export": access.can_export(request.user)}


def options():
    return settings.PLAGCHECK


# -- figures ------------------------------------------------------------------------------------------
def threshold_of(link: JobLink) -> float:
    from plagcheck.web.models import DEFAULT_THRESHOLD_PERCENT

    return float(link.department.threshold_percent) if link.department else float(DEFAULT_THRESHOLD_PERCENT)


def similarity_of(link: JobLink) -> float | None:
    """The borrowed share shown for a thesis: after the reviewer's decision, if there is one."""
    return link.reviewed_similarity if link.reviewed_similarity is not None else link.job.similarity


def verdict(similarity: float | None, threshold_percent: float) -> str:
    """Within or over the department's threshold, by the summary's and certificate's rule."""
    from plagcheck import summary

    found = summary.verdict(similarity, threshold_percent)
    return {summary.WITHIN: _("passes"), summary.EXCEEDS: _("does not pass")}.get(found, "")


def state_label(state: str) -> str:
    return {jobs.QUEUED: _("queued"), jobs.RUNNING: _("running"), jobs.DONE: _("done"),
            jobs.FAILED: _("failed")}.get(state, state)


def three_figures(report: dict) -> dict:
    """Borrowed, cited and original as printed, in the page's language (``9,5%`` in Kazakh and
    Russian, as in the report): original is what the other two leave of 100.0% (so the three
    printed figures add up, as in the report)."""
    number = translator(report_language()).number
    borrowed, cited = round(100 * report.get("similarity", 0), 1), round(100 * report.get("cited", 0), 1)
    return {"similarity": number(borrowed) + "%", "cited": number(cited) + "%",
            "original": number(max(0.0, 100 - borrowed - cited)) + "%"}


def shown_percent(fraction: float) -> str:
    """A share as the page's language writes it: ``9.5%``, ``9,5%``."""
    return percent(fraction, report_language())


def row_of(link: JobLink) -> dict:
    """One job as the jobs page and its live updates show it: untrusted text made printable (no
    bidi override, no control character), the failure reason in the page's language."""
    job = link.job
    similarity = similarity_of(link)
    error = reason_text(job.error) if job.state == jobs.FAILED else ""
    folded = error[:REASON_SHOWN_CHARS].rstrip() + "…" if len(error) > REASON_SHOWN_CHARS else ""
    return {"id": job.id, "token": link.token, "state": job.state, "state_label": state_label(job.state),
            "error": error, "error_short": folded,
            "name": printable(job.name), "author": printable(link.author),
            "title": printable(link.title), "department": printable(link.department.name) if link.department else "",
            "supervisor": printable(link.supervisor_name), "year": link.year or "", "draft": link.draft,
            "similarity": shown_percent(similarity) if similarity is not None and job.state == jobs.DONE else "",
            "verdict": verdict(similarity, threshold_of(link)) if job.state == jobs.DONE else "",
            "url": reverse("web:job", args=[link.token])}


# -- the jobs list ------------------------------------------------------------------------------------
def _filtered(request):
    """The user's jobs under the page's filters, and the filters as given."""
    links = access.visible_links(request.user)
    given = {k: request.GET.get(k, "").strip() for k in ("department", "year", "status", "supervisor")}
    if given["department"].isdigit():
        links = links.filter(department_id=int(given["department"]))
    if given["year"].isdigit():
        links = links.filter(year=int(given["year"]))
    if given["status"] in STATES:
        links = links.filter(job__state=given["status"])
    if given["supervisor"]:
        links = links.filter(supervisor_name__icontains=given["supervisor"])
    return links, given


def adopt_unlinked_jobs() -> int:
    """Link the jobs queued outside the cabinet (``plagcheck submit``) to the department their
    metadata names, so that its secretaries see them too; a job naming no known department is
    linked to none (only an admin sees it). Returns how many were linked."""
    unlinked = list(QueueJob.objects.filter(link__isnull=True).only("id", "metadata", "no_index")[:5000])
    if not unlinked:
        return 0
    from django.contrib.auth import get_user_model

    from plagcheck.web.models import Department

    departments = {d.name.casefold(): d for d in Department.objects.all()}
    links = []
    for job in unlinked:
        metadata = json.loads(job.metadata or "{}")
        name = uploads.supervisor_name(metadata)
        year = metadata.get("year")
        links.append(JobLink(
            job_id=job.id, department=departments.get(" ".join(str(metadata.get("department", "")).split()).casefold()),
            supervisor=_supervisor_named(get_user_model(), name) if name else None, supervisor_name=name[:300],
            author=str(metadata.get("author", ""))[:300], title=str(metadata.get("title", "")),
            year=year if isinstance(year, int) else None, draft=bool(job.no_index)))
    JobLink.objects.bulk_create(links, ignore_conflicts=True)  # another request may have linked some
    return len(links)


@require_GET
def jobs_page(request):
    adopt_unlinked_jobs()
    links, given = _filtered(request)
    before = request.GET.get("before", "")
    page = links.select_related("job", "department").order_by("-job_id")
    if before.isdigit():  # keyset pagination: an index seek, however deep the page
        page = page.filter(job_id__lt=int(before))
    rows = [row_of(link) for link in page[:PAGE_SIZE + 1]]
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    counts = dict(links.values_list("job__state").annotate(n=Count("id")).order_by())
    query = {k: v for k, v in given.items() if v}
    next_query = {**query, "before": rows[-1]["id"]} if more else None
    years = (access.visible_links(request.user).exclude(year=None).values_list("year", flat=True)
             .distinct().order_by("-year"))
    return render(request, "web/jobs.html", {
        "rows": rows, "given": given, "next_query": next_query, "first_page": not before,
        "counts": [(state, state_label(state), counts.get(state, 0)) for state in STATES],
        "departments": access.departments(request.user), "years": list(years), "states": [
            (s, state_label(s)) for s in STATES]})


@require_GET
def jobs_status(request):
    """The current state of the listed jobs the user may see (the jobs page polls this)."""
    ids = [int(i) for i in request.GET.get("ids", "").split(",") if i.isdigit()][:PAGE_SIZE * 2]
    links = access.visible_links(request.user).select_related("job", "department").filter(job_id__in=ids)
    return JsonResponse({"jobs": [row_of(link) for link in links]})


# -- upload -------------------------------------------------------------------------------------------
def _batch_dir(batch: UploadBatch) -> Path:
    from plagcheck.web.conf import staging_dir

    return staging_dir(options()) / batch.token


def upload_page(request):
    if not access.can_upload(request.user):
        raise PermissionDenied
    departments = access.departments(request.user)
    drafts_only = access.drafts_only(request.user)
    context = {"departments": departments, "drafts_only": drafts_only, "languages": ("kk", "ru", "en", "mixed"),
               "max_file_mib": options().max_file_bytes // 2**20, "max_batch_mib": options().max_batch_bytes // 2**20}
    if request.method != "POST":
        return render(request, "web/upload.html", context)
    department = None
    if request.POST.get("department"):
        department = departments.filter(pk=request.POST["department"]).first()
        if department is None:
            raise PermissionDenied
    elif not drafts_only:
        context["error"] = _("Choose the department of these theses.")
        return render(request, "web/upload.html", context, status=400)
    files = request.FILES.getlist("files")
    paths = request.POST.getlist("paths")
    named = [(paths[k] if k < len(paths) and paths[k] else f.name, f) for k, f in enumerate(files)]
    if not named:
        context["error"] = _("Choose or drop at least one file, folder or zip.")
        return render(request, "web/upload.html", context, status=400)
    if sum(f.size for _, f in named) > options().max_batch_bytes:
        context["error"] = _("The batch is over %(mib)d MiB: upload it in parts.") % {
            "mib": options().max_batch_bytes // 2**20}
        return render(request, "web/upload.html", context, status=400)
    form_metadata = {k: request.POST.get(k, "").strip()[:500]
                     for k in ("title", "author", "supervisor", "year", "language")}
    if form_metadata["year"] and not form_metadata["year"].isdigit():
        context["error"] = _("The year must be a number.")
        return render(request, "web/upload.html", context, status=400)
    if form_metadata["year"]:
        form_metadata["year"] = int(form_metadata["year"])
    if form_metadata["language"] not in ("", "kk", "ru", "en", "mixed"):
        form_metadata["language"] = ""
    if drafts_only and not form_metadata["supervisor"]:
        form_metadata["supervisor"] = request.user.get_full_name() or request.user.get_username()
    _discard_abandoned_batches()
    batch = UploadBatch.objects.create(user=request.user, department=department, form_metadata=form_metadata,
                                       add_to_corpus=not drafts_only and request.POST.get("add_to_corpus") == "on")
    refused = uploads.stage(_batch_dir(batch), named, request.FILES.get("metadata"),
                            max_file_bytes=options().max_file_bytes)
    request.session[f"refused-{batch.token}"] = refused
    return redirect("web:preview", token=batch.token)


ABANDONED_AFTER_HOURS = 24


def _discard_abandoned_batches() -> None:
    """Uploads never confirmed nor cancelled (a closed tab) give their staged files back after a day."""
    from datetime import timedelta

    from django.utils import timezone

    for batch in UploadBatch.objects.filter(queued=False,
                                            created_at__lt=timezone.now() - timedelta(hours=ABANDONED_AFTER_HOURS)):
        uploads.discard(_batch_dir(batch))
        batch.delete()


def _own_batch(request, token: str) -> UploadBatch:
    return get_object_or_404(UploadBatch, token=token, user=request.user, queued=False)


def upload_preview(request, token):
    batch = _own_batch(request, token)
    preview = uploads.preview(_batch_dir(batch), batch.form_metadata,
                              batch.department.name if batch.department else None)
    refused = [tuple(pair) for pair in request.session.get(f"refused-{batch.token}", [])]
    # Every name, cell and reason here comes from the upload: printable, and the reasons translated.
    return render(request, "web/preview.html", {
        "batch": batch, "preview": preview,
        "refused": [(printable(name), reason_text(reason)) for name, reason in refused + preview.rejected],
        "queued": [(printable(name), meta, printable(meta.get("author", "")), printable(meta.get("title", "")),
                    printable(uploads.supervisor_name(meta))) for name, meta in preview.queued]})


@require_POST
def upload_confirm(request, token):
    from plagcheck.storage import open_store

    batch = _own_batch(request, token)
    department = batch.department.name if batch.department else None
    batch_dir = _batch_dir(batch)
    if uploads.preview(batch_dir, batch.form_metadata, department).error:
        return redirect("web:preview", token=batch.token)
    # Taken once: a second click (or a second tab) finds the batch already taken, not its files.
    if not UploadBatch.objects.filter(pk=batch.pk, queued=False).update(queued=True):
        raise Http404("this upload was queued already")
    try:
        with open_store(options().database, create=False) as store:
            done = uploads.queue(store, batch_dir, batch.form_metadata, department,
                                 no_index=not batch.add_to_corpus)
    except Exception:
        UploadBatch.objects.filter(pk=batch.pk).update(queued=False)  # nothing lost: it can be confirmed again
        raise
    with transaction.atomic():
        for job in QueueJob.objects.filter(id__in=done.ids):
            link = _link_job(request, job, batch)
            audit.record(request, audit.UPLOADED, job.id, f"{job.name} ({'corpus' if not link.draft else 'draft'})")
    uploads.discard(batch_dir)
    request.session.pop(f"refused-{batch.token}", None)
    messages.success(request, _("%(n)d theses queued.") % {"n": len(done.ids)})
    for name, earlier_id, earlier_name in done.already_queued:
        messages.warning(request, _("%(name)s: already queued as job %(id)d; not queued again.") % {
            "name": printable(name), "id": earlier_id})
    for name, reason in done.rejected:
        messages.error(request, f"{printable(name)}: {reason_text(reason)}")
    return redirect("web:jobs")


def _link_job(request, job: QueueJob, batch: UploadBatch) -> JobLink:
    from django.contrib.auth import get_user_model

    metadata = json.loads(job.metadata or "{}")
    name = uploads.supervisor_name(metadata)
    supervisor = None
    if access.drafts_only(request.user):
        supervisor = request.user
    elif name:
        supervisor = _supervisor_named(get_user_model(), name)
    year = metadata.get("year")
    # update_or_create: the jobs page of someone else may have adopted the new job meanwhile
    # (adopt_unlinked_jobs); the upload's own link replaces that.
    return JobLink.objects.update_or_create(job_id=job.id, defaults=dict(
        department=batch.department, supervisor=supervisor, uploaded_by=request.user,
        supervisor_name=name[:300], author=str(metadata.get("author", ""))[:300], title=str(metadata.get("title", "")),
        year=year if isinstance(year, int) else None, draft=not batch.add_to_corpus))[0]


def _supervisor_named(User, name: str):
    """The supervisor account a metadata cell names: by username, or by full name (any case)."""
    from plagcheck.web.models import SUPERVISOR

    wanted = " ".join(name.split()).casefold()
    for user in User.objects.filter(profile__role=SUPERVISOR, is_active=True):
        full = " ".join(user.get_full_name().split()).casefold()
        if wanted in (user.get_username().casefold(), full) or (full and wanted == " ".join(
                reversed(full.split())).casefold()):
            return user
    return None


@require_POST
def upload_cancel(request, token):
    batch = _own_batch(request, token)
    uploads.discard(_batch_dir(batch))
    batch.delete()
    return redirect("web:upload")


# -- one thesis ---------------------------------------------------------------------------------------
def _report_json(link: JobLink) -> dict:
    if link.job.state != jobs.DONE or not link.job.report_json:
        raise Http404("no report yet")
    try:
        return json.loads(Path(link.job.report_json).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Http404("the report file is missing") from None


def _latest_decision(link: JobLink) -> Decision | None:
    return link.decisions.first()


SWITCHES = ("exclude_quotes", "exclude_bibliography", "exclude_common")


def _decisions_of(decision: Decision | None):
    from plagcheck.report.decisions import Decisions

    return Decisions.from_dict(decision.data) if decision else Decisions()


def _reviewed(link: JobLink, report: dict, decision: Decision | None) -> dict:
    """The report JSON with the reviewer's latest decision applied (as it is, without one)."""
    from plagcheck.report.decisions import apply_decisions

    if decision is None or "coverage" not in report:
        return report
    return apply_decisions(report, _decisions_of(decision), reviewer=decision.reviewer_name,
                           reviewed_at=decision.created_at.isoformat(timespec="seconds"))


def job_page(request, token):
    link = access.link_or_404(request.user, token)
    audit.record(request, audit.VIEWED, link.job_id, link.job.name)
    decision = _latest_decision(link)
    threshold = threshold_of(link)
    # For the script as a number ("9.5"), for the reader as the page's language writes it ("9,5").
    shown_threshold = f"{threshold:g}" if report_language() == "en" else f"{threshold:g}".replace(".", ",")
    context = {"link": link, "job": link.job, "row": row_of(link), "threshold": repr(threshold),
               "shown_threshold": shown_threshold,
               "decision": decision, "report": None}
    if link.job.state == jobs.DONE:
        original = _report_json(link)
        report = _reviewed(link, original, decision)
        chosen = _decisions_of(decision)
        context["report"] = report
        context["decisions_available"] = "coverage" in original
        context["sources"] = [
            {"id": s["id"], "label": printable(s.get("title") or PurePosixPath(str(s.get("path", ""))).name),
             "author": printable(s.get("author") or ""), "share": shown_percent(s.get("share", 0)),
             "color": s.get("color", "#ddd"),
             "excluded": s["id"] in chosen.excluded_sources,
             "matches": [{"index": k, "id": m.get("id", k), "words": m.get("words", 0), "kind": m.get("kind", ""),
                          "excluded": m.get("id", k) in chosen.excluded_matches}
                         for k, m in enumerate(report.get("matches", [])) if m["source_id"] == s["id"]]}
            for s in report.get("sources", [])]
        context["figures"] = three_figures(report)
        context["row"]["verdict"] = verdict(report.get("similarity"), threshold_of(link))
        context["switches"] = [(key, label, getattr(chosen, key)) for key, label in (
            ("exclude_quotes", _("Quotations with a citation")), ("exclude_bibliography", _("Bibliography")),
            ("exclude_common", _("Standard wording shared by many theses")))]
    return render(request, "web/job.html", context)


@require_POST
def save_decision(request, token):
    """The reviewer's exclusions for one report, recorded with who and when; the list, the report
    page and the certificate follow the latest one."""
    from plagcheck.report.decisions import Decisions, apply_decisions

    link = access.link_or_404(request.user, token)
    report = _report_json(link)
    try:
        sources = {int(v) for v in request.POST.getlist("source")}
        matches = {int(v) for v in request.POST.getlist("match")}
        switches = {key: {"": None, "on": True, "off": False}[request.POST.get(key, "")] for key in SWITCHES}
        decisions = Decisions(excluded_sources=frozenset(sources), excluded_matches=frozenset(matches), **switches)
    except (ValueError, KeyError):
        return HttpResponse(_("Not a decision."), status=400, content_type="text/plain; charset=utf-8")
    known_sources = {s["id"] for s in report.get("sources", [])}
    known_matches = {m.get("id") for m in report.get("matches", [])}
    if not sources <= known_sources or not matches <= known_matches:
        return HttpResponse(_("Not a source or passage of this report."), status=400,
                            content_type="text/plain; charset=utf-8")
    reviewed = apply_decisions(report, decisions)
    name = request.user.get_full_name() or request.user.get_username()
    with transaction.atomic():
        Decision.objects.create(link=link, data=decisions.to_dict(), reviewer=request.user, reviewer_name=name)
        link.reviewed_similarity = None if decisions.empty else reviewed["similarity"]
        link.save(update_fields=["reviewed_similarity"])
        audit.record(request, audit.EXCLUDED, link.job_id, json.dumps(decisions.to_dict(), ensure_ascii=False))
    messages.success(request, _("Decision saved: borrowed %(share)s.") % {"share": shown_percent(reviewed["similarity"])})
    return redirect("web:job", token=link.token)


def report_language() -> str:
    """The reader's interface language, which the report and certificate labels follow."""
    from django.utils.translation import get_language

    from plagcheck.report.i18n import DEFAULT_LANGUAGE, LANGUAGES

    lang = (get_language() or DEFAULT_LANGUAGE).split("-")[0]
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def certificate(request, token):
    """The certificate (справка / анықтама) in the reader's language, after the latest decision."""
    from plagcheck.report.certificate import render_certificate

    link = access.link_or_404(request.user, token)
    report = _report_json(link)
    if "coverage" not in report:
        raise Http404("a report written before report format 2 has no certificate: check the thesis again")
    decision = _latest_decision(link)
    pdf = render_certificate(
        report, lang=report_language(), institution=options().institution or None,
        department=link.department.name if link.department else None, threshold_percent=threshold_of(link),
        decisions=_decisions_of(decision) if decision else None,
        reviewer=decision.reviewer_name if decision else None,
        reviewed_at=decision.created_at.isoformat(timespec="seconds") if decision else None)
    audit.record(request, audit.DOWNLOADED, link.job_id, f"certificate ({report_language()})")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = "attachment; " + _filename_parameter(f"certificate-{link.job_id}.pdf")
    return response


def report_html(request, token):
    """The HTML report, inside the job page's frame, with the reviewer's decision applied: its own
    script is allowed by hash, nothing else."""
    from plagcheck.report.json import report_from_json
    from plagcheck.report import render_html
    from plagcheck.web.security import report_policy

    link = access.link_or_404(request.user, token)
    original = _report_json(link)
    if "text" in original:
        html = render_html(report_from_json(_reviewed(link, original, _latest_decision(link))), lang=report_language())
    else:  # a report written before format 2: the stored page as it is
        try:
            html = Path(link.job.report_html).read_text(encoding="utf-8")
        except (FileNotFoundError, TypeError):
            raise Http404("the report file is missing") from None
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = report_policy(html)
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def report_json(request, token):
    link = access.link_or_404(request.user, token)
    report = _report_json(link)  # as checked: the review page recomputes decisions from it
    if request.GET.get("download"):  # as reviewed
        report = _reviewed(link, report, _latest_decision(link))
        audit.record(request, audit.DOWNLOADED, link.job_id, "report JSON")
    response = JsonResponse(report, json_dumps_params={"ensure_ascii": False})
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="report-{link.job_id}.json"'
    return response


def original_file(request, token):
    """The thesis file as it was uploaded (from the queue, where its bytes are kept)."""
    link = access.link_or_404(request.user, token)
    row = QueueJobFile.objects.filter(id=link.job_id).values_list("name", "data").first()
    if row is None:
        raise Http404("no such file")
    name = PurePosixPath(row[0].replace("\\", "/")).name
    audit.record(request, audit.DOWNLOADED, link.job_id, f"file {row[0]}")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if content_type.startswith("text/"):
        content_type = "text/plain; charset=utf-8"  # never rendered as HTML
    response = HttpResponse(row[1], content_type=content_type)
    response["Content-Disposition"] = "attachment; " + _filename_parameter(name)
    return response


def _filename_parameter(name: str) -> str:
    """A Content-Disposition filename for an untrusted name: ASCII fallback plus RFC 5987 UTF-8."""
    from urllib.parse import quote

    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name) or "file"
    return f'filename="{ascii_name}"; filename*=UTF-8\'\'{quote(name, safe="")}'


# -- department summary -------------------------------------------------------------------------------
def _summary_links(request):
    if not access.can_export(request.user):
        raise PermissionDenied
    departments = access.departments(request.user)
    chosen = request.GET.get("department", "")
    department = departments.filter(pk=chosen).first() if chosen.isdigit() else None
    if chosen and department is None:
        raise PermissionDenied  # not one of the user's departments
    links = access.visible_links(request.user).select_related("job", "department").order_by("job_id")
    if department is not None:
        links = links.filter(department=department)
    year = request.GET.get("year", "")
    if year.isdigit():
        links = links.filter(year=int(year))
    return links, department, year, departments


@require_GET
def summary_page(request):
    adopt_unlinked_jobs()
    links, department, year, departments = _summary_links(request)
    rows = [row_of(link) for link in links[:2000]]
    years = (access.visible_links(request.user).exclude(year=None).values_list("year", flat=True)
             .distinct().order_by("-year"))
    return render(request, "web/summary.html", {
        "rows": rows, "department": department, "year": year, "departments": departments, "years": list(years),
        "query": request.GET.urlencode()})


@require_GET
def summary_export(request, fmt):
    """The department summary as CSV or XLSX, in the reader's language: every thesis of the chosen
    department and year, with its figures after the reviewer's decision and its verdict."""
    from plagcheck import summary

    links, department, year, _departments = _summary_links(request)
    rows = [_summary_row(link) for link in links]
    out = io.BytesIO()
    if fmt == "csv":
        summary.write_csv(rows, out, report_language())
        content_type = "text/csv; charset=utf-8"
    else:
        summary.write_xlsx(rows, out, report_language())
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit.record(request, audit.EXPORTED, None, f"summary {fmt}: {department or 'all departments'}, "
                                                 f"{year or 'all years'}, {len(rows)} theses")
    response = HttpResponse(out.getvalue(), content_type=content_type)
    name = "summary" + (f"-{department.name}" if department else "") + (f"-{year}" if year else "") + f".{fmt}"
    response["Content-Disposition"] = "attachment; " + _filename_parameter(name)
    return response


def _summary_row(link: JobLink):
    from plagcheck import summary

    job, figures = link.job, {}
    metadata = json.loads(job.metadata or "{}")
    if job.state == jobs.DONE and job.report_json:
        try:
            report = _reviewed(link, json.loads(Path(job.report_json).read_text(encoding="utf-8")),
                               _latest_decision(link))
            figures = {"similarity": report.get("similarity_without_exclusions"), "borrowed": report.get("similarity"),
                       "cited": report.get("cited"), "original": report.get("original")}
            metadata.setdefault("language", (report.get("document") or {}).get("language"))
        except FileNotFoundError:
            pass
    return summary.SummaryRow(
        job_id=job.id, author=link.author or None, title=link.title or job.name, supervisor=link.supervisor_name or None,
        year=link.year, department=link.department.name if link.department else None,
        language=metadata.get("language"), status=job.state, similarity=figures.get("similarity"),
        borrowed=figures.get("borrowed"), cited=figures.get("cited"), original=figures.get("original"),
        verdict=summary.verdict(figures.get("borrowed"), threshold_of(link)), checked_at=job.finished_at)


# -- audit log ----------------------------------------------------------------------------------------
@require_GET
def audit_page(request):
    if not access.is_admin(request.user):
        raise PermissionDenied
    entries = AuditEntry.objects.all()
    before = request.GET.get("before", "")
    if before.isdigit():
        entries = entries.filter(id__lt=int(before))
    rows = list(entries[:PAGE_SIZE + 1])
    return render(request, "web/audit.html", {"entries": rows[:PAGE_SIZE],
                                              "next": rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None})


def home(request):
    return redirect("web:jobs")

