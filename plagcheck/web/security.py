"""Response headers Django 5.2 does not set itself: a content security policy and no caching.

The cabinet's pages load their script and style from /static/ only (no inline script), so the
policy allows no inline script at all. The one exception is the stored HTML report, which is
one self-contained file with its script inline: it is served with a policy that allows exactly
that script, by its hash (:func:`report_policy`).
"""

from __future__ import annotations

import base64
import hashlib
import re

PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'")
# Django's admin sets a few style attributes of its own.
ADMIN_POLICY = PAGE_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def report_policy(html: str) -> str:
    """The policy for a stored report: its own inline script (by hash) and inline styles, nothing
    from anywhere else; framed only by the cabinet's own report page. A thesis' ``<script>`` is
    escaped in the report, and even if it were not, its hash would not be the report's."""
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
                      for s in scripts[-1:])  # the report's own script is its last one
    return (f"default-src 'none'; script-src {hashes or chr(39) + 'none' + chr(39)}; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")


class SecurityHeadersMiddleware:
    """A content security policy on every response that has none, and ``Cache-Control: no-store``:
    reports and lists of theses must not stay in a shared computer's browser cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith("/admin/")
            response["Content-Security-Policy"] = ADMIN_POLICY if admin else PAGE_POLICY
        response["Cache-Control"] = "no-store"
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
