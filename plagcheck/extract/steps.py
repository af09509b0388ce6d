"""Long steps inside one extraction, announced to whoever limits its time.

A limited extraction (:func:`plagcheck.extract.extract_bytes` with limits) runs in a child process
that its parent kills past a deadline. Most files take well under that deadline; a scanned thesis
takes a few seconds a page, a legacy-format file a LibreOffice conversion. Before each such step
the extractor calls :func:`begin` with the time the step may take: in a limited child the parent
then sets its deadline to that much from now, and names the step if it runs over ("OCR of page 17
took longer than 60 s"); anywhere else nothing happens. So a 200-page scan may take its time,
page by page, and no single page may hang the worker.
"""

from __future__ import annotations

from collections.abc import Callable

_announce: Callable[[float, str], None] | None = None


def install(announce: Callable[[float, str], None] | None) -> None:
    """In a limited child: send each step to the parent with ``announce``."""
    global _announce
    _announce = announce


def begin(seconds: float, what: str) -> None:
    """The next step (``what``, e.g. "OCR of page 3") may take up to ``seconds``; a program it
    starts must be given less, so that this process outlives it and kills it."""
    if _announce is not None:
        _announce(seconds, what)
