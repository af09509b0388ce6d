"""The report JSON: the check JSON plus exclusions, alerts and the report's figures (see README)."""

from __future__ import annotations

import json

from plagcheck.report.build import Report


def render_json(report: Report) -> str:
    """The report as indented JSON (UTF-8 text, not ASCII-escaped)."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
