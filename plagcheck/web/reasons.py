"""Why a thesis failed or a file was refused, said in the reader's language.

The extractors, the worker, the queue and the upload write their reasons in English (the CLI's
words, stored as such in the queue). The cabinet recognises the known kinds by their fixed words
and says them again in Kazakh or Russian; the file name that prefixes a reason and the raw detail
a reason quotes (MuPDF's message, a suffix, a number) stay as they were, made safe to show by
:func:`plagcheck.text_safety.printable` (no bidi override, no control character). A reason of
another form is shown as it is, made safe the same way.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop

from plagcheck.text_safety import printable

# (the reason's English words as a pattern, its message). Each named group is a placeholder of the
# message, filled with the group's text as it was (made printable). Most specific first.
_KNOWN = [
    (r"empty file \(0 bytes\)", gettext_noop("empty file (0 bytes)")),
    (r"empty document: no text found", gettext_noop("empty document: no text found")),
    (r"empty document: the PDF has no pages", gettext_noop("empty document: the PDF has no pages")),
    (r"unknown text encoding: save the file as UTF-8", gettext_noop("unknown text encoding: save the file as UTF-8")),
    (r"not a text file \(contains NUL bytes\)", gettext_noop("not a text file (contains NUL bytes)")),
    (r"encrypted PDF: it needs a password; submit an unprotected copy",
     gettext_noop("encrypted PDF: it needs a password; submit an unprotected copy")),
    (r"encrypted document: it needs a password; submit an unprotected copy",
     gettext_noop("encrypted document: it needs a password; submit an unprotected copy")),
    (r"corrupt or unreadable PDF \((?P<detail>.*)\)", gettext_noop("corrupt or unreadable PDF (%(detail)s)")),
    (r"corrupt PDF: page (?P<page>\d+) cannot be read \((?P<detail>.*)\)",
     gettext_noop("corrupt PDF: page %(page)s cannot be read (%(detail)s)")),
    (r"corrupt DOCX: not a readable Word document \((?P<detail>.*)\)",
     gettext_noop("corrupt DOCX: not a readable Word document (%(detail)s)")),
    (r"corrupt DOCX: its content cannot be read \((?P<detail>.*)\)",
     gettext_noop("corrupt DOCX: its content cannot be read (%(detail)s)")),
    (r"corrupt DOCX \((?P<detail>.*)\)", gettext_noop("corrupt DOCX (%(detail)s)")),
    (r"no text layer \(scanned PDF\), and OCR is off \(--no-ocr\)",
     gettext_noop("no text layer (scanned PDF), and OCR is off")),
    (r"no text layer \(scanned PDF\), and OCR found no text in its pages",
     gettext_noop("no text layer (scanned PDF), and OCR found no text in its pages")),
    (r"no text found: page (?P<page>\d+) is a picture that cannot be recognised \((?P<detail>.*)\)",
     gettext_noop("no text found: page %(page)s is a picture that cannot be recognised (%(detail)s)")),
    (r"(?:extraction|(?P<step>.+?)) took longer than (?P<seconds>[\d.]+) s: the file is too large or too complex to check",
     gettext_noop("reading the file took longer than %(seconds)s s: the file is too large or too complex to check")),
    (r"extraction needed more than (?P<mib>\d+) MiB of memory: the file is too large or too complex to check",
     gettext_noop("reading the file needed more than %(mib)s MiB of memory: the file is too large or too complex "
                  "to check")),
    (r"extraction failed: its process (?P<detail>.+) \(the file is damaged, or needed more than (?P<mib>\d+) MiB of "
     r"memory\)", gettext_noop("reading the file failed (%(detail)s): the file is damaged, or needed more than "
                               "%(mib)s MiB of memory")),
    (r"file too large to extract", gettext_noop("file too large to read")),
    (r"LibreOffice did not convert it within (?P<seconds>[\d.]+) s \(the file is damaged, or too large\): save it as "
     r"DOCX or PDF", gettext_noop("LibreOffice did not convert it within %(seconds)s s (the file is damaged, or too "
                                  "large): save it as DOCX or PDF")),
    (r"LibreOffice could not convert it \((?P<detail>.*)\)", gettext_noop("LibreOffice could not convert it (%(detail)s)")),
    (r"worker died (?P<n>\d+) times on this file", gettext_noop("the worker died %(n)s times on this file")),
    (r"internal error \((?P<detail>.*)\)", gettext_noop("internal error (%(detail)s)")),
    (r"unsupported file type (?P<suffix>.+?): expected PDF, DOCX, DOC, DOCM, ODT, RTF or TXT",
     gettext_noop("unsupported file type %(suffix)s: expected PDF, DOCX, DOC, DOCM, ODT, RTF or TXT")),
    (r"unsafe file name \(absolute, or with '\.\.'\): not uploaded",
     gettext_noop("unsafe file name (absolute, or with '..'): not uploaded")),
    (r"file over (?P<mib>\d+) MiB: not uploaded", gettext_noop("file over %(mib)s MiB: not uploaded")),
    (r"uploaded twice in this batch: the first copy is kept",
     gettext_noop("uploaded twice in this batch: the first copy is kept")),
    (r"unsafe path in zip \(absolute or '\.\.'\): not extracted",
     gettext_noop("unsafe path in zip (absolute or '..'): not extracted")),
    (r"symbolic link in zip: not extracted", gettext_noop("symbolic link in zip: not extracted")),
    (r"password-protected file in zip: not extracted", gettext_noop("password-protected file in zip: not extracted")),
    (r"file in zip (?P<detail>.+): not extracted", gettext_noop("file in zip not extracted (%(detail)s)")),
    (r"corrupt zip archive", gettext_noop("corrupt zip archive")),
    (r"cannot unpack from zip \((?P<detail>.*)\)", gettext_noop("cannot unpack from zip (%(detail)s)")),
]
# "<file name>: <reason>" (the worker's and the queue's form) or the reason alone; the shortest
# prefix that leaves a known reason is the file name.
_PATTERNS = [(re.compile(rf"(?:(?P<file>.*?): )?(?:{words})", re.S), message) for words, message in _KNOWN]


def reason_text(text: str | None) -> str:
    """A stored failure or refusal reason in the active language, safe to show."""
    if not text:
        return ""
    for pattern, message in _PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            values = {key: printable(value or "") for key, value in found.groupdict().items()}
            said = gettext(message) % values
            return f"{values['file']}: {said}" if found.group("file") else said
    return printable(text)
