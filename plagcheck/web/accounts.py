"""Bootstrapping accounts and departments from the command line (``plagcheck user add``,
``plagcheck department add``); after that, the administrator uses the cabinet's admin pages."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from plagcheck.errors import PlagcheckError
from plagcheck.web.models import ADMIN, ROLES, Department, Profile


def add_department(name: str, threshold_percent: float | None = None) -> tuple[Department, bool]:
    """Create a department (or update its threshold); returns it and whether it is new."""
    name = " ".join(name.split())
    if not name:
        raise PlagcheckError("a department needs a name")
    defaults = {} if threshold_percent is None else {"threshold_percent": Decimal(str(threshold_percent))}
    department, created = Department.objects.get_or_create(name=name, defaults=defaults)
    if not created and defaults:
        department.threshold_percent = defaults["threshold_percent"]
        department.save()
    return department, created


def add_user(username: str, password: str, *, role: str, departments: list[str] = (), full_name: str = "",
             email: str = ""):
    """Create an account with a role and departments; an admin also gets Django's admin pages.
    Raises PlagcheckError for an existing username, an unknown department or a weak password."""
    if role not in dict(ROLES):
        raise PlagcheckError(f"unknown role {role!r}: one of {', '.join(dict(ROLES))}")
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise PlagcheckError(f"user {username!r} exists already (the admin pages change it)")
    found = {d.name: d for d in Department.objects.filter(name__in=departments)}
    missing = [d for d in departments if d not in found]
    if missing:
        raise PlagcheckError(f"no department named {missing[0]!r}: add it first with 'plagcheck department add'")
    first, _, last = full_name.strip().partition(" ")
    user = User(username=username, first_name=first, last_name=last, email=email,
                is_staff=role == ADMIN, is_superuser=role == ADMIN)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise PlagcheckError("password refused: " + " ".join(error.messages)) from None
    with transaction.atomic():
        user.set_password(password)  # Django's PBKDF2 hash; the password itself is never stored
        user.save()
        profile = Profile.objects.create(user=user, role=role)
        profile.departments.set(found.values())
    return user
