"""The resident check service: the heavy stages imported once, the corpus database opened once,
checks answered over a Unix domain socket.

A fresh ``plagcheck check`` spends about 1.5 s importing scikit-learn and SciPy before it reads
its file. ``plagcheck serve`` pays that once; ``plagcheck check --server`` and ``report --server``
only read the file, send its bytes and print the answer, in a process that never imports the
heavy stages. Both paths end in :func:`answer`, so they print and write the same.

Requests are answered one at a time, in arrival order: a check is CPU-bound, and two at once
would only share the cores. Each check reads the corpus in its own WAL snapshot and re-reads the
index generation and parameters when it starts (:meth:`Store.read_snapshot`), so documents added
and index generations swapped in by other processes (``corpus add``, the worker, ``reindex
--full``) count from the next request on, and a request never sees half of a write.

Protocol, version 1. One request per connection; each side sends one frame::

    frame  = length  (4 bytes, unsigned, big-endian: the size of header)
             header  (UTF-8 JSON object)
             body    (header["size"] bytes)

Request header::

    {"protocol": 1,
     "command": "check" | "report",
     "name": "thesis.pdf",        # the file as the user named it: output and errors say this
     "format": "text" | "json"    # check
             | "html" | "json" | "pdf",   # report
     "options": {...},            # ReportOptions fields (exclude_quotes, min_words, ...)
     "metadata": {...},           # report: title, author, institution
     "out": "thesis.report.html", # report: the file the client writes, named in the summary
     "db": "/srv/corpus.db",      # the client's --db, or null: refused unless it is the service's
     "exclude_documents": [12],   # corpus documents that are this document itself (never sources)
     "semantic": true,            # the semantic layer (translations, paraphrases); false: --no-semantic
     "lang": "en",                # report: the labels' language, kk | ru | en (optional, default en)
     "ocr": true,                 # recognise scans and pictures (Tesseract); false: --no-ocr
     "size": 1234567}             # body = the file's bytes, never a path: the service may run as
                                  # another user in another folder

Reply header: ``{"ok": true, "lines": [...], "size": n}`` with the lines the command prints and,
for ``report``, the report file as body; or ``{"ok": false, "error": "...", "size": 0}`` with the
one-line message the local command would give (a bad file is named as the user named it). The
client exits 1 on an error, as the local command does.

The socket is created owner-only (0600): only the service's own user may submit. A request over
the size limit is refused before its body is read; one that has not arrived whole within
``request_seconds`` (default 60) is dropped with an error reply, so that a client trickling its
bytes cannot keep the others waiting.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import select
import signal
import socket
import stat
import struct
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from plagcheck import defaults
from plagcheck.errors import PlagcheckError, ServiceError
from plagcheck.report.i18n import LANGUAGES

log = logging.getLogger(__name__)
PROTOCOL = 1
COMMANDS = {"check": ("text", "json"), "report": ("html", "json", "pdf")}
MAX_REQUEST_HEADER_BYTES = 2**20  # names, options and metadata only
MAX_REPLY_HEADER_BYTES = 2**30    # carries the check JSON, which grows with the matches
MAX_SOCKET_PATH_BYTES = 107       # sockaddr_un.sun_path on Linux, less the closing NUL
POLL_SECONDS = 0.25               # how soon an idle service notices SIGTERM
_LENGTH = struct.Struct(">I")
_STAGES = ("plagcheck.check", "plagcheck.report.build", "plagcheck.report.html", "plagcheck.report.pdf",
           "plagcheck.extract.pdf", "plagcheck.extract.docx", "plagcheck.extract.txt")


@dataclass(frozen=True)
class Request:
    """What ``check`` or ``report`` was asked to do with one file: the header of a request."""

    command: str                  # check or report
    name: str                     # the file as the user named it
    format: str
    options: dict = field(default_factory=dict)   # ReportOptions fields (exclusion switches)
    metadata: dict = field(default_factory=dict)  # report: title, author, institution
    out: str | None = None        # report: the file the client writes, named in the summary line
    db: str | None = None         # served: the database the client asked for, if it named one
    exclude_documents: list = field(default_factory=list)  # corpus ids that are this document itself
    semantic: bool = True         # the semantic layer (translations, paraphrases); --no-semantic
    lang: str = "en"              # report: the labels' language (kk, ru, en)
    ocr: bool = True              # recognise scans and pictures (Tesseract); --no-ocr

    def __post_init__(self):
        if self.command not in COMMANDS:
            raise ValueError(f"unknown command {self.command!r}: expected check or report")
        if self.format not in COMMANDS[self.command]:
            raise ValueError(f"{self.command} cannot write {self.format!r}: expected one of "
                             + ", ".join(COMMANDS[self.command]))
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("no file name")
        if not isinstance(self.options, dict) or not isinstance(self.metadata, dict):
            raise ValueError("options and metadata must be JSON objects")
        if not all(v is None or isinstance(v, str) for v in (self.out, self.db)):
            raise ValueError("out and db must be strings")
        if not isinstance(self.exclude_documents, list) or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in self.exclude_documents):
            raise ValueError("exclude_documents must be a list of document ids")
        if not isinstance(self.semantic, bool) or not isinstance(self.ocr, bool):
            raise ValueError("semantic and ocr must be true or false")
        if self.lang not in LANGUAGES:
            raise ValueError("lang must be one of " + ", ".join(LANGUAGES))


@dataclass(frozen=True)
class Output:
    """What a command shows: ``lines`` for standard output, ``data`` for the report file."""

    lines: tuple[str, ...]
    data: bytes = b""


def answer(store, document, request: Request, progress=None) -> Output:
    """Check ``document`` against the corpus in ``store`` and return what ``request.command``
    prints and writes. The one function behind the local commands and the service alike, so that
    their outputs cannot drift apart. ``progress(done, total)``: see :func:`check_document`."""
    from plagcheck.report import ReportOptions, build_report, render
    from plagcheck.report.text import count, excluded_document_lines, exclusions_line, figures_line, kind_counts

    # check and report share one report, so that they print the same figures for the same switches
    report = build_report(store, document, ReportOptions(**request.options), metadata=request.metadata,
                          exclude_ids=set(request.exclude_documents), semantic=request.semantic, progress=progress)
    if request.command == "check":
        if request.format == "json":
            return Output((json.dumps(report.check_dict(), ensure_ascii=False, indent=2),))
        lines = [f"{request.name}: {figures_line(report)}; {count(len(report.sources), 'source')}, "
                 f"{count(len(report.matches), 'matched passage')}", f"  {exclusions_line(report)}"]
        lines += [f"  {line}" for line in excluded_document_lines(report)]
        for s in report.sources:
            note = "" if s.matches else ", all excluded"
            kinds = kind_counts([m.match for m in report.matches if m.source_id == s.id])
            lines.append(f"  {100 * s.share:5.1f}%  [{s.id}] {s.source.title or ''} ({s.source.path}), "
                         f"{count(s.source.matches, 'passage')}{f' ({kinds})' if kinds else ''}{note}")
        lines += [f"  alert: {a.message}" for a in report.alerts]
        semantic = report.result.corpus.get("semantic")
        if not request.semantic:
            lines.append("  note: translations and paraphrases were not looked for (--no-semantic)")
        elif semantic and semantic["documents_embedded"] < semantic["documents"]:
            lines.append(f"  note: translations and paraphrases were looked for in {semantic['documents_embedded']} of "
                         f"{semantic['documents']} corpus documents (the rest are not embedded yet: "
                         "plagcheck reindex --semantic-minutes N)")
        return Output(tuple(lines))
    summary = (f"{request.name}: {figures_line(report)}; {count(len(report.sources), 'source')}, "
               f"{count(len(report.alerts), 'alert')}; report written to {request.out}")
    return Output((summary, f"  {exclusions_line(report)}", *(f"  {line}" for line in excluded_document_lines(report))),
                  render(report, request.format, request.lang))


def default_socket_path(db_path: str | Path) -> Path:
    """The socket beside the database: ``corpus.db`` → ``corpus.db.sock``."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".sock")


# -- client -------------------------------------------------------------------------------------
def submit(socket_path: str | Path, request: Request, data: bytes) -> Output:
    """Have the service at ``socket_path`` run ``request`` on a file's bytes; return its output.

    Raises :class:`ServiceError` with the service's one-line message, or saying why the service
    cannot be reached (never falls back to checking here).
    """
    path = str(socket_path)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(path)
        except (FileNotFoundError, ConnectionRefusedError) as error:
            why = "no such socket" if isinstance(error, FileNotFoundError) else "nothing listens on the socket"
            raise ServiceError(f"no check service at {path} ({why}): start one with 'plagcheck serve', "
                               "or leave out --server (and unset $PLAGCHECK_SERVER) to check here") from None
        except OSError as error:
            raise ServiceError(f"cannot reach the check service at {path} ({error.strerror or error})") from None
        try:
            _send_frame(sock, {"protocol": PROTOCOL, **asdict(request)}, data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # it refused the request before reading all of it; its answer says why
        try:
            reply, body = _recv_frame(sock, MAX_REPLY_HEADER_BYTES)
        except (OSError, EOFError, ValueError) as error:
            raise ServiceError(f"the check service at {path} gave no answer ({error}); its log may say why") from None
    if not reply.get("ok"):
        raise ServiceError(str(reply.get("error") or f"the check service at {path} failed without saying why"))
    return Output(tuple(reply.get("lines", ())), body)


# -- service ------------------------------------------------------------------------------------
def serve(db_path: str | Path, socket_path: str | Path, *,
          max_request_bytes: int = defaults.SERVICE_MAX_REQUEST_MIB * 2**20,
          request_seconds: float = defaults.SERVICE_REQUEST_SECONDS,
          ready=None, install_signals: bool = True) -> None:
    """Answer ``check`` and ``report`` requests on ``socket_path`` until SIGTERM or SIGINT, which
    let the request in hand finish. ``ready(socket_path)`` is called once it listens with the
    stages loaded. A request not received whole within ``request_seconds`` is dropped.

    A socket file left by a service that died is replaced; one that a live service answers on is
    not. The socket file is removed on the way out.
    """
    from plagcheck.extract import start_extraction_server
    from plagcheck.storage import open_store as Store

    from plagcheck.settings import database_argument, describe_database, is_postgres

    db_path = database_argument(str(db_path))
    db_path, socket_path = (db_path if is_postgres(db_path) else Path(db_path).resolve()), Path(socket_path)
    stop = _StopFlag()
    previous = stop.install() if install_signals else {}
    try:
        with Store(db_path, create=False) as store:
            listener, inode = _listen(socket_path)  # first: a taken socket fails at once
            try:
                for module in _STAGES:  # now, not on the first request (which waits meanwhile)
                    importlib.import_module(module)
                start_extraction_server()  # the process each file is extracted in is forked from
                log.info("check service listening on %s (database %s)", socket_path, describe_database(db_path))
                if ready is not None:
                    ready(socket_path)
                while not stop.stop:
                    if not select.select([listener], [], [], POLL_SECONDS)[0]:
                        continue
                    conn, _ = listener.accept()
                    with conn:
                        _serve_one(conn, store, db_path, max_request_bytes, request_seconds)
                _remove(socket_path, inode)  # first, so that no new client queues up behind the last
                _turn_away(listener, socket_path)
            finally:
                listener.close()
                _remove(socket_path, inode)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    log.info("check service on %s stopped", socket_path)


class _StopFlag:
    """Set by SIGTERM/SIGINT: finish the request in hand, take no new one."""

    def __init__(self):
        self.stop = False

    def install(self) -> dict:
        previous = {}
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, self._handle)
        return previous

    def _handle(self, signum, frame):
        log.info("signal %d: stopping after the request in hand", signum)
        self.stop = True


def _listen(path: Path) -> tuple[socket.socket, int]:
    """Bind an owner-only socket at ``path``, replacing a dead service's socket file."""
    if len(os.fsencode(path)) > MAX_SOCKET_PATH_BYTES:
        raise ServiceError(f"socket path too long ({len(os.fsencode(path))} bytes, at most "
                           f"{MAX_SOCKET_PATH_BYTES}): choose a shorter --socket")
    if os.path.lexists(path):
        if not stat.S_ISSOCK(os.lstat(path).st_mode):
            raise ServiceError(f"{path} exists and is not a socket: choose another --socket")
        if _answers(path):
            raise ServiceError(f"a check service already listens on {path}")
        log.warning("replacing the stale socket %s (its service is gone)", path)
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    umask = os.umask(0o177)  # owner-only from the moment the file exists: only this user may submit
    try:
        listener.bind(str(path))
    except OSError as error:
        listener.close()
        raise ServiceError(f"cannot listen on {path} ({error.strerror or error})") from None
    finally:
        os.umask(umask)
    listener.listen(64)
    return listener, os.lstat(path).st_ino


def _answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except ConnectionRefusedError:
            return False
        except OSError as error:
            raise ServiceError(f"cannot use {path} ({error.strerror or error})") from None
    return True  # (the live service takes the probe's empty connection for a client that left)


def _remove(path: Path, inode: int) -> None:
    """Remove the socket file, unless it is no longer ours."""
    try:
        if os.lstat(path).st_ino == inode:
            os.unlink(path)
    except FileNotFoundError:
        pass


def _turn_away(listener: socket.socket, path: Path) -> None:
    """Answer clients still queued when the service stops, rather than drop them unanswered."""
    listener.setblocking(False)
    while True:
        try:
            conn, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        with conn:
            conn.settimeout(1)
            try:
                _send_frame(conn, {"ok": False, "error": f"the check service at {path} stopped before "
                                   "this request; run the command again once it is back"})
            except OSError:
                pass


def _serve_one(conn: socket.socket, store, db_path: Path, max_request_bytes: int, request_seconds: float) -> None:
    """Read one request, answer it, never raise: one bad request must not stop the service."""
    started = time.perf_counter()
    try:
        request, data = _read_request(_Deadline(conn, request_seconds), db_path, max_request_bytes)
    except ServiceError as error:
        request, reply, body = None, {"ok": False, "error": str(error)}, b""
    except TimeoutError as error:  # told, in case it is still listening; the next client goes on
        log.warning("request dropped: %s", error)
        conn.settimeout(1)  # (a short reply into an empty send buffer: it never waits)
        try:
            _send_frame(conn, {"ok": False, "error": f"the check service dropped the request: {error}"})
        except OSError:
            pass
        return
    except (OSError, EOFError) as error:  # the client went away mid-request
        log.warning("request dropped: %s", error or type(error).__name__)
        return
    except Exception as error:  # a request this code did not foresee: refused, the service goes on
        log.exception("malformed request")
        request, reply, body = None, {"ok": False, "error": f"malformed request to the check service "
                                      f"({type(error).__name__}: {error})".replace("\n", " ")}, b""
    else:
        if request is None:  # connected and left without a word (e.g. a new service's probe)
            return
        reply, body = _run(store, request, data)
    conn.settimeout(defaults.SERVICE_IO_TIMEOUT_SECONDS)  # sendall: for the whole answer
    try:
        _send_frame(conn, reply, body)
    except OSError as error:
        log.warning("the client left before its answer (%s)", error)
    log.info("%s %s: %s in %.2f s", request.command if request else "request", request.name if request else "-",
             "ok" if reply["ok"] else reply["error"], time.perf_counter() - started)


class _Deadline:
    """The reading side of a connection whose request must arrive whole within ``seconds``.

    A timeout per read alone would let a client that sends a byte every few seconds hold the
    service, which answers one request at a time, for as long as it likes.
    """

    def __init__(self, conn: socket.socket, seconds: float):
        self.conn, self.seconds = conn, seconds
        self.end = time.monotonic() + seconds

    def recv(self, size: int) -> bytes:
        return self._read(self.conn.recv, size)

    def recv_into(self, buffer, size: int) -> int:
        return self._read(self.conn.recv_into, buffer, size)

    def _read(self, read, *args):
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError(self._why())
        self.conn.settimeout(min(left, defaults.SERVICE_IO_TIMEOUT_SECONDS))
        try:
            return read(*args)
        except TimeoutError:
            raise TimeoutError(self._why()) from None

    def _why(self) -> str:
        if time.monotonic() >= self.end:
            return f"the request did not arrive within {self.seconds:g} s"
        return f"the client was silent for {defaults.SERVICE_IO_TIMEOUT_SECONDS} s mid-request"


def _read_request(conn: _Deadline, db_path: Path, max_request_bytes: int) -> tuple[Request | None, bytes]:
    try:
        header = _recv_header(conn, MAX_REQUEST_HEADER_BYTES)
    except ValueError as error:
        raise ServiceError(f"malformed request to the check service ({error})") from None
    if header is None:
        return None, b""
    if header.get("protocol") != PROTOCOL:
        raise ServiceError(f"the check service speaks protocol {PROTOCOL}, the client "
                           f"{header.get('protocol')}: use the same plagcheck version for both")
    try:
        request = Request(**{k: header[k] for k in Request.__dataclass_fields__ if k in header})
    except (TypeError, ValueError) as error:
        raise ServiceError(f"malformed request to the check service ({error})") from None
    size = header.get("size")
    if not isinstance(size, int) or size < 0:
        raise ServiceError("malformed request to the check service (no body size)")
    if size > max_request_bytes:
        raise ServiceError(f"{request.name}: too large for the check service ({size / 2**20:.0f} MiB; "
                           f"it accepts up to {max_request_bytes / 2**20:.0f} MiB)")
    if request.db is not None and not _same_database(request.db, db_path):
        from plagcheck.settings import describe_database

        raise ServiceError(f"the check service uses the database {describe_database(db_path)}, not "
                           f"{describe_database(request.db)}: leave out "
                           "--db, or start a service on that database")
    return request, _recv_exactly(conn, size)


def _run(store, request: Request, data: bytes) -> tuple[dict, bytes]:
    from plagcheck.extract import ExtractionLimits, extract_bytes

    try:  # extracted in a child under limits: a zip bomb or a pathological PDF fails alone
        output = answer(store, extract_bytes(data, request.name, limits=ExtractionLimits(), ocr=request.ocr), request)
    except PlagcheckError as error:
        return {"ok": False, "error": str(error)}, b""
    except Exception as error:  # a bug or an exhausted resource: one request fails, the service goes on
        log.exception("%s %s failed", request.command, request.name)
        message = f"{type(error).__name__}: {error}".replace("\n", " ")
        return {"ok": False, "error": f"{request.name}: the check service failed ({message}); "
                                      "its log has the details"}, b""
    return {"ok": True, "lines": list(output.lines)}, output.data


def _same_database(a: str | Path, b: str | Path) -> bool:
    """Two database arguments name one database: the same file, or the same URL."""
    from plagcheck.settings import is_postgres

    if is_postgres(a) or is_postgres(b):
        return str(a) == str(b)
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


# -- framing ------------------------------------------------------------------------------------
def _send_frame(sock: socket.socket, header: dict, body: bytes = b"") -> None:
    head = json.dumps({**header, "size": len(body)}, ensure_ascii=False).encode("utf-8")
    sock.sendall(_LENGTH.pack(len(head)) + head)
    if body:
        sock.sendall(body)  # apart, so that a 200 MiB file is not copied to prepend 4 bytes


def _recv_header(sock: socket.socket, max_bytes: int) -> dict | None:
    """A frame's header, or None if the peer closed before sending anything."""
    first = sock.recv(_LENGTH.size)
    if not first:
        return None
    length, = _LENGTH.unpack(first + _recv_exactly(sock, _LENGTH.size - len(first)))
    if length > max_bytes:
        raise ValueError(f"a header of {length} bytes")
    try:
        header = json.loads(_recv_exactly(sock, length).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # (deep nesting: RecursionError)
        raise ValueError("the header is not JSON") from None
    if not isinstance(header, dict):
        raise ValueError("the header is not a JSON object")
    return header


def _recv_frame(sock: socket.socket, max_header_bytes: int) -> tuple[dict, bytes]:
    header = _recv_header(sock, max_header_bytes)
    if header is None:
        raise EOFError("connection closed")
    size = header.get("size", 0)
    if not isinstance(size, int) or size < 0:
        raise ValueError("no body size")
    return header, _recv_exactly(sock, size)


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        n = sock.recv_into(view[got:], min(size - got, 2**20))
        if n == 0:
            raise EOFError(f"connection closed after {got} of {size} bytes")
        got += n
    return bytes(buffer)


__all__ = ["COMMANDS", "PROTOCOL", "Output", "Request", "answer", "default_socket_path", "serve", "submit"]
