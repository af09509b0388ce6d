"""The command line: parse, call one library function, print, turn library errors into one line."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from pathlib import Path

import click

from plagcheck import __version__, defaults
from plagcheck.errors import ExtractionError, PlagcheckError
from plagcheck.report.i18n import DEFAULT_LANGUAGE, LANGUAGES  # a catalogue, no dependencies
# not plagcheck.storage: a served check never opens the database
from plagcheck.settings import database_argument, default_db_path, describe_database, is_postgres
from plagcheck.text_safety import json_printable, printable

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


class DatabaseType(click.ParamType):
    """A corpus database: a SQLite file's path (or ``sqlite:///path``), or a ``postgresql://`` URL."""

    name = "PATH|URL"

    def convert(self, value, param, ctx):
        if isinstance(value, (Path, str)) and str(value):
            try:
                return database_argument(str(value))
            except ValueError as error:
                self.fail(str(error), param, ctx)
        self.fail("give a file path or a postgresql:// URL", param, ctx)


def db_option(func):
    """``--db``: the corpus database (falls back to $PLAGCHECK_DB, then the default path)."""
    return click.option(
        "--db", "db_path", type=DatabaseType(), default=None,
        help=f"Corpus database: a SQLite file (or sqlite:///path), or a postgresql:// URL for several machines. "
             f"Default: $PLAGCHECK_DB, else {default_db_path()}.")(func)


def server_option(func):
    """``--server``: have a running ``plagcheck serve`` do the work (falls back to $PLAGCHECK_SERVER)."""
    return click.option(
        "--server", "server", metavar="SOCKET", type=click.Path(dir_okay=False, path_type=Path), default=None,
        envvar="PLAGCHECK_SERVER",
        help="Send the file to the check service listening on this socket ('plagcheck serve') and print its "
             "answer: the same output, without loading scikit-learn here. Default: $PLAGCHECK_SERVER. If the "
             "service cannot be reached, the command fails; it never falls back to checking here. --db, if "
             "given, must be the service's database.")(func)


def exclude_document_option(func):
    """``--exclude-document ID``: corpus documents that are the checked document itself."""
    return click.option(
        "--exclude-document", "exclude_documents", type=int, multiple=True, metavar="ID",
        help="A corpus document that IS this document (its own earlier entry), never a source; repeatable. "
             "Any other corpus document with the same text is reported as a 100% source.")(func)


def exclusion_options(func):
    """The exclusion switches of ``check`` and ``report`` (one set, so both print the same figures),
    passed on as one ``exclusions`` dict of :class:`~plagcheck.report.ReportOptions` fields."""
    switches = [
        click.option("--exclude-quotes/--include-quotes", default=defaults.EXCLUDE_QUOTES, show_default=True,
                     help="Count quoted passages followed by a citation ([12], (Author, 2019)) as cited."),
        click.option("--exclude-bibliography/--include-bibliography", default=defaults.EXCLUDE_BIBLIOGRAPHY,
                     show_default=True, help="Count the reference list (recognised by heading and form) as cited."),
        click.option("--min-words", type=click.IntRange(min=0), default=defaults.EXCLUDE_SHORTER_THAN_WORDS,
                     show_default=True, help="Do not count matches with fewer words than this as borrowed."),
        click.option("--exclude-common/--include-common", default=defaults.EXCLUDE_COMMON, show_default=True,
                     help=f"Count passages shared by {defaults.COMMON_PASSAGE_MIN_DOCS}+ corpus documents "
                          "(title pages, standard wording) as cited."),
    ]

    @functools.wraps(func)
    def wrapper(*args, exclude_quotes, exclude_bibliography, min_words, exclude_common, **kwargs):
        exclusions = {"exclude_quotes": exclude_quotes, "exclude_bibliography": exclude_bibliography,
                      "min_words": min_words, "exclude_common": exclude_common}
        return func(*args, exclusions=exclusions, **kwargs)

    for option in reversed(switches):
        wrapper = option(wrapper)
    return wrapper


def echo(line: str, *, err: bool = False) -> None:
    """Print one line, with any control characters of the names inside it shown as escapes
    (a file named ``"a\\nb.pdf"`` must not split the line, nor ``ESC[2J`` clear the screen)."""
    click.echo(printable(line), err=err)


def echo_json(value) -> None:
    """Print JSON whose strings may hold untrusted names: still the same JSON, terminal-safe."""
    click.echo(json_printable(json.dumps(value, ensure_ascii=False, indent=2)))


def cell(value):
    """A rich table cell for an untrusted value: escaped, and never read as rich markup (a file
    named ``[red]x.pdf`` or ``[/]`` is shown as it is)."""
    from rich.text import Text

    return Text(printable("" if value is None else value))


class _Group(click.Group):
    """Every one-line error leaves with its names escaped, whether the library raised it or click
    did (``Path 'a\\nb.pdf' does not exist``)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.ClickException as error:
            error.message = printable(error.message)
            raise


class _EscapingFormatter(logging.Formatter):
    """Log messages name files too: escaped like every other line (a traceback keeps its lines)."""

    def formatMessage(self, record):
        return printable(super().formatMessage(record))


def read_metadata_csv(metadata_csv: Path | None):
    """The metadata table of ``--metadata`` ({} without one), its reading warnings printed."""
    from plagcheck.ingest import read_metadata

    if metadata_csv is None:
        return {}
    table = read_metadata(metadata_csv)
    for warning in table.warnings:
        echo(f"warning: {warning}", err=True)
    return table


def warn_empty_folders(paths, files: list[Path]) -> None:
    """A folder given with nothing in it to read (the wrong folder, an unmounted share) is said,
    not passed over as '0 jobs queued'. ``files``: :func:`~plagcheck.ingest.iter_files` of
    ``paths``, already walked by the command."""
    from plagcheck.extract import SUPPORTED_SUFFIXES

    readable = (*SUPPORTED_SUFFIXES, ".zip")
    for path in map(Path, paths):
        if path.is_dir() and not any(f.suffix.lower() in readable and path in f.parents for f in files):
            echo(f"warning: {path}: no PDF, DOCX, DOC, ODT, RTF, TXT or zip file in this folder", err=True)


def warn_metadata_mismatches(metadata) -> None:
    """After a batch: the CSV rows that named no file given, and the files without a row."""
    for warning in getattr(metadata, "mismatches", list)():
        echo(f"warning: {warning}", err=True)


def semantic_option(func):
    """``--no-semantic``: a quick lexical check, without the semantic layer."""
    return click.option(
        "--semantic/--no-semantic", "semantic", default=True, show_default=True,
        help="Look for translations (kk/ru/en) and paraphrases of corpus text with sentence embeddings "
             "(about 0.05 s a sentence on two idle cores, with a progress bar on stderr); --no-semantic for a "
             "quick lexical check (verbatim and short copies only).")(func)


def ocr_option(func):
    """``--no-ocr``: read only a file's own text, recognising neither scans nor pictures."""
    return click.option(
        "--ocr/--no-ocr", "ocr", default=True, show_default=True,
        help="Recognise scanned pages and text pasted as pictures with Tesseract (kaz+rus+eng), a few seconds a "
             "page; a document that needs it fails with the packages to install if Tesseract is missing. "
             "--no-ocr reads only the files' own text (a scanned page is then an alert, a scan alone an error).")(func)


def map_errors(func):
    """Library errors become a one-line message and exit code 1, never a traceback."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except PlagcheckError as error:
            raise click.ClickException(str(error)) from None
    return wrapper


def open_store(db_path: Path | None, *, create: bool = False):
    """The corpus database; only ``corpus add`` passes ``create=True`` (a mistyped --db elsewhere
    would silently start an empty corpus)."""
    from plagcheck.store import Store

    return Store(db_path or default_db_path(), create=create)


def run_request(request, path: Path, db_path: Path | None, server: Path | None):
    """Run a check or report on ``path`` here, or on the check service at ``server``; both end in
    :func:`plagcheck.service.answer`. The served path imports neither scikit-learn nor the stages."""
    from dataclasses import replace

    from plagcheck import service
    from plagcheck.extract import extract, read_file

    if server is not None:
        named = db_path or (default_db_path() if os.environ.get("PLAGCHECK_DB") else None)  # as a local check would
        request = replace(request, db=(named if is_postgres(named) else str(Path(named).resolve())) if named else None)
        return service.submit(server, request, read_file(path))
    with open_store(db_path, create=False) as store, _EmbeddingProgress() as progress:
        return service.answer(store, extract(path, ocr=request.ocr), request, progress=progress)


class _EmbeddingProgress:
    """A progress bar on stderr for the semantic layer's embedding, shown once it starts (a check
    without it shows none); stdout stays the command's output alone."""

    def __init__(self):
        self.bar = None
        self.task = None

    def __enter__(self):
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("embedding sentences"), BarColumn(), MofNCompleteColumn(),
                                TimeRemainingColumn(), console=_stderr_console(), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("embedding", total=total)
        self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="plagcheck")
@click.option("-v", "--verbose", count=True, help="Log what the library does (-vv for debug).")
def cli(verbose):
    """plagcheck: passage-level plagiarism checking for theses (PDF, DOCX, TXT; kk, ru, en)."""
    level = logging.WARNING - 10 * verbose
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_EscapingFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=max(level, logging.DEBUG), handlers=[handler])


@cli.group(context_settings=CONTEXT_SETTINGS)
def corpus():
    """Manage the reference corpus."""


@corpus.command("add", context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@click.option("--metadata", "metadata_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV (',', ';' or tab; UTF-8 or Windows-1251) with a 'file' column and any of title, author, year, "
                   "department, language; other columns are kept as metadata.")
@click.option("--processes", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for extraction and hashing. Default: one per core.")
@ocr_option
@map_errors
def corpus_add(paths, db_path, metadata_csv, processes, ocr):
    """Add PDF, DOCX, TXT files, and .doc, .docm, .odt, .rtf through LibreOffice (and folders,
    recursively) to the corpus.

    Exits with code 2 when some files could not be added; each is named on stderr with the reason.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from plagcheck.ingest import add_files, iter_files

    metadata = read_metadata_csv(metadata_csv)
    files = list(iter_files(paths))
    with open_store(db_path, create=True) as store:
        if store.created:  # a mistyped --db starts a new corpus: say so
            echo(f"new corpus database: {store.location}", err=True)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=_stderr_console(), transient=True) as progress:
            task = progress.add_task("indexing", total=len(files))

            def advance(outcome):
                progress.advance(task)
                if outcome.status == "failed":
                    progress.console.print(printable(f"error: {outcome.path}: {outcome.reason}"), markup=False,
                                           highlight=False, soft_wrap=True)

            outcomes = add_files(store, files, metadata, progress=advance,
                                 processes=processes or os.cpu_count() or 1, ocr=ocr)
    added = sum(o.status == "added" for o in outcomes)
    duplicates = [o for o in outcomes if o.status == "duplicate"]
    failed = [o for o in outcomes if o.status == "failed"]
    for o in duplicates:
        echo(f"skipped: {o.path}: already in the corpus ({o.reason})", err=True)
    warn_metadata_mismatches(metadata)
    warn_empty_folders(paths, files)
    click.echo(f"{added} added, {len(duplicates)} already present, {len(failed)} failed")
    if failed:
        sys.exit(2)


@corpus.command("list", context_settings=CONTEXT_SETTINGS)
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@map_errors
def corpus_list(db_path, fmt):
    """List the documents in the corpus."""
    with open_store(db_path, create=False) as store:
        docs = store.documents()
    if fmt == "json":
        echo_json([d.to_dict() for d in docs])
        return
    from rich.table import Table

    table = Table("id")
    for header in ("title", "author"):
        table.add_column(header, overflow="fold")  # wrapped, never cut to "…"
    for header in ("year", "lang", "words"):
        table.add_column(header)
    for d in docs:
        table.add_row(str(d.id), cell(d.title), cell(d.author), str(d.year or ""), cell(d.language), str(d.words))
    _stdout_console().print(table)
    # Paths on lines of their own, whole (a folded or cut path cannot be copied).
    for d in docs:
        echo(f"document {d.id}: {d.path}")
    click.echo(f"{len(docs)} documents")


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("path", type=click.Path(path_type=Path))
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@exclusion_options
@exclude_document_option
@semantic_option
@ocr_option
@server_option
@map_errors
def check(path, db_path, fmt, exclusions, exclude_documents, semantic, ocr, server):
    """Check one document against the corpus and print the matches: borrowed, cited and original
    shares of the text, with the same exclusions (and figures) as 'plagcheck report'.

    The semantic layer is on, as in 'report' and the worker, so that the three agree; its cost is
    set by how many candidates the check has (capped), not by the corpus.
    """
    from plagcheck.service import Request

    request = Request("check", str(path), fmt, options=exclusions, exclude_documents=list(exclude_documents),
                      semantic=semantic, ocr=ocr)
    for line in run_request(request, path, db_path, server).lines:
        click.echo(json_printable(line) if fmt == "json" else printable(line))


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("path", type=click.Path(path_type=Path))
@db_option
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Report file. Default: <document stem>.report.<format> in the current folder.")
@click.option("--format", "fmt", type=click.Choice(["html", "json", "pdf"]), default=None,
              help="Report format. Default: from the extension of --out, else html.")
@exclusion_options
@click.option("--title", default=None, help="Title of the checked document, shown in the report.")
@click.option("--author", default=None, help="Author of the checked document, shown in the report.")
@click.option("--institution", default=None, help="University or department, shown at the top of the report.")
@click.option("--open", "open_report", is_flag=True, help="Open the report when it is written.")
@click.option("--lang", type=click.Choice(LANGUAGES), default=DEFAULT_LANGUAGE, show_default=True,
              help="Language of the report's labels and explanations: Kazakh, Russian or English.")
@exclude_document_option
@semantic_option
@ocr_option
@server_option
@map_errors
def report(path, db_path, out, fmt, exclusions, title, author, institution, open_report, lang, exclude_documents,
           semantic, ocr, server):
    """Check one document and write its similarity report (HTML, JSON or PDF)."""
    from plagcheck.report import FORMATS
    from plagcheck.service import Request

    if fmt is None:
        fmt = FORMATS.get(out.suffix.lower()) if out is not None else "html"
        if fmt is None:
            raise click.BadParameter(f"cannot tell the format from {out.name!r}: use .html, .json or .pdf, "
                                     "or give --format", param_hint="--out")
    out = out or Path(f"{path.stem}.report.{fmt}")
    metadata = {k: v for k, v in (("title", title), ("author", author), ("institution", institution)) if v}
    request = Request("report", str(path), fmt, options=exclusions, metadata=metadata, out=str(out),
                      exclude_documents=list(exclude_documents), semantic=semantic, lang=lang, ocr=ocr)
    output = run_request(request, path, db_path, server)
    try:
        out.write_bytes(output.data)
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror}") from None
    for line in output.lines:
        echo(line)
    if open_report:
        click.launch(str(out.resolve()))


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@click.option("--metadata", "metadata_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV (',', ';' or tab; UTF-8 or Windows-1251) with a 'file' column and any of title, author, year, "
                   "department, language; other columns are kept as metadata.")
@click.option("--no-index", is_flag=True, help="Check only; do not add the theses to the corpus (drafts).")
@click.option("--again", is_flag=True,
              help="Queue a thesis even if it already waits in the queue (the same bytes, file name and metadata, "
                   "queued or running); without it such a file is skipped and the earlier job named.")
@map_errors
def submit(paths, db_path, metadata_csv, no_index, again):
    """Queue theses (files, folders, zip archives) for the worker; returns at once with job ids.

    The files' bytes are stored in the database, so a file moved after submission is not lost.
    Files the worker cannot read (.xls, .pptx, ...) are refused at once; exit code 2 if any was.
    """
    from plagcheck import jobs
    from plagcheck.ingest import iter_files

    metadata = read_metadata_csv(metadata_csv)
    files = list(iter_files(paths))  # walked once: queued, and looked at for empty folders
    with open_store(db_path, create=False) as store:
        done = jobs.submit(store, files, metadata, no_index=no_index, again=again)
    for name, reason in done.rejected:
        echo(f"error: {name}: {reason}", err=True)
    for name, earlier_id, earlier_name in done.already_queued:
        echo(f"skipped: {name}: already queued as job {earlier_id} ({earlier_name}); --again queues it once more",
             err=True)
    for name, earlier_id, earlier_name in done.same_bytes:
        echo(f"note: {name}: the same bytes as job {earlier_id} ({earlier_name}), which still waits; queued as a "
             "submission of its own", err=True)
    warn_metadata_mismatches(metadata)
    warn_empty_folders(paths, files)
    ids = done.ids
    summary = f"{len(ids)} {'job' if len(ids) == 1 else 'jobs'} queued" + (f": {_id_ranges(ids)}" if ids else "")
    if done.already_queued:
        summary += f"; {len(done.already_queued)} already in the queue"
    click.echo(summary)
    if done.rejected:
        sys.exit(2)


def _id_ranges(ids: list[int]) -> str:
    """``[4, 5, 6, 9]`` → ``'4–6, 9'`` (another submission may have taken ids in between)."""
    runs: list[list[int]] = []
    for job_id in ids:
        if runs and job_id == runs[-1][1] + 1:
            runs[-1][1] = job_id
        else:
            runs.append([job_id, job_id])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


@cli.command(context_settings=CONTEXT_SETTINGS)
@db_option
@click.option("--processes", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes sharing the queue.")
@click.option("--once", is_flag=True, help="Process until the queue is empty, then exit (cron, tests).")
@click.option("--reports", "reports_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the HTML, JSON and PDF reports. Default: NAME-reports/ beside a SQLite database NAME.db; required "
                   "for a PostgreSQL one (a folder every machine shares).")
@click.option("--lease", "lease_seconds", type=click.FloatRange(min=1), default=None,
              help="Seconds a job stays leased without renewal before another worker may take it.")
@semantic_option
@ocr_option
@map_errors
def worker(db_path, processes, once, reports_dir, lease_seconds, semantic, ocr):
    """Run the batch worker: check queued theses, write their reports, add them to the corpus.

    Stops cleanly on SIGTERM, finishing the job in hand, and prints 'N done, M failed'. Refuses to
    start if the reports folder cannot be written; a report that cannot be written later puts its
    job back in the queue and stops the worker (exit code 1).
    """
    from workers.worker import run_workers

    counts = run_workers(db_path or default_db_path(), processes, once=once, reports_dir=reports_dir,
                         lease_seconds=lease_seconds, semantic=semantic, ocr=ocr)
    click.echo(f"{counts['done']} done, {counts['failed']} failed")


@cli.command(context_settings=CONTEXT_SETTINGS)
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--watch", is_flag=True,
              help="Show a progress bar until every job is finished; say so when jobs wait and no worker is running.")
@click.option("--patience", type=click.FloatRange(min=0), default=defaults.WATCH_NO_WORKER_SECONDS, show_default=True,
              help="With --watch: seconds that jobs wait, unchanged and with no worker on any of them, before "
                   "saying that no worker is running (the watch goes on).")
@map_errors
def jobs(db_path, fmt, watch, patience):
    """Show each job's state (queued, running, done, failed) and the thesis' author, title and
    department; then, one per line and never cut, each report's absolute path and each failure's
    reason."""
    from plagcheck import jobs as queue

    with open_store(db_path, create=False) as store:
        if watch:
            _watch_jobs(store, patience)
        rows = queue.statuses(store)
    if fmt == "json":
        echo_json([r.to_dict() for r in rows])
        return
    from rich.table import Table

    table = Table("id", "state", "similarity")
    for header in ("file", "author", "title", "department"):
        table.add_column(header, overflow="fold")  # a narrow terminal wraps a name, never cuts it
    for r in rows:
        similarity = f"{100 * r.similarity:.1f}%" if r.similarity is not None else ""
        table.add_row(str(r.id), r.state, similarity, cell(r.name), cell(r.metadata.get("author")),
                      cell(r.metadata.get("title")), cell(r.metadata.get("department")))
    _stdout_console().print(table)
    # On lines of their own, whole: in a table cell a path or a reason would be folded or cut at
    # the terminal's width, and a folded path cannot be copied.
    for r in rows:
        if r.report_html:
            echo(f"job {r.id} report: {r.report_html}")
        elif r.error:
            echo(f"job {r.id} {r.state}: {r.error}")
    counts = {state: sum(r.state == state for r in rows) for state in ("queued", "running", "done", "failed")}
    click.echo(", ".join(f"{n} {state}" for state, n in counts.items()))


def _watch_jobs(store, patience: float) -> None:
    """A progress bar until no job is queued or running. Jobs that wait, unchanged, with no live
    lease for ``patience`` seconds have no worker: say so once (again if a worker came and went)."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from plagcheck import jobs as queue

    with Progress(TextColumn("jobs"), BarColumn(), MofNCompleteColumn(), console=_stderr_console()) as bar:
        task = bar.add_task("jobs")
        last, since, warned = None, time.monotonic(), False
        while True:
            total, left = len(queue.statuses(store)), queue.pending(store)
            bar.update(task, total=total, completed=total - left)
            if not left:
                break
            if left != last or queue.live_leases(store):  # a worker is on it, or finished something
                last, since, warned = left, time.monotonic(), False
            elif not warned and time.monotonic() - since >= patience:
                bar.console.print(printable(
                    f"no worker is running: {left} {'job waits' if left == 1 else 'jobs wait'}; start "
                    f"'plagcheck worker --db {store.location}' (still watching; Ctrl-C stops)"),
                    markup=False, highlight=False, soft_wrap=True)
                warned = True
            time.sleep(defaults.WATCH_POLL_SECONDS)


@cli.command(context_settings=CONTEXT_SETTINGS)
@db_option
@click.option("--socket", "socket_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              envvar="PLAGCHECK_SERVER",
              help="Unix socket to listen on, created owner-only (0600): only this user may submit. "
                   "Default: $PLAGCHECK_SERVER, else the database's path + '.sock'.")
@click.option("--max-mib", type=click.IntRange(min=1), default=defaults.SERVICE_MAX_REQUEST_MIB, show_default=True,
              help="Largest file accepted, in MiB.")
@click.option("--request-seconds", type=click.FloatRange(min=0, min_open=True),
              default=defaults.SERVICE_REQUEST_SECONDS, show_default=True,
              help="Drop a request not received whole within this many seconds, so that a slow client "
                   "cannot keep the others waiting.")
@map_errors
def serve(db_path, socket_path, max_mib, request_seconds):
    """Run the resident check service for 'check --server' and 'report --server'.

    It keeps scikit-learn loaded and the corpus open, so a served check skips the start-up of a
    fresh process. Requests are answered one at a time; each sees the corpus as it is then
    (documents added, a full reindex swapped in). Stops cleanly on SIGTERM or Ctrl-C, finishing
    the request in hand, and removes its socket.
    """
    from plagcheck.service import default_socket_path
    from plagcheck.service import serve as run_service

    db = db_path or default_db_path()
    if socket_path is None and is_postgres(db):
        raise click.UsageError("a PostgreSQL corpus has no folder for the socket: give one with --socket")
    socket_path = socket_path or default_socket_path(db)
    run_service(db, socket_path, max_request_bytes=max_mib * 2**20, request_seconds=request_seconds,
                ready=lambda at: echo(f"check service listening on {at} (database {describe_database(db)}); "
                                            "SIGTERM or Ctrl-C stops it"))


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@db_option
@click.option("--full", is_flag=True, help="Rebuild the whole index into a new generation and swap it in.")
@click.option("--drop-missing", is_flag=True,
              help="Incremental: drop documents whose file no longer exists; refused when more than "
                   f"{defaults.DROP_MISSING_MAX_SHARE:.0%} of the corpus would go at once (an unmounted share?).")
@click.option("--force", is_flag=True, help="With --drop-missing: drop however many files are missing.")
@click.option("--verify", is_flag=True,
              help="Incremental: re-read every file, not only those whose size or modification or change time "
                   "changed (after upgrading plagcheck's extractors, say).")
@click.option("--passage-words", type=click.IntRange(min=4), help="With --full: new passage size.")
@click.option("--shingle-size", type=click.IntRange(min=1, max=8), help="With --full: new shingle size.")
@click.option("--stem-prefix", type=click.IntRange(min=1), help="With --full: new stem length.")
@click.option("--num-perm", type=click.IntRange(min=1), help="With --full: new MinHash size.")
@click.option("--bands", type=click.IntRange(min=1), help="With --full: new number of LSH bands.")
@click.option("--rows", type=click.IntRange(min=1), help="With --full: new rows per band.")
@click.option("--fingerprint-words", type=click.IntRange(min=1, max=8),
              help="With --full: new word n-gram size of the short-copy fingerprints (k).")
@click.option("--fingerprint-window", type=click.IntRange(min=1),
              help="With --full: new winnowing window (w); runs of k + w - 1 words are sure to be found.")
@click.option("--semantic-minutes", type=click.FloatRange(min=0), default=defaults.SEMANTIC_EMBED_MINUTES,
              show_default=True,
              help="Then embed corpus sentences in advance for the semantic layer (optional: checks embed the "
                   "candidates they need), for up to this many minutes (a thesis takes one to three; the next "
                   "run resumes where this one stopped).")
@map_errors
def reindex(paths, db_path, full, drop_missing, force, verify, passage_words, shingle_size, stem_prefix, num_perm,
            bands, rows, fingerprint_words, fingerprint_window, semantic_minutes):
    """Nightly reindex: incremental by default (new and changed files; PATHS are scanned for new
    ones), or --full to rebuild with new parameters while checks go on."""
    from dataclasses import replace

    from workers.reindex import reindex_full, reindex_incremental

    changes = {k: v for k, v in (("passage_words", passage_words), ("shingle_size", shingle_size),
                                 ("stem_prefix", stem_prefix), ("num_perm", num_perm), ("lsh_bands", bands),
                                 ("lsh_rows", rows), ("fingerprint_words", fingerprint_words),
                                 ("fingerprint_window", fingerprint_window)) if v is not None}
    if changes and not full:
        raise click.UsageError("changing index parameters needs --full")
    with open_store(db_path, create=False) as store:
        if full:
            try:
                params = replace(store.params, **changes)
            except ValueError as error:
                raise click.UsageError(str(error)) from None
            summary = reindex_full(store, params)
            click.echo(f"full reindex: {summary.documents} documents, index generation {summary.generation}")
            _units_line(summary)
            _embed_corpus(store, semantic_minutes)
            return
        summary = reindex_incremental(store, paths, drop_missing=drop_missing, verify=verify, force=force)
        dropping = drop_missing and not summary.drop_refused
        for path in summary.missing:
            echo(f"missing: {path}" + (" (dropped)" if dropping else
                                       " (would be dropped)" if summary.drop_refused else
                                       " (kept; --drop-missing drops it)"), err=True)
        for path in summary.unresolved:
            echo(f"kept: {path}: a relative path stored by an older plagcheck, not found from here; "
                 "run 'plagcheck reindex' once from the folder it was added from", err=True)
        for path, reason in summary.failed:
            echo(f"error: {path}: {reason}", err=True)
        click.echo(f"{summary.unchanged} unchanged, {summary.replaced} replaced, {summary.added} added, "
                   f"{summary.dropped} dropped; {summary.documents} documents")
        _units_line(summary)
        if not store.has_anchors:
            echo("note: this index was built before translation anchors (numbers and names that find a "
                 "translation's source); run 'plagcheck reindex --full' once to file them", err=True)
        _embed_corpus(store, semantic_minutes)
    if summary.drop_refused:
        raise click.ClickException(
            f"refused to drop {len(summary.missing)} of {summary.documents} documents whose files are missing "
            f"(more than {defaults.DROP_MISSING_MAX_SHARE:.0%} of the corpus: is the theses share mounted?); "
            "they are listed above; run again with --force to drop them")


def _units_line(summary) -> None:
    if summary.units_indexed:
        click.echo(f"semantic layer: {summary.units_indexed} documents indexed for the candidate step")
    if (built := summary.unit_index) is not None:
        click.echo(f"semantic layer: ANN index of {built.units} units ({built.documents} documents) built for "
                   f"generation {built.generation} in {built.seconds:.0f} s")


def _embed_corpus(store, minutes: float) -> None:
    """Advance the semantic layer's embedding of the corpus for up to ``minutes``."""
    if not minutes:
        return
    from plagcheck.embed import get_embedder
    from plagcheck.semantic import embed_corpus

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    embedder = get_embedder()
    pending = len(store.unembedded_documents(embedder.name))
    if not pending:
        click.echo("semantic layer: every corpus document is embedded")
        return
    with Progress(TextColumn("embedding corpus documents"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=_stderr_console(), transient=True) as bar:
        task = bar.add_task("embedding", total=pending)
        summary = embed_corpus(store, embedder, seconds=60 * minutes, progress=lambda doc_id: bar.advance(task))
    click.echo(f"semantic layer: {summary.documents} documents embedded ({summary.sentences} sentences) in "
               f"{summary.seconds:.0f} s; {summary.remaining} not embedded yet")


# -- database maintenance ------------------------------------------------------------------------------
@cli.group(context_settings=CONTEXT_SETTINGS)
def db():
    """Database maintenance: move a corpus to another database."""


@db.command("migrate", context_settings=CONTEXT_SETTINGS)
@click.argument("source", type=DatabaseType())
@click.argument("target", type=DatabaseType())
@map_errors
def db_migrate(source, target):
    """Copy the corpus in SOURCE (documents, texts, index, jobs) into the empty database TARGET,
    e.g. a SQLite file into postgresql://…, with a progress bar. Stopped half-way, run it again:
    it goes on where it stopped. Stop the source's workers and reindexes first."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from plagcheck.storage import open_store
    from plagcheck.storage.migrate import migrate

    with open_store(source, create=False) as src, open_store(target, src.params) as dst:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=_stderr_console(), transient=True) as bar:
            tasks: dict[str, int] = {}

            def advance(table: str, done: int, total: int) -> None:
                if table not in tasks:
                    tasks[table] = bar.add_task(table, total=total)
                bar.update(tasks[table], completed=done, total=total)

            summary = migrate(src, dst, progress=advance)
    click.echo(f"{summary.documents} documents and {summary.jobs} jobs in {describe_database(target)} "
               f"({sum(summary.copied.values())} rows copied by this run)")


# -- the web cabinet ------------------------------------------------------------------------------------
def _cabinet(db_path, data_dir=None, **options):
    """Django configured for the cabinet over the corpus database (which must exist: a SQLite file,
    or a PostgreSQL database with plagcheck's tables), its tables created or upgraded."""
    from plagcheck.web.conf import CabinetOptions, configure, migrate

    with open_store(db_path):  # a mistyped --db is refused here, as everywhere
        pass
    cabinet = CabinetOptions(database=db_path or default_db_path(), data_dir=data_dir, **options)
    configure(cabinet)
    migrate()
    from django.conf import settings

    return settings.PLAGCHECK  # as configured: the paths absolute


data_dir_option = click.option(
    "--data-dir", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder for the cabinet's secret key and the uploads waiting for confirmation. Default: beside a SQLite "
         "database NAME.db (NAME.db.web-secret, NAME.db.uploads/); required for a PostgreSQL one.")


@cli.command(context_settings=CONTEXT_SETTINGS)
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (keep 127.0.0.1 behind a reverse proxy).")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--threads", type=click.IntRange(min=1), default=8, show_default=True, help="Requests served at once.")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="Host name the cabinet answers to (the site's name behind nginx); repeatable. "
                   "Default: 127.0.0.1 and localhost.")
@click.option("--https", is_flag=True,
              help="Behind a TLS reverse proxy on this machine: trust its X-Forwarded-Proto and X-Forwarded-For, "
                   "send cookies over HTTPS only, and ask browsers to stay on HTTPS (HSTS).")
@click.option("--institution", default="", help="The university's name, printed on certificates.")
@click.option("--max-file-mib", type=click.IntRange(min=1), default=100, show_default=True,
              help="Largest file accepted in an upload, in MiB.")
@click.option("--max-batch-mib", type=click.IntRange(min=1), default=1024, show_default=True,
              help="Largest upload (all files of a batch together), in MiB.")
@data_dir_option
@map_errors
def web(db_path, host, port, threads, allowed_hosts, https, institution, max_file_mib, max_batch_mib, data_dir):
    """Run the web cabinet (waitress) for secretaries and supervisors over the corpus database.

    Creates or upgrades the cabinet's tables first. A running 'plagcheck worker' on the same
    database checks what is uploaded. Stops on SIGTERM or Ctrl-C.
    """
    from plagcheck.web.conf import CabinetOptions, require_data_dir
    from plagcheck.web.server import serve as serve_cabinet

    require_data_dir(CabinetOptions(database=db_path or default_db_path(), data_dir=data_dir))  # before any work
    cabinet = _cabinet(db_path, data_dir, institution=institution, max_file_bytes=max_file_mib * 2**20,
                       max_batch_bytes=max_batch_mib * 2**20, https=https, allowed_hosts=tuple(allowed_hosts))
    serve_cabinet(cabinet, host, port, threads=threads,
                  ready=lambda url: echo(f"web cabinet on {url} (database {describe_database(cabinet.database)}); "
                                         "SIGTERM or Ctrl-C stops it"))


@cli.group(context_settings=CONTEXT_SETTINGS)
def user():
    """Accounts of the web cabinet."""


@user.command("add", context_settings=CONTEXT_SETTINGS)
@click.argument("username")
@db_option
@click.option("--role", type=click.Choice(["admin", "secretary", "supervisor"]), default="secretary", show_default=True,
              help="admin: accounts, departments, thresholds, audit log; secretary: upload and see everything of "
                   "their departments; supervisor: the theses assigned to them, and draft checks.")
@click.option("--department", "departments", multiple=True, metavar="NAME",
              help="A department of this account (repeatable); it must exist ('plagcheck department add').")
@click.option("--full-name", default="", help="Name and surname; a supervisor is matched to the metadata by it.")
@click.option("--email", default="", help="E-mail address.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input "
                                                     "instead of asking for it twice.")
@map_errors
def user_add(username, db_path, role, departments, full_name, email, password_stdin):
    """Create a web cabinet account (the first administrator, say)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    _cabinet(db_path)
    from plagcheck.web.accounts import add_user

    add_user(username, password, role=role, departments=list(departments), full_name=full_name, email=email)
    echo(f"user {username} added ({role}" + (f"; {', '.join(departments)}" if departments else "") + ")")


@cli.group(context_settings=CONTEXT_SETTINGS)
def department():
    """Departments of the web cabinet."""


@department.command("add", context_settings=CONTEXT_SETTINGS)
@click.argument("name")
@db_option
@click.option("--threshold", type=click.FloatRange(min=0, max=100), default=None,
              help="Borrowed share in percent above which a thesis does not pass (default 30).")
@map_errors
def department_add(name, db_path, threshold):
    """Create a department of the web cabinet (or change its threshold)."""
    _cabinet(db_path)
    from plagcheck.web.accounts import add_department

    found, created = add_department(name, threshold)
    echo(f"department {found.name} {'added' if created else 'updated'} (threshold {found.threshold_percent}%)")


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def _stdout_console():
    from rich.console import Console

    return Console()


def main():
    cli(prog_name="plagcheck")


__all__ = ["cli", "ExtractionError"]
