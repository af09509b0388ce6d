"""Who may see what: one place, used by every view that names a thesis.

- an **admin** (a superuser, or role admin) sees every job;
- a **secretary** sees the jobs of their departments;
- a **supervisor** sees the theses assigned to them and the drafts they uploaded.

A job is always looked up through :func:`visible_links`, by its unguessable token: a job of
another department is "not found" (404), exactly like a token that does not exist, so that a
URL gives away nothing about what other departments hold.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from plagcheck.web.models import ADMIN, SECRETARY, SUPERVISOR, Department, JobLink, Profile


def role(user) -> str | None:
    """admin, secretary, supervisor, or None (an account without a cabinet profile sees nothing)."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMIN
    if not hasattr(user, "_cabinet_role"):  # asked several times a request: looked up once
        profile = Profile.objects.filter(user=user).only("role").first()
        user._cabinet_role = profile.role if profile else None
    return user._cabinet_role


def is_admin(user) -> bool:
    return role(user) == ADMIN


def departments(user) -> QuerySet:
    """The departments whose theses ``user`` may upload and see (all of them for an admin)."""
    r = role(user)
    if r == ADMIN:
        return Department.objects.all()
    if r in (SECRETARY, SUPERVISOR):
        return Department.objects.filter(members__user=user)
    return Department.objects.none()


def visible_links(user) -> QuerySet:
    """The job links ``user`` may see."""
    r = role(user)
    if r == ADMIN:
        return JobLink.objects.all()
    if r == SECRETARY:
        return JobLink.objects.filter(department__in=departments(user))
    if r == SUPERVISOR:
        return JobLink.objects.filter(Q(supervisor=user) | Q(uploaded_by=user, draft=True))
    return JobLink.objects.none()


def link_or_404(user, token: str) -> JobLink:
    """The job named by ``token`` if ``user`` may see it; otherwise 404, as for no such job."""
    link = visible_links(user).select_related("job", "department").filter(token=token).first()
    if link is None:
        raise Http404("no such job")
    return link


def can_upload(user) -> bool:
    return role(user) in (ADMIN, SECRETARY, SUPERVISOR)


def drafts_only(user) -> bool:
    """A supervisor checks drafts: never added to the corpus."""
    return role(user) == SUPERVISOR


def can_export(user) -> bool:
    return role(user) in (ADMIN, SECRETARY)
