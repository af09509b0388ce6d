"""Adding documents to the corpus: extraction → normalization → index rows, one transaction each."""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import itertools
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath

from plagcheck.errors import ExtractionError, PlagcheckError
from plagcheck.extract import extract
from plagcheck.index import analyze, anchor_prints, content_hash, document_prints, index_document
from plagcheck.language import detect_language
from plagcheck.models import Document, Tokens
from plagcheck.normalize import tokenize
from plagcheck.settings import IndexParams
from plagcheck.storage import METADATA_FIELDS, Store, compress_text

log = logging.getLogger(__name__)
# Metadata and notes that live beside the theses in a submitted folder: skipped, not "unsupported".
SIDECAR_SUFFIXES = (".csv", ".md", ".json")


@dataclass(frozen=True)
class AddOutcome:
    """What happened to one file: ``added``, ``duplicate`` (same content already there) or ``failed``."""

    path: str
    status: str
    doc_id: int | None = None
    reason: str | None = None


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and files under folders named (recursively, sorted, hidden ones skipped)."""
    for path in map(Path, paths):
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield child
        else:
            yield path


# Headers a secretary's spreadsheet may use (compared casefolded, spaces and underscores alike).
_HEADERS = {
    "file": ("file", "filename", "file name", "path", "файл", "имя файла", "файл атауы"),
    "title": ("title", "название", "тема", "тақырып", "тақырыбы"),
    "author": ("author", "автор", "авторы", "студент", "фио", "аты-жөні"),
    "year": ("year", "год", "жыл", "жылы"),
    "department": ("department", "кафедра", "кафедрасы"),
    "language": ("language", "язык", "тіл", "тілі"),
}
_FIELD_OF_HEADER = {alias: name for name, aliases in _HEADERS.items() for alias in aliases}
# Extra columns become metadata under their header; these names would overwrite what the check
# itself records about the document, so such columns are left out (with a warning).
_RESERVED = ("format", "content_hash", "chars", "words", "pages")
_DELIMITERS = (",", ";", "\t")  # Excel: ',' (CSV UTF-8), ';' (a Russian/Kazakh locale), tab (Unicode Text)


class MetadataTable(dict):
    """The rows of a metadata CSV by file (name or path, as written), plus what a command tells
    the secretary about them: ``warnings`` found while reading, the rows that matched no file
    (:meth:`unused`) and the files :func:`metadata_for` found no row for (``unlisted``)."""

    def __init__(self, source: str | Path, rows: dict[str, dict] | None = None, warnings: list[str] | None = None,
                 lines: dict[str, int] | None = None):
        super().__init__(rows or {})
        self.source = Path(source)
        self.warnings: list[str] = list(warnings or [])
        self.lines: dict[str, int] = dict(lines or {})  # the CSV line of each row, for messages
        self.used: set[str] = set()
        self.unlisted: list[str] = []
        self._by_name: dict[str, list[str]] = {}
        for key in self:
            self._by_name.setdefault(_key_parts(key)[-1], []).append(key)

    def find(self, path: str | PurePath) -> str | None:
        """The key of the row for ``path``: its path as given, its name, else a row whose path
        ends the same way (``theses/aliyev.pdf``, ``C:\\Theses\\aliyev.pdf``) or the only row
        with its name."""
        path = PurePath(path)
        for key in (str(path), path.name):
            if key in self:
                return key
        candidates = self._by_name.get(path.name, [])
        parts = path.parts
        ending = [k for k in candidates if parts[-len(_key_parts(k)):] == _key_parts(k)]
        if ending:
            return max(ending, key=lambda k: len(_key_parts(k)))
        return candidates[0] if len(candidates) == 1 else None

    def unused(self) -> list[str]:
        """Rows that named no file given (a typo, or a thesis left out of the folder)."""
        return [key for key in self if key not in self.used]

    def mismatches(self) -> list[str]:
        """One message per row that named no file given and per file given without a row, once
        the files were looked up: either is a typo the secretary wants to hear about."""
        return ([f"{self.source} line {self.lines.get(key, '?')}: no file {key} among those given; row left out"
                 for key in self.unused()] +
                [f"{name}: no row for it in {self.source}" for name in self.unlisted])


def _key_parts(key: str) -> tuple[str, ...]:
    """A CSV's file cell as path parts, whether written with '/' or Windows' '\\'."""
    return tuple(part for part in PurePosixPath(key.replace("\\", "/")).parts if part != "/") or (key,)


def _header_name(header: str) -> str:
    return " ".join(header.replace("_", " ").split()).casefold()


def _decode_csv(data: bytes, csv_path: str | Path) -> str:
    """A CSV's text: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode Text") or
    Windows-1251 (Excel's "CSV" in a Russian or Kazakh locale)."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise PlagcheckError(f"{csv_path}: an Excel workbook, not a CSV: save it as CSV (File > Save As > "
                             "CSV UTF-8 or CSV) and give that file")
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            candidates = (encoding,)
            break
    else:
        # UTF-8 first: Windows-1251 decodes nearly any bytes, so it can only be the fallback.
        candidates = ("utf-8", "cp1251")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise PlagcheckError(f"{csv_path}: metadata CSV is not UTF-8, UTF-16 or Windows-1251 text: "
                         "save it from Excel as 'CSV UTF-8'")


def _delimiter(header: str, choices: tuple[str, ...] = _DELIMITERS) -> str | None:
    """The delimiter whose split of the header line has a file column (most columns wins)."""
    found = []
    for delimiter in choices:
        names = [_header_name(h) for h in next(csv.reader([header], delimiter=delimiter), [])]
        if "file" in [_FIELD_OF_HEADER.get(n) for n in names]:
            found.append((len(names), delimiter))
    return max(found)[1] if found else None


def read_metadata(csv_path: str | Path) -> MetadataTable:
    """Read a metadata CSV as Excel saves it: separated by ',', ';' or tab, in UTF-8 (with or
    without BOM), UTF-16 or Windows-1251. One column names the file (``file``; header names are
    compared ignoring case and spaces, and the usual Russian and Kazakh ones are understood);
    ``title``, ``author``, ``year``, ``department`` and ``language`` are the corpus' fields; any
    other column is kept as metadata under its header (``supervisor``) and shown in reports.

    Raises :class:`PlagcheckError` (one line naming the CSV) if it cannot be read, has no file
    column or a year that is not a number. Rows naming no file are left out, with a warning in
    the table's ``warnings``."""
    try:
        data = Path(csv_path).read_bytes()
    except OSError as error:
        raise PlagcheckError(f"{csv_path}: cannot read metadata CSV ({error.strerror})") from None
    text = _decode_csv(data, csv_path)
    start = re.match(r"(?:[ \t]*(?:\r\n|\r|\n))*", text).end()  # blank lines before the header
    header = re.match(r"[^\r\n]*", text[start:]).group()
    choices = _DELIMITERS
    if hint := re.fullmatch(r"sep=(.)", header.strip()):  # Excel's own separator line
        choices = (hint.group(1),)
        start = re.match(r"[^\r\n]*(?:\r\n|\r|\n)?", text[start:]).end() + start
        header = re.match(r"[^\r\n]*", text[start:]).group()
    delimiter = _delimiter(header, choices)
    if delimiter is None:
        raise PlagcheckError(f"{csv_path}: metadata CSV needs a 'file' column (the file's name) in its first "
                             f"line, separated by ',' or ';' or tabs, with any of {', '.join(METADATA_FIELDS)}; "
                             f"its first line is {header[:120]!r}")
    lines_before = len(re.findall(r"\r\n|\r|\n", text[:start]))
    reader = csv.reader(io.StringIO(text[start:], newline=""), delimiter=delimiter)
    headers = [h.strip() for h in next(reader)]
    names = [_FIELD_OF_HEADER.get(_header_name(h), _header_name(h)) for h in headers]
    warnings = []
    for column, (name, header) in enumerate(zip(names, headers)):
        if name in _RESERVED:
            warnings.append(f"{csv_path}: column {header!r} left out: plagcheck records the document's {name} itself")
        elif name and name in names[:column]:
            warnings.append(f"{csv_path}: column {header!r} repeats an earlier column; the first one is used")
    rows: dict[str, dict] = {}
    lines: dict[str, int] = {}
    for cells in reader:
        line = lines_before + reader.line_num
        row: dict = {}
        for name, value in zip(names, cells):
            if name and name not in _RESERVED and value.strip() and name not in row:
                row[name] = value.strip()
        if not row:
            continue  # an empty line (Excel writes ';;;;' for rows that once held something)
        file = row.pop("file", "")
        if not file:
            warnings.append(f"{csv_path} line {line}: names no file; row left out")
            continue
        if "year" in row:
            try:
                row["year"] = int(row["year"])
            except ValueError:
                raise PlagcheckError(f"{csv_path} line {line}: year {row['year']!r} of {file} is not a number") from None
        if file in rows:
            warnings.append(f"{csv_path} line {line}: {file} is listed again (line {lines[file]}); this row is used")
        rows[file], lines[file] = row, line
    return MetadataTable(csv_path, rows, warnings, lines)


def metadata_for(path: str | PurePath, table: dict[str, dict]) -> dict:
    """The metadata row for a file. A :class:`MetadataTable` also matches a row written with
    another folder or a Windows path, and records which rows were used and which files had none."""
    if isinstance(table, MetadataTable):
        key = table.find(path)
        if key is None:
            table.unlisted.append(str(path))
            return {}
        table.used.add(key)
        return dict(table[key])
    return dict(table.get(str(path)) or table.get(PurePath(path).name) or {})


def mark_refused(path: str | PurePath, table: dict[str, dict]) -> None:
    """A file given but refused (its type, an unsafe zip member): its row, if any, is not "a row
    that names no file given" — the file's own error line says what happened to it."""
    if isinstance(table, MetadataTable) and (key := table.find(path)) is not None:
        table.used.add(key)


@dataclass(frozen=True)
class PreparedDocument:
    """Everything the store needs to add a document, computed without touching the database
    (so that the costly part can run in worker processes)."""

    document: Document
    content_hash: str
    metadata: dict
    words: int
    passages: list
    keys: object  # numpy array (passages, bands)
    stems: list[str]
    params: IndexParams
    compressed_text: bytes  # compressed here, in the worker, so the single writer does not have to
    file_stamp: tuple[int, int, int] | None = None  # (size, mtime_ns, ctime_ns) of the file, taken before reading it
    prints: tuple | None = None  # (keys, passage index) of its fingerprints (index.document_prints)
    anchors: tuple | None = None  # (keys, passage index) of its translation anchors (index.anchor_prints)
    units: object = None  # its static units for the semantic layer's candidate step (semantic.unit_set), or None


def prepare_document(document: Document, params: IndexParams, metadata: dict | None = None,
                     tokens: Tokens | None = None) -> PreparedDocument:
    """Normalize, shingle and hash a document for the index (pure computation). ``tokens``: the
    document's tokens when the caller already knows them (the scale benchmark's synthetic text)."""
    metadata = dict(metadata or {})
    tokens = tokenize(document.text) if tokens is None else tokens
    if len(tokens) == 0:
        raise ExtractionError(document.path, "empty document: no words found")
    analysis = analyze(tokens, params)
    passages, keys = index_document(analysis, params)
    prints = document_prints(analysis, passages, params)
    if not metadata.get("language"):  # the secretary's language stands; detection is for the rest
        metadata["language"] = detect_language(document.text)
    metadata.setdefault("title", Path(document.path).stem)
    return PreparedDocument(document, content_hash(document.text), metadata, len(tokens), passages, keys,
                            analysis.stems, params, compress_text(document.text), prints=prints,
                            anchors=anchor_prints(document.text, tokens, passages),
                            units=_units(document.text, metadata["language"]))


def _units(text: str, language: str | None):
    """The static units of the semantic layer's candidate step (milliseconds a thesis; no model
    is run), or None without the bundled lexicon (``plagcheck reindex`` adds them later)."""
    from plagcheck.semantic import default_lexicon, unit_set

    lexicon = default_lexicon()
    return (lexicon.name, unit_set(text, lexicon, language)) if lexicon is not None else None


def remove_document(store: Store, doc_id: int) -> None:
    """Delete a corpus document, its text and its index rows; call inside :meth:`Store.transaction`."""
    # The document's bucket and fingerprint keys are recomputed from its text: they say which
    # index rows hold it.
    text = store.document_text(doc_id)
    analysis = analyze(tokenize(text), store.params)
    passages, keys = index_document(analysis, store.params)
    prints, _ = document_prints(analysis, passages, store.params)
    anchors, _ = anchor_prints(text, analysis.tokens, passages)
    store.delete_index_rows(doc_id, keys, analysis.stems, prints=prints, anchors=anchors)
    store.delete_document(doc_id)


def store_prepared(store: Store, prepared: PreparedDocument, replaces: int | None = None,
                   on_added: Callable[[int], None] | None = None) -> AddOutcome:
    """Write a prepared document in one transaction; content already present is a no-op.

    ``replaces``: a document removed in the same transaction (a changed file's old version), so
    that a crash leaves either the old or the new version in the corpus, never neither.
    ``on_added(doc_id)`` runs inside the same transaction when the document was added.
    """
    def write() -> AddOutcome:
        outcome = _write_prepared(store, prepared, replaces)
        if on_added is not None and outcome.status == "added":
            on_added(outcome.doc_id)
        return outcome

    return store.run_transaction(write)


def store_many(store: Store, prepared: Iterable[PreparedDocument], per_transaction: int = 16,
               cache_mb: int = 512) -> Iterator[AddOutcome]:
    """Write documents ``per_transaction`` to a transaction, yielding each outcome once its
    transaction is committed. A crash loses the open transaction's documents, never part of one.
    Each group is gathered before its transaction opens, so the write lock is held only while
    writing, never while documents are being extracted (other writers, e.g. a job worker renewing
    its lease, get in between groups).

    Every document touches index rows all over the file; with many documents to a transaction
    and a page cache of ``cache_mb`` MB, each touched page is written once per transaction rather
    than once per document (at 6,000 theses, 32 to a transaction wrote 2 GB of WAL each time).
    """
    items = iter(prepared)
    with store.bulk_writes(cache_mb):
        while group := list(itertools.islice(items, per_transaction)):
            outcomes = store.run_transaction(lambda: [_write_prepared(store, item) for item in group])
            del group
            yield from outcomes


def _write_prepared(store: Store, prepared: PreparedDocument, replaces: int | None = None) -> AddOutcome:
    document = prepared.document
    store.refresh()  # a full reindex may have swapped in a new generation meanwhile
    if store.params != prepared.params:
        prepared = dataclasses.replace(prepare_document(document, store.params, prepared.metadata),
                                       file_stamp=prepared.file_stamp)
    if replaces is not None:
        remove_document(store, replaces)
    # Checked inside the write lock: another process may have added the same content.
    existing = store.find_by_hash(prepared.content_hash)
    if existing:
        return AddOutcome(document.path, "duplicate", existing.id,
                          f"same content as document {existing.id}, {existing.path}")
    doc_id = store.insert_document(content_hash=prepared.content_hash, path=document.path,
                                   metadata=prepared.metadata, format=document.format, text=document.text,
                                   words=prepared.words, pages=[[p.page, p.start, p.end] for p in document.pages],
                                   compressed=prepared.compressed_text)
    store.insert_index_rows(doc_id, prepared.passages, prepared.keys, prepared.stems, prints=prepared.prints,
                            anchors=prepared.anchors)
    if prepared.units is not None:
        name, units = prepared.units
        store.put_sentence_vectors(doc_id, name, len(units), units.head_bytes(), units.vector_bytes())
    if prepared.file_stamp:
        store.set_file_stamp(doc_id, prepared.file_stamp)
    log.info("added %s as document %d (%d passages)", document.path, doc_id, len(prepared.passages))
    return AddOutcome(document.path, "added", doc_id)


def add_document(store: Store, document: Document, metadata: dict | None = None,
                 on_added: Callable[[int], None] | None = None) -> AddOutcome:
    """Index one extracted document; adding content that is already there is a no-op (the index
    holds each text once). ``on_added(doc_id)``: see :func:`store_prepared`."""
    existing = store.find_by_hash(content_hash(document.text))
    if existing:
        return AddOutcome(document.path, "duplicate", existing.id,
                          f"same content as document {existing.id}, {existing.path}")
    try:
        prepared = prepare_document(document, store.params, metadata)
    except ExtractionError as error:
        return AddOutcome(document.path, "failed", reason=error.reason)
    return store_prepared(store, prepared, on_added=on_added)


def add_file(store: Store, path: str | Path, metadata: dict | None = None) -> AddOutcome:
    """Extract and index one file. Bad files come back as ``failed`` with a one-line reason."""
    try:
        document = extract(path)
    except ExtractionError as error:
        return AddOutcome(str(path), "failed", reason=error.reason)
    return add_document(store, document, metadata)


def file_stamp(path: str | Path) -> tuple[int, int, int] | None:
    """``(size, mtime_ns, ctime_ns)`` of a file, None if it cannot be read (extraction then says
    why). The change time cannot be set back: a file rewritten and given its old modification
    time (``cp -p``, ``rsync -a``, unzip) still shows a new stamp."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns


def _prepare_file(job: tuple[str, dict, IndexParams, bool]) -> PreparedDocument | AddOutcome:
    path, metadata, params, ocr = job
    try:
        stamp = file_stamp(path)
        return dataclasses.replace(prepare_document(extract(path, ocr=ocr), params, metadata), file_stamp=stamp)
    except ExtractionError as error:
        return AddOutcome(str(path), "failed", reason=error.reason)
    except Exception as error:  # a bug or a library crash on one file must not stop the batch
        log.exception("unexpected error on %s", path)
        first_line = (str(error).splitlines() or [""])[0]
        return AddOutcome(str(path), "failed", reason=f"unexpected error: {type(error).__name__}: {first_line}")


def bounded_imap(pool, function: Callable, jobs: Iterable, window: int) -> Iterator:
    """``pool.imap`` with at most ``window`` results waiting: when the workers prepare documents
    faster than the database takes them, ``imap`` would hold every prepared document in memory."""
    from collections import deque

    waiting: deque = deque()
    for job in jobs:
        waiting.append(pool.apply_async(function, (job,)))
        if len(waiting) >= window:
            yield waiting.popleft().get()
    while waiting:
        yield waiting.popleft().get()


def add_files(store: Store, paths: Iterable[str | Path], metadata: dict[str, dict] | None = None,
              progress: Callable[[AddOutcome], None] | None = None, processes: int = 1,
              per_transaction: int = 8, ocr: bool = True) -> list[AddOutcome]:
    """Add many files; one bad file never stops the batch. ``ocr``: as in :func:`~plagcheck.extract.extract`.

    With ``processes > 1``, extraction and hashing run in that many worker processes while this
    process writes to the database (SQLite wants one writer), ``per_transaction`` documents to a
    transaction.
    """
    files = [p for p in iter_files(paths) if p.suffix.lower() not in SIDECAR_SUFFIXES]
    # Stored absolute (not resolved: a symlinked share keeps its name), so that the nightly reindex
    # finds the file from whatever folder it is started in. Metadata rows name files as typed.
    jobs = [(os.path.abspath(p), metadata_for(p, metadata or {}), store.params, ocr) for p in files]
    outcomes = []

    def report(outcome: AddOutcome) -> None:
        outcomes.append(outcome)
        if progress:
            progress(outcome)

    def prepared(items: Iterable[PreparedDocument | AddOutcome]) -> Iterator[PreparedDocument]:
        for item in items:
            if isinstance(item, AddOutcome):  # failed to extract: reported at once
                report(item)
            else:
                yield item

    if processes > 1 and len(jobs) > 1:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            for outcome in store_many(store, prepared(bounded_imap(pool, _prepare_file, jobs, 4 * processes)),
                                      per_transaction):
                report(outcome)
    else:
        for outcome in store_many(store, prepared(map(_prepare_file, jobs)), per_transaction):
            report(outcome)
    return outcomes
