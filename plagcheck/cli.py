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
from plagcheck.store import Store, default_db_path

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


def db_option(func):
    """``--db``: the corpus database (falls back to $PLAGCHECK_DB, then the default path)."""
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help=f"Corpus database file. Default: $PLAGCHECK_DB, else {default_db_path()}.")(func)


def map_errors(func):
    """Library errors become a one-line message and exit code 1, never a traceback."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except PlagcheckError as error:
            raise click.ClickException(str(error)) from None
    return wrapper


def open_store(db_path: Path | None, *, create: bool = True) -> Store:
    return Store(db_path or default_db_path(), create=create)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="plagcheck")
@click.option("-v", "--verbose", count=True, help="Log what the library does (-vv for debug).")
def cli(verbose):
    """plagcheck: passage-level plagiarism checking for theses (PDF, DOCX, TXT; kk, ru, en)."""
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)


@cli.group(context_settings=CONTEXT_SETTINGS)
def corpus():
    """Manage the reference corpus."""


@corpus.command("add", context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@click.option("--metadata", "metadata_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with a 'file' column and any of title, author, year, department, language.")
@click.option("--processes", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for extraction and hashing. Default: one per core.")
@map_errors
def corpus_add(paths, db_path, metadata_csv, processes):
    """Add PDF, DOCX and TXT files (and folders, recursively) to the corpus.

    Exits with code 2 when some files could not be added; each is named on stderr with the reason.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from plagcheck.ingest import add_files, iter_files, read_metadata

    metadata = read_metadata(metadata_csv) if metadata_csv else {}
    files = list(iter_files(paths))
    with open_store(db_path) as store:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=_stderr_console(), transient=True) as progress:
            task = progress.add_task("indexing", total=len(files))

            def advance(outcome):
                progress.advance(task)
                if outcome.status == "failed":
                    progress.console.print(f"error: {outcome.path}: {outcome.reason}", markup=False, highlight=False,
                                           soft_wrap=True)

            outcomes = add_files(store, files, metadata, progress=advance,
                                 processes=processes or os.cpu_count() or 1)
    added = sum(o.status == "added" for o in outcomes)
    duplicates = [o for o in outcomes if o.status == "duplicate"]
    failed = [o for o in outcomes if o.status == "failed"]
    for o in duplicates:
        click.echo(f"skipped: {o.path}: already in the corpus ({o.reason})", err=True)
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
        click.echo(json.dumps([d.to_dict() for d in docs], ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    table = Table("id", "title", "author", "year", "lang", "words", "path")
    for d in docs:
        table.add_row(str(d.id), d.title or "", d.author or "", str(d.year or ""), d.language or "",
                      str(d.words), d.path)
    _stdout_console().print(table)
    click.echo(f"{len(docs)} documents")


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("path", type=click.Path(path_type=Path))
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@map_errors
def check(path, db_path, fmt):
    """Check one document against the corpus and print the matches."""
    from plagcheck.check import check_document
    from plagcheck.extract import extract

    with open_store(db_path, create=False) as store:
        result = check_document(store, extract(path))
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{path}: {100 * result.similarity:.1f}% similar, {len(result.sources)} sources, "
               f"{len(result.matches)} matched passages")
    for s in result.sources:
        click.echo(f"  {100 * s.share:5.1f}%  [{s.id}] {s.title or ''} ({s.path}), {s.matches} passages")
    for a in result.document.alerts:
        click.echo(f"  alert: {a.message}")


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("path", type=click.Path(path_type=Path))
@db_option
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Report file. Default: <document stem>.report.<format> in the current folder.")
@click.option("--format", "fmt", type=click.Choice(["html", "json", "pdf"]), default=None,
              help="Report format. Default: from the extension of --out, else html.")
@click.option("--exclude-quotes/--include-quotes", default=defaults.EXCLUDE_QUOTES, show_default=True,
              help="Leave out quoted passages followed by a citation ([12], (Author, 2019)).")
@click.option("--exclude-bibliography/--include-bibliography", default=defaults.EXCLUDE_BIBLIOGRAPHY,
              show_default=True, help="Leave out the reference list (recognised by heading and form).")
@click.option("--min-words", type=click.IntRange(min=0), default=defaults.EXCLUDE_SHORTER_THAN_WORDS,
              show_default=True, help="Do not count matches with fewer words than this.")
@click.option("--exclude-common/--include-common", default=defaults.EXCLUDE_COMMON, show_default=True,
              help=f"Leave out passages shared by {defaults.COMMON_PASSAGE_MIN_DOCS}+ corpus documents "
                   "(title pages, standard wording).")
@click.option("--title", default=None, help="Title of the checked document, shown in the report.")
@click.option("--author", default=None, help="Author of the checked document, shown in the report.")
@click.option("--open", "open_report", is_flag=True, help="Open the report when it is written.")
@map_errors
def report(path, db_path, out, fmt, exclude_quotes, exclude_bibliography, min_words, exclude_common, title,
           author, open_report):
    """Check one document and write its similarity report (HTML, JSON or PDF)."""
    from plagcheck.extract import extract
    from plagcheck.report import FORMATS, ReportOptions, build_report, render

    if fmt is None:
        fmt = FORMATS.get(out.suffix.lower()) if out is not None else "html"
        if fmt is None:
            raise click.BadParameter(f"cannot tell the format from {out.name!r}: use .html, .json or .pdf, "
                                     "or give --format", param_hint="--out")
    out = out or Path(f"{path.stem}.report.{fmt}")
    options = ReportOptions(exclude_quotes=exclude_quotes, exclude_bibliography=exclude_bibliography,
                            min_words=min_words, exclude_common=exclude_common)
    metadata = {k: v for k, v in (("title", title), ("author", author)) if v}
    with open_store(db_path, create=False) as store:
        result = build_report(store, extract(path), options, metadata=metadata)
    try:
        out.write_bytes(render(result, fmt))
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror}") from None
    click.echo(f"{path}: {100 * result.similarity:.1f}% similar after exclusions "
               f"({100 * result.similarity_without_exclusions:.1f}% without), {len(result.sources)} sources, "
               f"{len(result.alerts)} alerts; report written to {out}")
    if open_report:
        click.launch(str(out.resolve()))

def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def _stdout_console():
    from rich.console import Console

    return Console()


def main():
    cli(prog_name="plagcheck")


__all__ = ["cli", "ExtractionError"]
