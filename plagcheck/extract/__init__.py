"""Extraction: one module per format, one :class:`~plagcheck.models.Document` out.

Every failure is an :class:`~plagcheck.errors.ExtractionError` naming the file and the reason.
Files from untrusted hands (the check service, the worker) are extracted in a child process
with a memory and time limit (:class:`ExtractionLimits`), so that no file can take their
process down or hold it forever.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
import os
import signal
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path, PurePath, PurePosixPath
from stat import S_ISDIR

from plagcheck import defaults
from plagcheck.errors import ExtractionError
from plagcheck.extract import steps
from plagcheck.models import Document

log = logging.getLogger(__name__)

# .doc, .rtf, .odt and .docm are converted to DOCX by LibreOffice (plagcheck.extract.convert)
CONVERTED_SUFFIXES = (".doc", ".rtf", ".odt", ".docm")
SUPPORTED_SUFFIXES = (".pdf", ".docx", ".txt", *CONVERTED_SUFFIXES)


def extract(path: str | Path, *, ocr: bool = True) -> Document:
    """Extract the text of a PDF, DOCX or TXT file, or of a .doc, .rtf, .odt or .docm through the
    DOCX that LibreOffice converts it to.

    ``ocr``: recognise scanned pages and pictures that hold text (Tesseract; a document that
    needs it fails with the packages to install when Tesseract is missing); False reads only
    the file's own text, as ``--no-ocr`` asks.

    Raises :class:`ExtractionError` (never anything else for a bad file) when the file is missing,
    empty, encrypted, corrupt, has no text, or is of an unsupported type.
    """
    path = Path(path)
    suffix = _supported_suffix(path)
    if _size(path) == 0:
        raise ExtractionError(path, "empty file (0 bytes)")
    if suffix == ".pdf":
        from plagcheck.extract.pdf import extract_pdf

        extractor = functools.partial(extract_pdf, use_ocr=ocr)
    elif suffix == ".docx":
        from plagcheck.extract.docx import extract_docx

        extractor = functools.partial(extract_docx, use_ocr=ocr)
    elif suffix in CONVERTED_SUFFIXES:
        from plagcheck.extract.convert import extract_converted

        extractor = functools.partial(extract_converted, use_ocr=ocr)
    else:
        from plagcheck.extract.txt import extract_txt as extractor
    try:
        document = extractor(path)
    except ExtractionError:
        raise
    except FileNotFoundError:
        raise ExtractionError(path, "file not found (moved or deleted while it was read)") from None
    except MemoryError:
        raise ExtractionError(path, _TOO_LARGE) from None
    if not document.text.strip():
        raise ExtractionError(path, "empty document: no text found")
    return document


def read_file(path: str | Path) -> bytes:
    """The bytes of a file to be extracted elsewhere (by the check service), after the checks
    :func:`extract` makes before it reads: type, existence, readability, emptiness — so the
    same file fails with the same message wherever it is extracted."""
    path = Path(path)
    _supported_suffix(path)
    _size(path)
    with _file_errors(path, "while"):
        data = path.read_bytes()
    if not data:
        raise ExtractionError(path, "empty file (0 bytes)")
    return data


@dataclasses.dataclass(frozen=True)
class ExtractionLimits:
    """What extracting one untrusted file may take: memory beyond the extracting process's own
    (its address space, ``RLIMIT_AS``) and wall time; and the time of each long step: a page or
    picture to recognise, a LibreOffice conversion (which has its own memory limit)."""

    memory_mib: int = defaults.EXTRACT_MEMORY_MIB
    seconds: float = defaults.EXTRACT_SECONDS
    ocr_page_seconds: float = defaults.OCR_PAGE_SECONDS
    convert_seconds: float = defaults.CONVERT_SECONDS


def extract_bytes(data: bytes, name: str, *, limits: ExtractionLimits | None = None, ocr: bool = True) -> Document:
    """Extract a file received as bytes (a queued submission, a request to the check service).

    ``name`` is the file's name as submitted: its extension chooses the extractor, and the
    document and every error name it, never the temporary copy that was read. With ``limits``
    the file is extracted in a child process that may use that much memory and time; past
    either, :class:`ExtractionError` says which; a long step (a page to recognise, a conversion)
    is given its own time (:mod:`plagcheck.extract.steps`). ``ocr``: as in :func:`extract`.
    """
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="plagcheck-") as tmp:
        path = Path(tmp) / f"submission{suffix}"
        path.write_bytes(data)
        try:
            document = (extract(path, ocr=ocr) if limits is None else
                        _extract_in_child(path, name, limits, ocr))
        except ExtractionError as error:  # some reasons quote the path (PyMuPDF's "Failed to open file ...")
            raise ExtractionError(name, error.reason.replace(str(path), name)) from None
    return dataclasses.replace(document, path=name)


_TOO_LARGE = "file too large to extract"
_NEAR_LIMIT_BYTES = 16 * 2**20  # a child that came this close to its memory limit ran out of it
_PRELOAD = ["plagcheck.extract", "plagcheck.extract.pdf", "plagcheck.extract.docx", "plagcheck.extract.txt",
            "plagcheck.extract.convert"]


def start_extraction_server() -> None:
    """Start the process that limited extractions are forked from, with the extractors loaded,
    now rather than on the first file (the check service calls it as it starts)."""
    from multiprocessing import forkserver

    _context()
    forkserver.ensure_running()


def _context():
    # forkserver: each child is forked from a small single-threaded process that has loaded only
    # the extractors -- not from the caller, whose threads (the worker's lease keeper) a fork
    # could deadlock and whose scikit-learn it would copy -- and starts in milliseconds, unlike a spawn.
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    _ensure_forkserver()
    return context


def _ensure_forkserver() -> None:
    """Start the fork server (if it is not running) with this installation of plagcheck ahead of
    the current folder on its path.

    The fork server is started as ``python -c ...``, so the current folder comes first on its
    ``sys.path``, and it imports the preloaded modules before it takes the caller's path (which
    Python's forkserver ignores). Started in a folder holding a folder named ``plagcheck`` without
    an ``__init__.py`` (``cd /srv`` beside ``/srv/plagcheck/corpus.db``), an editable install's
    ``plagcheck`` lost to that empty namespace package: every child died on import and every file
    failed as "damaged". A regular package in a later ``sys.path`` entry wins over a namespace
    one, so the folder that holds this package is put on the server's ``PYTHONPATH``.
    """
    from multiprocessing import forkserver

    home = str(Path(__file__).resolve().parent.parent.parent)  # the folder that holds plagcheck/
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = home if not before else home + os.pathsep + before
    try:
        forkserver.ensure_running()
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before


def _extract_in_child(path: Path, name: str, limits: ExtractionLimits, ocr: bool = True) -> Document:
    """:func:`extract` in a child process under ``limits``; the child's log records are logged
    here, naming the file ``name``. The child announces each long step (a page to recognise, a
    conversion) with the time it may take: the deadline moves to that much from then."""
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child_main, name=f"extract {name}", daemon=True,
                            args=(sender, str(path), limits, logging.getLogger().getEffectiveLevel(), ocr))
    child.start()
    sender.close()  # so that the child's death reads as the end of the pipe here
    deadline, step = time.monotonic() + limits.seconds, None
    try:
        while True:
            if not receiver.poll(max(0.0, deadline - time.monotonic())):
                if step is None:
                    raise ExtractionError(path, f"extraction took longer than {limits.seconds:g} s: the file is "
                                                "too large or too complex to check")
                raise ExtractionError(path, f"{step[1]} took longer than {step[0]:g} s: the file is too large "
                                            "or too complex to check")
            try:
                message = receiver.recv()
            except EOFError:  # died without a word: killed (the kernel's OOM killer) or crashed in C
                child.join()
                raise ExtractionError(path, f"extraction failed: its process {_how_it_ended(child.exitcode)} (the "
                                            f"file is damaged, or needed more than {limits.memory_mib} MiB of memory)") from None
            if message[0] == "step":  # ("step", seconds, what): a long step begins
                step = message[1:]
                deadline = time.monotonic() + step[0]
                continue
            outcome, value, records = message
            break
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    for record in records:
        record.msg = record.msg.replace(str(path), name)
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)
    if outcome == "document":
        return value
    if outcome == "memory":
        raise ExtractionError(path, f"extraction needed more than {limits.memory_mib} MiB of memory: the file is "
                                    "too large or too complex to check")
    if outcome == "error":
        raise ExtractionError(path, value)
    raise RuntimeError(f"extraction failed in its child process ({value})")  # a bug: logged there in full


def _child_main(sender, path: str, limits: ExtractionLimits, log_level: int, ocr: bool = True) -> None:
    """The child of :func:`_extract_in_child`: extract ``path`` under an address-space limit and
    send back ``(outcome, value, log records)``."""
    import resource

    memory_bytes, seconds = limits.memory_mib * 2**20, limits.seconds
    # This process extracts this one file: the steps' times are the limits' (a fork's own copy).
    defaults.OCR_PAGE_SECONDS, defaults.CONVERT_SECONDS = limits.ocr_page_seconds, limits.convert_seconds

    # Ctrl-C, and systemd's SIGTERM to the whole group, are for the caller, which finishes the file
    # in hand; the caller kills this child past its deadline, and the CPU limit does if the caller died.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    _lower_soft_limit(resource.RLIMIT_CPU, math.ceil(seconds) + 1)
    records = _RecordList()
    root = logging.getLogger()
    root.handlers[:] = [records]
    root.setLevel(log_level)
    limit = _address_space() + memory_bytes
    hard = _lower_soft_limit(resource.RLIMIT_AS, limit)

    def announce(step_seconds: float, what: str) -> None:
        used = resource.getrusage(resource.RUSAGE_SELF)
        _lower_soft_limit(resource.RLIMIT_CPU, math.ceil(used.ru_utime + used.ru_stime + step_seconds) + 1)
        sender.send(("step", step_seconds, what))

    steps.install(announce)
    try:
        outcome = ("document", extract(path, ocr=ocr))
    except ExtractionError as error:
        # Out of memory shows as MemoryError, which extract() names, or as an allocator's complaint
        # inside a library's error (MuPDF "malloc (N bytes) failed", libxml2 "Memory allocation failed").
        reason = error.reason.lower()
        memory = error.reason == _TOO_LARGE or "alloc" in reason or "out of memory" in reason
        outcome = ("memory", None) if memory else ("error", error.reason)
    except MemoryError:
        outcome = ("memory", None)
    except Exception as error:
        log.exception("extracting %s failed", path)
        outcome = ("crash", f"{type(error).__name__}: {error}".replace("\n", " "))
    if _peak_address_space() + min(_NEAR_LIMIT_BYTES, memory_bytes // 4) >= limit:
        outcome = ("memory", None)  # whatever the outcome: a library may have skipped what it could not allocate
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))  # room to send the document back
    sender.send((*outcome, records.records))
    sender.close()


def _lower_soft_limit(kind: int, value: int) -> int:
    """Set the soft resource limit ``kind`` to ``value`` (at most the hard limit); returns the hard one."""
    import resource

    _, hard = resource.getrlimit(kind)
    resource.setrlimit(kind, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))
    return hard


class _RecordList(logging.Handler):
    """Keeps the child's log records, made picklable, for the parent to log."""

    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        self.records.append(record)


def _address_space() -> int:
    """This process's address space (VmSize), in bytes; 0 where /proc does not tell."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _peak_address_space() -> int:
    """This process's largest address space so far (VmPeak), in bytes; 0 where /proc does not tell."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"was killed by signal {-exitcode}"
    return f"ended with exit code {exitcode}"


def unsupported_reason(name: str | PurePath) -> str | None:
    """Why a file of this name cannot be read (its type), or None for PDF, DOCX, TXT and the types
    LibreOffice converts. Lets a submission refuse a ``.xls`` at once rather than queue it to fail later."""
    suffix = PurePath(name).suffix.lower()
    if suffix in SUPPORTED_SUFFIXES:
        return None
    return f"unsupported file type {suffix or '(no extension)'}: expected PDF, DOCX, DOC, DOCM, ODT, RTF or TXT"


def _supported_suffix(path: Path) -> str:
    reason = unsupported_reason(path)
    if reason is not None:  # a mistyped path is missing, whatever its name says
        raise ExtractionError(path, reason if path.exists() or path.is_symlink() else "no such file or folder")
    return path.suffix.lower()


def _size(path: Path) -> int:
    with _file_errors(path, "before"):
        stat = path.stat()
    if S_ISDIR(stat.st_mode):
        raise ExtractionError(path, "a folder, not a file")
    return stat.st_size


@contextmanager
def _file_errors(path: Path, when: str):
    """The file system's errors on ``path`` as one-line extraction errors; ``when``: before or
    while the file was read."""
    try:
        yield
    except FileNotFoundError:
        raise ExtractionError(path, f"file not found (moved or deleted {when} it was read)") from None
    except OSError as error:
        raise ExtractionError(path, f"cannot read the file ({error.strerror})") from None
