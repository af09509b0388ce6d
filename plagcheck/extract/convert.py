""".doc, .rtf, .odt and .docm: converted to DOCX by LibreOffice, then read by the DOCX extractor.

Each conversion runs ``soffice --headless --convert-to docx`` with a profile and an output folder
of its own (two conversions at once would otherwise share, and lock, one profile), in a session of
its own so that the whole process group -- soffice, oosplash, soffice.bin -- is killed when it
overruns its time (a damaged file can make LibreOffice spin, or wait on a dialog no one sees).

Its limits are its own, set as it starts: the extraction child it runs under allows only the
memory a PDF or DOCX needs, and LibreOffice maps over a gigabyte before it reads a byte. A file
that needs a password is recognised first (its own flags say so), and refused with that reason.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

from plagcheck import defaults
from plagcheck.errors import ExtractionError
from plagcheck.extract import steps
from plagcheck.models import Document

log = logging.getLogger(__name__)

PACKAGE = "libreoffice-writer-nogui"
_PROGRAMS = ("soffice", "libreoffice", "/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice")
_WORD_ENCRYPTED = 0x0100  # FibBase.fEncrypted, in the flags word at offset 10 of the WordDocument stream


def soffice_program() -> str | None:
    """LibreOffice's ``soffice``, or None when it is not installed."""
    for name in _PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    return None


def extract_converted(path: Path, *, use_ocr: bool = True) -> Document:
    """Convert ``path`` to DOCX and extract that; the document keeps ``path``'s name."""
    from plagcheck.extract.docx import extract_docx

    reason = _form_reason(path) or password_reason(path)
    if reason:
        raise ExtractionError(path, reason)
    with tempfile.TemporaryDirectory(prefix="plagcheck-convert-") as folder:
        converted = convert_to_docx(path, Path(folder))
        steps.begin(defaults.EXTRACT_SECONDS, "reading the converted document")
        try:
            document = extract_docx(converted, use_ocr=use_ocr)
        except ExtractionError as error:
            raise ExtractionError(path, error.reason.replace(str(converted), path.name)) from None
    return Document(path=str(path), format=path.suffix.lower().lstrip("."), text=document.text, pages=document.pages,
                    alerts=document.alerts, furniture=document.furniture, ocr=document.ocr)


def convert_to_docx(path: Path, folder: Path) -> Path:
    """LibreOffice's DOCX of ``path``, written in ``folder``. Raises :class:`ExtractionError` when
    LibreOffice is missing, fails, or overruns ``defaults.CONVERT_SECONDS``."""
    program = soffice_program()
    if program is None:
        raise ExtractionError(path, f"{path.suffix.lower()} files are converted by LibreOffice, which is not "
                                    f"installed (Debian: apt-get install {PACKAGE}); or save it as DOCX or PDF")
    # A name of plain letters: LibreOffice reads some characters in a name as a URL's.
    source = folder / f"source{path.suffix.lower()}"
    shutil.copyfile(path, source)
    out = folder / "out"
    seconds = defaults.CONVERT_SECONDS
    steps.begin(seconds + 10, "the conversion by LibreOffice")  # the parent waits longer than we do: we kill it
    command = [program, "--headless", "--norestore", "--nolockcheck", "--nodefault",
               f"-env:UserInstallation={(folder / 'profile').as_uri()}",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(source)]
    env = {**os.environ, "HOME": str(folder), "SAL_USE_VCLPLUGIN": "svp"}  # no display, no user's config
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, cwd=folder, env=env, start_new_session=True,
                                   preexec_fn=_own_limits)
    except OSError as error:
        raise ExtractionError(path, f"LibreOffice cannot be started ({error.strerror})") from None
    try:
        output, _ = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise ExtractionError(path, f"LibreOffice did not convert it within {seconds:g} s (the file is damaged, "
                                    "or too large): save it as DOCX or PDF") from None
    finally:
        _kill_group(process)  # whatever it left running: a second soffice.bin, a crash reporter
    converted = out / "source.docx"
    if process.returncode != 0 or not converted.is_file() or converted.stat().st_size == 0:
        said = " ".join(output.decode("utf-8", "replace").split())[-200:]
        log.debug("LibreOffice on %s exited with %s: %s", path, process.returncode, said)
        raise ExtractionError(path, f"LibreOffice could not convert it (damaged, or not a "
                                    f"{path.suffix.lower().lstrip('.').upper()} file"
                                    f"{': ' + _why(process.returncode) if process.returncode else ''})")
    return converted


# How each type's files begin. LibreOffice reads a file it does not recognise as plain text, so that
# a damaged .doc would be "converted" into a page of noise: such a file is refused instead. Word
# itself saves RTF or a DOCX under a .doc name, and LibreOffice reads those by their content.
_OLE, _ZIP, _RTF = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"PK\x03\x04", b"{\\rtf"
_SIGNATURES = {".doc": (_OLE, _RTF, _ZIP), ".docm": (_ZIP, _OLE), ".odt": (_ZIP,), ".rtf": (_RTF,)}
_NAMES = {".doc": "a Word document", ".docm": "a Word document", ".odt": "an OpenDocument text",
          ".rtf": "an RTF document"}


def _form_reason(path: Path) -> str | None:
    suffix = path.suffix.lower()
    with open(path, "rb") as handle:
        head = handle.read(8)
    if not head.startswith(_SIGNATURES.get(suffix, (b"",))):
        return f"corrupt {suffix} file: not {_NAMES[suffix]}"
    return None


def password_reason(path: Path) -> str | None:
    """Why ``path`` cannot be converted without a password, or None. LibreOffice asks for one on
    a dialog that a headless run never shows: it would only time out."""
    suffix = path.suffix.lower()
    if suffix in (".doc", ".docm", ".docx"):
        import olefile

        try:
            if not olefile.isOleFile(str(path)):
                return None  # a .docm is a zip unless encrypted; a .doc that is not OLE fails in LibreOffice
            with olefile.OleFileIO(str(path)) as ole:
                if ole.exists("EncryptionInfo"):  # an encrypted OOXML package (.docx, .docm)
                    return "encrypted document: it needs a password; submit an unprotected copy"
                if ole.exists("WordDocument"):
                    with ole.openstream("WordDocument") as stream:
                        head = stream.read(12)
                    if len(head) == 12 and int.from_bytes(head[10:12], "little") & _WORD_ENCRYPTED:
                        return "encrypted .doc: it needs a password; submit an unprotected copy"
        except Exception as error:  # olefile's own errors for a damaged container
            return f"corrupt .doc: not a readable Word document ({' '.join(str(error).split())})"
        return None
    if suffix == ".odt":
        try:
            with zipfile.ZipFile(path) as package:
                manifest = package.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in package.namelist() else b""
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError):
            return None  # LibreOffice says what is wrong with it
        if b"encryption-data" in manifest:
            return "encrypted ODT: it needs a password; submit an unprotected copy"
    return None


def _own_limits() -> None:
    """In LibreOffice's process, before it starts: the limits of its own (its parent's would stop
    it before it read a byte), default signal handling (its parent ignores SIGTERM and SIGINT,
    which a program started from it inherits), and death with its parent."""
    import ctypes
    import resource

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    for kind, value in ((resource.RLIMIT_AS, defaults.CONVERT_MEMORY_MIB * 2**20),
                        (resource.RLIMIT_CPU, int(defaults.CONVERT_SECONDS) + 5)):
        _, hard = resource.getrlimit(kind)
        resource.setrlimit(kind, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: killed if the extraction child is
    except (OSError, AttributeError):
        pass


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _why(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"LibreOffice was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"LibreOffice was killed by signal {-returncode}"
    return f"LibreOffice exited with code {returncode}"
