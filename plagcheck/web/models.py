"""The cabinet's own records. The queue's jobs stay plagcheck's (``plagcheck.jobs``); a
:class:`JobLink` ties each job to the department that may see it, its supervisor, and an
unguessable token that names it in every URL."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

ADMIN, SECRETARY, SUPERVISOR = "admin", "secretary", "supervisor"
ROLES = [(ADMIN, _("administrator")), (SECRETARY, _("secretary")), (SUPERVISOR, _("supervisor"))]
DEFAULT_THRESHOLD_PERCENT = 30  # borrowed share above which a thesis does not pass, unless the department says


def new_token() -> str:
    return secrets.token_urlsafe(18)


class Department(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True,
                            help_text=_("As written in the metadata CSV's department column."))
    threshold_percent = models.DecimalField(
        _("threshold, % borrowed"), max_digits=5, decimal_places=2, default=DEFAULT_THRESHOLD_PERCENT,
        help_text=_("A thesis whose borrowed share is above this does not pass."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("role"), max_length=20, choices=ROLES, default=SECRETARY)
    departments = models.ManyToManyField(Department, blank=True, related_name="members",
                                         verbose_name=_("departments"))

    class Meta:
        verbose_name = _("cabinet profile")

    def __str__(self):
        return f"{self.user.get_username()} ({self.role})"


class JobLink(models.Model):
    """A queued thesis as the cabinet sees it: who may see it, and the fields its jobs page filters
    by (copied from the metadata when it was queued, so that filtering is an indexed query)."""

    # plagcheck.jobs' job (column job_id); no foreign-key constraint: that table is not Django's
    job = models.OneToOneField("QueueJob", on_delete=models.DO_NOTHING, db_constraint=False, related_name="link")
    token = models.CharField(max_length=40, unique=True, default=new_token)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="jobs")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="supervised_jobs")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="uploaded_jobs")
    supervisor_name = models.CharField(max_length=300, blank=True)
    author = models.CharField(max_length=300, blank=True)
    title = models.TextField(blank=True)
    year = models.IntegerField(null=True, blank=True)
    draft = models.BooleanField(default=False)  # checked without adding it to the corpus
    # The borrowed share after the latest reviewer's decision (None: no decision), for the list.
    reviewed_similarity = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["department", "-job_id"]), models.Index(fields=["supervisor", "-job_id"]),
                   models.Index(fields=["department", "year", "-job_id"])]


class Decision(models.Model):
    """A reviewer's exclusions for one report (plagcheck.report.decisions' dictionary form); the
    latest one is the one that counts, earlier ones stay as history."""

    link = models.ForeignKey(JobLink, on_delete=models.CASCADE, related_name="decisions")
    data = models.JSONField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    reviewer_name = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class UploadBatch(models.Model):
    """An upload waiting for its uploader to confirm it (its files wait in the staging folder)."""

    token = models.CharField(max_length=40, unique=True, default=new_token)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT)
    add_to_corpus = models.BooleanField(default=True)
    form_metadata = models.JSONField(default=dict)  # the single-thesis form's fields, if no CSV
    queued = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)


class AuditEntry(models.Model):
    """Who did what to which thesis, and when; read by the administrator."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=40, db_index=True)
    job_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    detail = models.TextField(blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")


class LoginFailure(models.Model):
    """A failed login, counted to throttle password guessing (by username and by address)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)


class QueueJob(models.Model):
    """plagcheck.jobs' own table, read-only here (never managed, never written by Django): the
    jobs page joins it to :class:`JobLink` to filter by state and page through 10,000 jobs with
    one indexed query. Jobs are queued and finished only through plagcheck.jobs. The fields are
    the columns of both schemas (plagcheck/storage/sqlite.py and postgresql.py), typed alike."""

    id = models.BigIntegerField(primary_key=True)
    name = models.TextField()
    state = models.TextField()
    error = models.TextField(null=True)
    similarity = models.FloatField(null=True)
    report_html = models.TextField(null=True)
    report_json = models.TextField(null=True)
    doc_id = models.BigIntegerField(null=True)
    metadata = models.TextField()
    no_index = models.IntegerField()  # 0 or 1: an INTEGER column in both backends' schema
    created_at = models.TextField()
    finished_at = models.TextField(null=True)

    class Meta:
        managed = False
        db_table = "jobs"


class QueueJobFile(models.Model):
    """The submitted bytes of a job (same table as :class:`QueueJob`, kept apart so that listing
    jobs never loads a thesis file)."""

    id = models.BigIntegerField(primary_key=True)
    name = models.TextField()
    data = models.BinaryField()

    class Meta:
        managed = False
        db_table = "jobs"
