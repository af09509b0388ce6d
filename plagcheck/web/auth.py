"""Login throttling on top of Django's own authentication: after :data:`MAX_FAILURES` failed
logins for one username (or :data:`MAX_ADDRESS_FAILURES` from one address) within
:data:`WINDOW_MINUTES`, further attempts are refused without checking the password."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plagcheck.web.models import LoginFailure

MAX_FAILURES = 5
MAX_ADDRESS_FAILURES = 30
WINDOW_MINUTES = 15


def client_ip(request) -> str | None:
    """The client's address (behind nginx, waitress has put the forwarded one in REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or None


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many failed logins. Try again in %(minutes)d minutes."),
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()[:150]
        ip = client_ip(self.request) if self.request else None
        since = timezone.now() - timedelta(minutes=WINDOW_MINUTES)
        recent = LoginFailure.objects.filter(at__gte=since)
        if (recent.filter(username__iexact=username).count() >= MAX_FAILURES
                or (ip and recent.filter(ip=ip).count() >= MAX_ADDRESS_FAILURES)):
            LoginFailure.objects.create(username=username, ip=ip)
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled",
                                        params={"minutes": WINDOW_MINUTES})
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            LoginFailure.objects.create(username=username, ip=ip)
            raise
        LoginFailure.objects.filter(username__iexact=username).delete()
        return cleaned
