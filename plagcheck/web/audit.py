"""The audit log: one line per thing done to a thesis (uploaded, viewed, excluded, downloaded)."""

from __future__ import annotations

from plagcheck.web.auth import client_ip
from plagcheck.web.models import AuditEntry

UPLOADED, VIEWED, EXCLUDED, DOWNLOADED, EXPORTED, LOGGED_IN = (
    "uploaded", "viewed", "excluded", "downloaded", "exported", "logged in")


def record(request, action: str, job_id: int | None = None, detail: str = "", *, user=None) -> None:
    if user is None:
        user = getattr(request, "user", None)
        user = user if user is not None and user.is_authenticated else None
    AuditEntry.objects.create(user=user, username=user.get_username() if user else "", action=action,
                              job_id=job_id, detail=detail[:2000], ip=client_ip(request))
