"""Filters for untrusted text on the cabinet's pages (``{% load cabinet %}``): names, titles, CSV
cells and reasons come from uploads, so a right-to-left override or a control character in them is
shown as an escape (:func:`plagcheck.text_safety.printable`), never applied; Django's
autoescaping still does the HTML escaping after these."""

from django import template

from plagcheck.text_safety import printable
from plagcheck.web.reasons import reason_text

register = template.Library()


@register.filter
def shown(value) -> str:
    """Untrusted text, its bidi and control characters as escapes (None: empty)."""
    return "" if value is None else printable(value)


@register.filter
def reason(value) -> str:
    """A stored failure or refusal reason in the page's language, made safe the same way."""
    return reason_text(value)
