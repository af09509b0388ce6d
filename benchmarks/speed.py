"""Speed and scale benchmark: indexing throughput, check latency, memory, index size, and LSH
candidate recall against a brute-force TF-IDF comparison of all passages, side by side.

    python -m benchmarks.speed                      # 1,000 theses (about 10 minutes here)
    python -m benchmarks.speed --theses 1000 10000  # add the 10,000 point (about 45 minutes)
    python -m benchmarks.speed --tiny               # seconds; the tests run this
    python -m benchmarks.speed --theses 100000 --no-brute-force --workdir W   # hours; W keeps the corpus
    python -m benchmarks.speed --postgres postgresql://USER@/postgres?host=/run/postgresql --theses 10000 --workdir W
        # SQLite and PostgreSQL side by side: check latency, worker throughput, bulk fill (COPY);
        # --parts checks / --parts workers run the two halves apart, --worker-rounds N repeats the curve

Points beyond 10,000 theses are filled by ``bulk_fill`` (the same rows, written in one ordered
pass at the end); brute force runs up to 10,000 theses.

Theses are written by drawing words with their frequencies in the benchmark's real texts (see
``benchmarks/synthetic.py``): realistic vocabulary without accidental reuse between theses. The
indexing-throughput figure goes through real PDFs and ``plagcheck corpus add``; the corpus fill
for the scale points is plain text whose tokens are known from the words drawn, written through
the library's own index and store stages as a bulk load (index size and check latency depend on
the number of passages, not on how they got there). The checked thesis is a 200-page PDF with
five pages copied from five corpus theses, checked by ``plagcheck check`` in a fresh process,
and by ``plagcheck check --server`` through a running ``plagcheck serve``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import text_table, wrap_words

WORDS_PER_PAGE = 300
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _writer(seed: int = 1):
    from benchmarks.detection import load_texts
    from benchmarks.synthetic import WordSampler

    return WordSampler([t.text for t in load_texts()], seed)


def write_pdf(path: Path, text: str) -> int:
    """Typeset text into A4 pages of about WORDS_PER_PAGE words; returns the page count."""
    import pymupdf

    words = text.split()
    pdf = pymupdf.open()
    for first in range(0, len(words), WORDS_PER_PAGE):
        page = pdf.new_page(width=595, height=842)
        page.insert_font(fontname="dv", fontfile=FONT)
        lines = wrap_words(words[first:first + WORDS_PER_PAGE], 95)
        page.insert_text((40, 80), "\n".join(lines), fontname="dv", fontsize=9, lineheight=1.35)
    pdf.save(path)
    return pdf.page_count


def _thesis_words(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, high)


def _sampler(k: int, seed: int):
    """The process's sampler, set to draw synthetic thesis ``k`` (the same in any process)."""
    from benchmarks.synthetic import IndexReadySampler

    global _SAMPLER
    if "_SAMPLER" not in globals():
        _SAMPLER = IndexReadySampler(_writer(seed))
    _SAMPLER.rng = np.random.default_rng(seed * 1_000_003 + k)
    return _SAMPLER


def _synthetic_thesis(k: int, words: int, seed: int):
    """``(text, tokens)`` of synthetic thesis ``k``."""
    return _sampler(k, seed).thesis_tokens(words)


def _synthetic_identity(k: int) -> tuple[str, dict]:
    """The path and metadata synthetic thesis ``k`` is filed under."""
    return f"synthetic/thesis-{k:06d}.txt", {"title": f"Synthetic thesis {k}", "language": "mixed"}


def _prepare_generated(job):
    """Worker: write thesis ``k`` and prepare it for the index, its tokens known from the words
    drawn (see ``IndexReadySampler``), so that no time goes on tokenizing text the benchmark wrote."""
    k, words, seed, params = job
    from plagcheck.ingest import prepare_document
    from plagcheck.models import Document

    text, tokens = _synthetic_thesis(k, words, seed)
    path, metadata = _synthetic_identity(k)
    return prepare_document(Document(path=path, format="txt", text=text), params, metadata, tokens=tokens)


def fill_corpus(store, start: int, stop: int, low: int, high: int, seed: int, processes: int,
                per_transaction: int = 500) -> float:
    """Add synthetic theses ``start..stop`` (plain text) as a bulk load; returns the seconds it took."""
    import multiprocessing

    from plagcheck.ingest import bounded_imap, store_many

    rng = random.Random(seed + start)
    jobs = [(k, _thesis_words(rng, low, high), seed, store.params) for k in range(start, stop)]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        prepared = bounded_imap(pool, _prepare_generated, jobs, 4 * processes)
        for done, _ in enumerate(store_many(store, prepared, per_transaction, cache_mb=3072), start + 1):
            if done % 1000 == 0:
                print(f"  filled {done} theses, {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return time.perf_counter() - started


def _bulk_generated(job):
    """Worker: synthetic thesis ``k`` as the bulk fill stores it. The same text, passages and keys
    as :func:`_prepare_generated` (a test checks it), but each word's stem and hash are looked up
    in the vocabulary's table instead of computed word by word, and the text is compressed at
    zlib level 1: a thesis costs about a third as much."""
    import zlib

    from plagcheck.index import Analysis, anchor_prints, content_hash, document_prints, index_document
    from plagcheck.passages import shingles_of

    k, words, seed, params = job
    sampler = _sampler(k, seed)
    drawn = sampler.draw(words)
    text, tokens = sampler.thesis_drawn(drawn)
    stem_of, hashes, names = sampler.stem_table(params.stem_prefix)
    stem_ids = stem_of[drawn]
    analysis = Analysis(tokens, [names[i] for i in stem_ids.tolist()],
                        shingles_of(hashes[stem_ids], params.shingle_size))
    passages, keys = index_document(analysis, params)
    prints = document_prints(analysis, passages, params)
    return (k, text, content_hash(text), zlib.compress(text.encode(), 1), len(tokens), passages, keys,
            np.unique(stem_ids), prints, anchor_prints(text, tokens, passages))


_SPILL = np.dtype([("key", "<i8"), ("passage", "<u4")])
_SPILL_PART_BITS = 4  # entries spilled to 2**4 files by the leading bits of their key


def bulk_fill(store, start: int, stop: int, low: int, high: int, seed: int, processes: int, spill: Path,
              per_transaction: int = 500) -> float:
    """Add synthetic theses ``start..stop`` as :func:`fill_corpus` does, for a scale it cannot reach.

    Documents, texts and passage spans are written as they come; their bucket and fingerprint
    entries are spilled to files by key range and filed at the end, one range at a time, so each
    index row is written once instead of once per transaction. Term frequencies are summed in
    memory and written once.
    A run killed before the end leaves documents without index entries: start from a copy.
    """
    import multiprocessing

    from plagcheck.ingest import bounded_imap
    from plagcheck.lsh import KEY_BITS
    from plagcheck.store import ANCHORS, BUCKETS, PRINTS, entry_passage_ids

    rng = random.Random(seed + start)
    jobs = [(k, _thesis_words(rng, low, high), seed, store.params) for k in range(start, stop)]
    spill.mkdir(parents=True, exist_ok=True)
    tables = store.packed_tables
    parts = {(table, i): open(spill / f"{table}-{i:02d}.bin", "wb") for table in tables
             for i in range(2**_SPILL_PART_BITS)}
    _, _, names = _sampler(0, seed).stem_table(store.params.stem_prefix)
    document_frequency = np.zeros(len(names), dtype=np.int64)
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        generated = bounded_imap(pool, _bulk_generated, jobs, 4 * processes)
        done = start
        while group := [item for _, item in zip(range(per_transaction), generated)]:
            with store.transaction():
                for k, text, digest, compressed, words, passages, keys, stem_ids, prints, anchors in group:
                    path, metadata = _synthetic_identity(k)
                    doc_id = store.insert_document(content_hash=digest, path=path, format="txt", text=text,
                                                   metadata=metadata, words=words, pages=None, compressed=compressed)
                    first = store.register_passages(doc_id, passages)
                    filed = {BUCKETS: (keys.reshape(-1), entry_passage_ids(first, keys)),
                             PRINTS: (prints[0], first + prints[1]), ANCHORS: (anchors[0], first + anchors[1])}
                    for table in tables:
                        entries = np.empty(len(filed[table][0]), _SPILL)
                        entries["key"], entries["passage"] = filed[table]
                        part = entries["key"] >> (KEY_BITS - _SPILL_PART_BITS)
                        for i in np.unique(part).tolist():
                            entries[part == i].tofile(parts[table, i])
                    document_frequency[stem_ids] += 1
            done += len(group)
            if done % 5000 < per_transaction:
                print(f"  generated {done} theses, {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    for (table, i), handle in parts.items():
        handle.close()
        entries = np.fromfile(spill / f"{table}-{i:02d}.bin", _SPILL)
        with store.transaction():
            store.append_bucket_entries(entries["key"], entries["passage"], table=table)
        (spill / f"{table}-{i:02d}.bin").unlink()
        print(f"  filed {table} key range {i + 1}/{2**_SPILL_PART_BITS}, {time.perf_counter() - started:.0f} s",
              file=sys.stderr, flush=True)
    with store.transaction():
        store.count_terms({names[i]: int(document_frequency[i]) for i in np.flatnonzero(document_frequency).tolist()})
    return time.perf_counter() - started


def pdf_throughput(folder: Path, count: int, pages: int, seed: int, processes: int) -> dict:
    """Index ``count`` PDF theses end to end; also time PyMuPDF extraction alone on the same files."""
    import pymupdf

    writer = _writer(seed + 99)
    for old in folder.glob("pdf.db*"):  # a kept workdir: index the PDFs afresh
        old.unlink()
    pdf_dir = folder / "pdf"
    pdf_dir.mkdir(exist_ok=True)
    total_pages = 0
    for k in range(count):
        total_pages += write_pdf(pdf_dir / f"thesis-{k:03d}.pdf", writer.thesis(pages * WORDS_PER_PAGE))
    started = time.perf_counter()
    for path in sorted(pdf_dir.glob("*.pdf")):
        with pymupdf.open(path) as pdf:
            for page in pdf:
                page.get_text()
    extract_only = time.perf_counter() - started
    # `plagcheck corpus add` in a fresh process, as a secretary would run it (-j: one worker per core).
    elapsed, rss, _ = peak_rss_of(["corpus", "add", str(pdf_dir), "--db", str(folder / "pdf.db"), "-j", str(processes)])
    from plagcheck.store import Store

    with Store(folder / "pdf.db") as store:
        assert store.document_count() == count, "some PDF theses were not added"
    return {"pdf_theses": count, "pdf_pages": total_pages, "index_seconds": round(elapsed, 2),
            "pages_per_second": round(total_pages / elapsed, 1),
            "theses_per_minute": round(60 * count / elapsed, 1), "index_peak_rss_mb": round(rss, 1),
            "pymupdf_extract_pages_per_second": round(total_pages / extract_only, 1)}


def make_query_thesis(folder: Path, store, seed: int, pages: int = 200) -> tuple[Path, list[int]]:
    """A 200-page PDF thesis of new text with one page copied from each of five corpus theses."""
    writer = _writer(seed + 7)
    rng = random.Random(seed)
    docs = store.documents()
    sources = rng.sample(docs, min(5, len(docs)))
    own = writer.thesis(pages * WORDS_PER_PAGE - WORDS_PER_PAGE * len(sources)).split("\n")
    parts = list(own)
    for k, source in enumerate(sources):
        words = store.document_text(source.id).split()
        first = rng.randrange(0, max(1, len(words) - WORDS_PER_PAGE))
        parts.insert((k + 1) * len(parts) // (len(sources) + 1), " ".join(words[first:first + WORDS_PER_PAGE]))
    path = folder / "query-thesis.pdf"
    write_pdf(path, "\n".join(parts))
    return path, [s.id for s in sources]


_PEAK_RSS_PROBE = (
    "import atexit, sys\n"
    "def report():\n"
    "    peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
    "    sys.stderr.write(f'PEAK_RSS_KB {peak}\\n')\n"
    "atexit.register(report)\n"
    "from plagcheck.cli import cli\n"
    "cli(sys.argv[1:], prog_name='plagcheck')\n")


def peak_rss_of(args: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and stdout of ``plagcheck ARGS`` in a fresh process.

    The peak is the child's own VmHWM, read as it exits: ``ru_maxrss`` of a forked child still
    carries the parent's high-water mark, which here is the whole corpus build.
    """
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _PEAK_RSS_PROBE, *args], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    peak_kb = int(proc.stderr.rsplit("PEAK_RSS_KB", 1)[1].split()[0])
    return wall, peak_kb / 1024, proc.stdout


@contextlib.contextmanager
def check_service(db, workdir: Path, name: str = "check"):
    """A resident ``plagcheck serve`` on ``db`` for the block; yields ``(socket path, its process)``."""
    socket_path = workdir / f"{name}.sock"
    log_path = workdir / f"{name}-serve.log"
    with open(log_path, "w") as log:
        service = subprocess.Popen([sys.executable, "-m", "plagcheck", "-v", "serve", "--db", str(db),
                                    "--socket", str(socket_path)], stderr=log)
    try:
        deadline = time.monotonic() + 300
        while "check service listening" not in log_path.read_text():
            if service.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"plagcheck serve did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.2)
        yield socket_path, service
    finally:
        service.terminate()
        service.wait(timeout=60)


def _peak_rss_mb(process: subprocess.Popen) -> float:
    status = Path(f"/proc/{process.pid}/status").read_text()
    return round(int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1]) / 1024, 1)


def served_checks(db: Path, thesis: Path, workdir: Path, runs: int, options: tuple[str, ...] = ()) -> dict:
    """Check ``thesis`` through a resident ``plagcheck serve`` on ``db``: the wall time of
    ``plagcheck check --server`` in a fresh client process (median of ``runs``, after one warm-up
    request), and the service's own peak RSS."""
    with check_service(db, workdir) as (socket_path, service):
        args = ["check", str(thesis), "--server", str(socket_path), "--format", "json", "--no-semantic", *options]
        peak_rss_of(args)  # warm-up: the service's first request reads the index pages from disk
        walls = sorted(peak_rss_of(args)[0] for _ in range(runs))
        service_mb = _peak_rss_mb(service)
    return {"served_check_seconds": round(walls[len(walls) // 2], 2), "served_check_runs": [round(w, 2) for w in walls],
            "service_peak_rss_mb": service_mb}


def index_bytes(store) -> dict:
    """Database size, the part of it that is compressed document text, and the pages of the
    LSH bucket, fingerprint and anchor tables (None where the backend cannot tell them apart)."""
    tables = {}
    for name, size in store.space_used().items():
        kind = name.split("_g")[0]
        tables[kind] = tables.get(kind, 0) + size
    return {"db_bytes": store.database_bytes(), "text_bytes": store.text_bytes(),
            "bucket_bytes": tables.get("buckets") if tables else None,
            "print_bytes": tables.get("prints", 0) if tables else None,
            "anchor_bytes": tables.get("anchors", 0) if tables else None}


def _corpus_term_ids(store, doc, seed: int, vocabulary: dict[str, int]) -> np.ndarray:
    """Term ids (in ``vocabulary``, extended as needed) of a corpus thesis's stems. A synthetic
    thesis's words are drawn again from its seed (they are its tokens, as the fill used them);
    anything else is tokenized from its stored text."""
    from plagcheck.index import analyze
    from plagcheck.normalize import tokenize

    if doc.path.startswith("synthetic/thesis-"):
        sampler = _sampler(int(doc.path.rsplit("-", 1)[1].split(".")[0]), seed)
        if getattr(sampler, "term_ids", (None, None))[0] is not vocabulary:  # ids of this vocabulary
            prefix = store.params.stem_prefix
            sampler.term_ids = (vocabulary, np.array([vocabulary.setdefault(w[:prefix], len(vocabulary))
                                                      for w in sampler.folded]))
        return sampler.term_ids[1][sampler.draw(doc.words)]
    stems = analyze(tokenize(store.document_text(doc.id)), store.params).stems
    return np.array([vocabulary.setdefault(t, len(vocabulary)) for t in stems], np.int64)


def _tfidf_rows(rows: list[np.ndarray], idf: np.ndarray, width: int):
    """TF-IDF rows from term-id arrays, weighted by the rescoring stage's own :func:`weigh` (so
    that both sides agree on every cosine)."""
    from scipy import sparse

    from plagcheck.rescore import weigh

    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])])
    indices = np.concatenate(rows).astype(np.int32, copy=False) if rows else np.empty(0, np.int32)
    counts = sparse.csr_matrix((np.ones(len(indices), np.float32), indices, indptr), shape=(len(rows), width))
    counts.sum_duplicates()
    return weigh(counts, idf).astype(np.float32)


def brute_force_recall(store, thesis: Path, seed: int, window_every: int = 1) -> dict:
    """LSH candidate recall against scikit-learn alone, on the same windows and passages.

    Brute force, what a user would do with scikit-learn alone: TF-IDF rows of every corpus passage
    (built once, like an index, and timed apart) and of the full-size windows of the checked
    thesis, every pair's cosine by sparse matrix products, pairs at or above the rescoring
    threshold kept. With ``window_every`` > 1 only every n-th window is compared (all of them at
    10,000 theses would take hours) and the brute-force time is scaled up to all windows, which
    is fair: its cost is linear in the number of windows. LSH: the (window, passage) pairs the
    check's LSH and rescoring stages keep, timed for the whole thesis. Recall is over the brute
    force's pairs: one counts as found when LSH kept its passage with a window overlapping its
    window (the same place in the thesis); over passages alone it is reported too.
    """
    from plagcheck.check import _rescore, _SourceTexts, passage_stems
    from plagcheck.extract import extract
    from plagcheck.index import analyze, candidates
    from plagcheck.normalize import tokenize
    from plagcheck.passages import query_windows
    from plagcheck.rescore import corpus_idf
    from plagcheck.settings import Settings

    settings = Settings(index=store.params)
    params = store.params
    analysis = analyze(tokenize(extract(thesis).text), params)

    started = time.perf_counter()
    windows, pairs = candidates(store, analysis, settings.query_stride)
    passages = store.passages({p for ids in pairs.values() for p in ids})
    stems = passage_stems(_SourceTexts(store), passages, params.stem_prefix)
    kept = _rescore(store, analysis, windows, pairs, passages, stems, settings)
    lsh_seconds = time.perf_counter() - started

    full = query_windows(analysis.tokens, params.passage_words, settings.query_stride)
    sample = full[::window_every]
    kept_at: dict[int, list[tuple[int, int]]] = {}  # passage -> word ranges of the windows LSH paired it with
    for found in kept.values():
        for w, pid in found:
            kept_at.setdefault(pid, []).append((windows[w].first_word, windows[w].first_word + windows[w].words))

    # The corpus is taken a slice of documents at a time (all of it at once is 20+ GB of matrix at
    # 10,000 theses); building each slice's TF-IDF rows is the "index" time, the products the query.
    vocabulary: dict[str, int] = {}
    query_rows = [np.array([vocabulary.setdefault(t, len(vocabulary)) for t in analysis.stems[w.first_word:w.first_word + w.words]],
                           np.int32) for w in sample]
    n = store.document_count()
    idf = np.empty(0)  # of the terms of ``vocabulary`` so far, in its order
    build_seconds = query_seconds = 0.0
    truth = set()
    documents = store.documents()
    for lo in range(0, len(documents), 250):
        started = time.perf_counter()
        rows, row_passage = [], []
        for doc in documents[lo:lo + 250]:
            ids = _corpus_term_ids(store, doc, seed, vocabulary)
            for p in store.document_passages(doc.id):
                rows.append(ids[p.first_word:p.first_word + p.words])
                row_passage.append(p.id)
        terms = list(vocabulary)
        idf = np.concatenate([idf, corpus_idf(terms[len(idf):], store.document_frequencies, n)])
        corpus_t = _tfidf_rows(rows, idf, len(terms)).T.tocsr()
        row_passage = np.array(row_passage)
        del rows
        build_seconds += time.perf_counter() - started
        started = time.perf_counter()
        queries = _tfidf_rows(query_rows, idf, len(terms))
        for q in range(0, queries.shape[0], 512):
            product = (queries[q:q + 512] @ corpus_t).tocoo()
            hit = product.data >= settings.min_tfidf_cosine
            truth.update(zip((sample[q + i].first_word for i in product.row[hit].tolist()),
                             row_passage[product.col[hit]].tolist()))
        query_seconds += time.perf_counter() - started
    brute_seconds = query_seconds * len(full) / len(sample)
    # A pair is found when LSH paired the passage with the same place of the thesis (a window
    # overlapping this one): the alignment then grows the match over the whole copied stretch.
    size = params.passage_words
    found = {(first, pid) for first, pid in truth
             if any(a < first + size and first < b for a, b in kept_at.get(pid, ()))}
    recall = len(found) / len(truth) if truth else 1.0
    truth_passages = {pid for _, pid in truth}
    return {"brute_force_pairs": len(truth), "lsh_pairs": len(found),
            "lsh_recall": round(recall, 4),
            "lsh_passage_recall": round(len(truth_passages & set(kept_at)) / len(truth_passages), 4) if truth else 1.0,
            "lsh_seconds": round(lsh_seconds, 2),
            "brute_force_build_seconds": round(build_seconds, 1),
            "brute_force_seconds": round(brute_seconds, 2), "brute_force_window_every": window_every,
            "speedup": round(brute_seconds / lsh_seconds, 1) if lsh_seconds else None}


def run(theses_points: list[int], *, pdf_theses: int, pdf_pages: int, low: int, high: int, seed: int,
        processes: int, brute_force: bool, workdir: Path | None = None, check_runs: int = 3,
        bulk_above: int = 10_000, brute_force_up_to: int = 10_000) -> dict:
    from plagcheck.store import Store

    tmp = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory()
        workdir = Path(tmp.name)
    workdir.mkdir(parents=True, exist_ok=True)
    report = {"machine": f"{os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
              "throughput": pdf_throughput(workdir, pdf_theses, pdf_pages, seed, processes), "points": []}
    db = workdir / "scale.db"
    fill_seconds = 0.0
    with Store(db) as store:
        filled = first = store.document_count()  # a kept workdir is filled on from where it stopped
        for target in sorted(t for t in theses_points if t >= filled):
            fill = fill_corpus if target <= bulk_above else functools.partial(bulk_fill, spill=workdir / "spill")
            fill_seconds += fill(store, filled, target, low, high, seed, processes)
            filled = target
            thesis, sources = make_query_thesis(workdir, store, seed)
            # A fresh process, as a user would run it: wall time includes start-up, imports and
            # extraction. The machine's speed wanders by tens of percent: the median of a few runs.
            # the lexical check (--no-semantic): the semantic layer is measured by semantic_speed.py
            runs = sorted((peak_rss_of(["check", str(thesis), "--db", str(db), "--format", "json", "--no-semantic"])
                           for _ in range(check_runs)), key=lambda r: r[0])
            wall, rss, out = runs[len(runs) // 2]
            result = json.loads(out)
            found = {s["id"] for s in result["sources"]}
            sizes = index_bytes(store)
            pages = store.total_words() / WORDS_PER_PAGE
            index_bytes_ = sizes["db_bytes"] - sizes["text_bytes"]
            point = {"theses": target, "fill_seconds": round(fill_seconds, 1),
                     "theses_per_minute_fill": round(60 * (target - first) / fill_seconds, 1) if fill_seconds else None,
                     "passages": store.state().passages,
                     "check_seconds": round(wall, 2), "check_peak_rss_mb": round(max(r[1] for r in runs), 1),
                     "check_stages_seconds": round(sum(result["timings"].values()), 2),
                     "check_timings": result["timings"],
                     "copied_sources_found": f"{len(set(sources) & found)}/{len(sources)}",
                     "false_sources": len(found - set(sources)),
                     "db_mb": round(sizes["db_bytes"] / 2**20, 1),
                     "index_kb_per_thesis": round(index_bytes_ / target / 1024, 1),
                     "buckets_kb_per_thesis": _kb(sizes["bucket_bytes"], target),
                     "prints_kb_per_thesis": _kb(sizes["print_bytes"], target),
                     "anchors_kb_per_thesis": _kb(sizes["anchor_bytes"], target),
                     "check_short_seconds": result["timings"].get("short", 0.0),
                     "index_kb_per_200_pages": round(index_bytes_ / pages * 200 / 1024, 1),
                     "text_kb_per_thesis": round(sizes["text_bytes"] / target / 1024, 1)}
            point.update(served_checks(db, thesis, workdir, check_runs))
            print(json.dumps(point), file=sys.stderr, flush=True)
            if brute_force and target <= brute_force_up_to:
                # Every window up to 250 theses; beyond, a sample (brute force is that slow).
                point.update(brute_force_recall(store, thesis, seed, window_every=min(16, max(1, target // 250))))
            report["points"].append(point)
            print(json.dumps(point), file=sys.stderr, flush=True)
    if tmp:
        tmp.cleanup()
    return report


def worker_throughput(db: str, folder: Path, reports: Path, processes: int) -> float:
    """Theses a minute that ``plagcheck worker --once -j processes`` checks from a queue holding
    ``folder``'s theses (start-up included: it is what a run of the worker costs)."""
    from plagcheck.store import Store

    Store(db).close()
    submitted = subprocess.run([sys.executable, "-m", "plagcheck", "submit", str(folder), "--db", db],
                               capture_output=True, text=True)
    if submitted.returncode != 0:
        raise RuntimeError(submitted.stderr[-2000:])
    started = time.perf_counter()
    ran = subprocess.run([sys.executable, "-m", "plagcheck", "worker", "--once", "-j", str(processes), "--db", db,
                          "--reports", str(reports), "--no-semantic", "--no-ocr"], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if ran.returncode != 0:
        raise RuntimeError(ran.stderr[-2000:])
    count = len(list(folder.glob("*.txt")))
    return round(60 * count / wall, 1)


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 2)


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def _postgres_copy(server: str, db: Path, workdir: Path, theses: int, pages: float) -> tuple[str, dict]:
    """The corpus of ``db`` copied into PostgreSQL by ``plagcheck db migrate`` (COPY), with the
    copy's figures. A copy a kept ``workdir`` made before, complete, is used again (its figures
    were kept beside it): a 10,000-thesis copy takes long."""
    from plagcheck.errors import StoreError
    from plagcheck.storage.migrate import MIGRATED_FROM, migrate
    from plagcheck.storage.postgresql import fresh_database
    from plagcheck.store import Store

    name, kept = "plagcheck_bench_corpus", workdir / "postgres-copy.json"
    if kept.exists():
        figures = json.loads(kept.read_text())
        try:
            with Store(db) as source, Store(figures["url"], create=False) as target:
                if (target.meta(MIGRATED_FROM) == source.location and target.document_count() == theses
                        and target.state().passages == source.state().passages):
                    print(f"  using the PostgreSQL copy of {kept}", file=sys.stderr, flush=True)
                    return figures["url"], figures["copy"]
        except StoreError:
            pass
    url = fresh_database(server, name)
    load = _load()
    started = time.perf_counter()
    with Store(db) as source, Store(url, source.params) as target:
        copied = migrate(source, target, batch=2000)
        database_mb = round(target.database_bytes() / 2**20)
    seconds = time.perf_counter() - started
    copy = {"seconds": round(seconds, 1), "rows_per_second": round(sum(copied.copied.values()) / seconds),
            "theses_per_minute": round(60 * theses / seconds), "pages_per_second": round(pages / seconds),
            "database_mb": database_mb, "load": [load, _load()]}
    kept.write_text(json.dumps({"url": url, "copy": copy}))
    return url, copy


def run_backends(server: str, theses: int, *, low: int, high: int, seed: int, processes: int, check_runs: int,
                 worker_theses: int, worker_rounds: int = 1, workdir: Path | None = None,
                 parts: tuple[str, ...] = ("checks", "workers")) -> dict:
    """SQLite and PostgreSQL side by side on one machine: the same corpus of ``theses`` synthetic
    theses (filled into SQLite, copied into PostgreSQL by ``plagcheck db migrate``, i.e. COPY),
    the same 200-page thesis checked in a fresh process and through a served check on each, and
    the worker's throughput with 1, 2 and 4 processes on PostgreSQL against 1 on SQLite.
    The two backends' runs alternate (the machine's load then weighs on both alike); figures are
    medians, with the load average (1 min) before and after each part. ``parts``: "checks" (the
    corpus, its copy and the checks) and/or "workers" (the worker throughput, which needs no
    corpus): on a busy machine they can run apart."""
    tmp = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory()
        workdir = Path(tmp.name)
    workdir.mkdir(parents=True, exist_ok=True)
    report = {"machine": f"{os.cpu_count()} cores, "
                         f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB", "theses": theses}
    if "checks" in parts:
        report.update(_backend_checks(server, theses, low=low, high=high, seed=seed, processes=processes,
                                      check_runs=check_runs, workdir=workdir))
    if "workers" in parts:
        report.update(_worker_curve(server, workdir, seed, worker_theses, worker_rounds))
    if tmp:
        tmp.cleanup()
    return report


def _backend_checks(server: str, theses: int, *, low: int, high: int, seed: int, processes: int, check_runs: int,
                    workdir: Path) -> dict:
    from plagcheck.store import Store

    report: dict = {}
    db = workdir / "backends.db"
    with Store(db) as store:
        if (filled := store.document_count()) < theses:
            # beyond a few thousand theses the bulk fill (the same rows; see bulk_fill)
            fill = fill_corpus if theses <= 2000 else functools.partial(bulk_fill, spill=workdir / "spill")
            report["sqlite_fill_seconds"] = round(fill(store, filled, theses, low, high, seed, processes), 1)
        thesis, sources = make_query_thesis(workdir, store, seed)
        pages = store.total_words() / WORDS_PER_PAGE
        report["sqlite_mb"] = round(store.database_bytes() / 2**20)
        report["passages"] = store.state().passages
    url, report["postgres_copy"] = _postgres_copy(server, db, workdir, theses, pages)
    print(json.dumps(report["postgres_copy"]), file=sys.stderr, flush=True)

    backends = {"sqlite": str(db), "postgresql": url}
    walls: dict[str, dict[str, list[float]]] = {name: {"fresh": [], "served": []} for name in backends}
    found: dict[str, str] = {}
    with contextlib.ExitStack() as stack:
        services = {name: stack.enter_context(check_service(database, workdir, name)) for name, database in backends.items()}
        served_args = {name: ["check", str(thesis), "--server", str(socket_path), "--format", "json", "--no-semantic"]
                       for name, (socket_path, _) in services.items()}
        load = _load()
        for name in backends:  # warm-up: each service's first request reads the index pages from disk
            peak_rss_of(served_args[name])
        for _ in range(check_runs):
            for name, database in backends.items():
                wall, _, out = peak_rss_of(["check", str(thesis), "--db", database, "--format", "json", "--no-semantic"])
                walls[name]["fresh"].append(wall)
                found[name] = f"{len(set(sources) & {s['id'] for s in json.loads(out)['sources']})}/{len(sources)}"
                walls[name]["served"].append(peak_rss_of(served_args[name])[0])
        for name in backends:
            report[f"{name}_check"] = {"fresh_seconds": _median(walls[name]["fresh"]),
                                       "served_seconds": _median(walls[name]["served"]),
                                       "fresh_runs": [round(w, 2) for w in walls[name]["fresh"]],
                                       "served_runs": [round(w, 2) for w in walls[name]["served"]],
                                       "service_peak_rss_mb": _peak_rss_mb(services[name][1]),
                                       "copied_sources_found": found[name]}
        report["check_load"] = [load, _load()]
    print(json.dumps({name: report[f"{name}_check"] for name in backends}), file=sys.stderr, flush=True)
    report["served_ratio"] = round(report["postgresql_check"]["served_seconds"] / report["sqlite_check"]["served_seconds"],
                                   2)
    report["fresh_ratio"] = round(report["postgresql_check"]["fresh_seconds"] / report["sqlite_check"]["fresh_seconds"], 2)
    return report


def _worker_curve(server: str, workdir: Path, seed: int, worker_theses: int, worker_rounds: int) -> dict:
    from plagcheck.storage.postgresql import fresh_database

    report: dict = {}
    queue = workdir / "queue"
    queue.mkdir(exist_ok=True)
    writer = _writer(seed + 3)
    for k in range(worker_theses):
        (queue / f"thesis-{k:03d}.txt").write_text(writer.thesis(10 * WORDS_PER_PAGE), encoding="utf-8")
    rates: dict[str, list[float]] = {}
    load = _load()
    for _ in range(worker_rounds):  # each round: every configuration once, on a fresh queue
        rates.setdefault("sqlite x1", []).append(
            worker_throughput(str(workdir / f"queue-{time.time_ns()}.db"), queue, workdir / "reports-sqlite", 1))
        for count in (1, 2, 4):
            database = fresh_database(server, f"plagcheck_bench_queue{count}")
            rates.setdefault(f"postgresql x{count}", []).append(
                worker_throughput(database, queue, workdir / f"reports-pg{count}", count))
        print(json.dumps(rates), file=sys.stderr, flush=True)
    report["worker_theses_per_minute"] = {name: _median(values) for name, values in rates.items()}
    report["worker_runs"] = rates
    report["worker_load"] = [load, _load()]
    report["worker_theses"] = worker_theses
    return report


def format_backends(report: dict) -> str:
    lines = [f"machine: {report['machine']}"]
    if "postgres_copy" in report:
        c = report["postgres_copy"]
        lines += [f"corpus: {report['theses']} theses, {report['passages']} passages, SQLite {report['sqlite_mb']} MB"
                  + (f" (filled in {report['sqlite_fill_seconds']} s)" if "sqlite_fill_seconds" in report else ""),
                  f"bulk fill into PostgreSQL (plagcheck db migrate, COPY): {c['theses_per_minute']} theses/min, "
                  f"{c['pages_per_second']} pages/s, {c['rows_per_second']} rows/s ({c['seconds']} s, "
                  f"{c.get('database_mb', '?')} MB; load {c.get('load')})", ""]
        header = ["backend", "check 200 p. fresh (s)", "check 200 p. served (s)", "service RSS (MB)", "copied found"]
        rows = [[name, report[f"{name}_check"]["fresh_seconds"], report[f"{name}_check"]["served_seconds"],
                 report[f"{name}_check"]["service_peak_rss_mb"], report[f"{name}_check"]["copied_sources_found"]]
                for name in ("sqlite", "postgresql")]
        lines += text_table(header, rows, " | ")
        lines += ["", f"PostgreSQL / SQLite: served {report['served_ratio']}x, fresh {report['fresh_ratio']}x "
                  f"(load {report['check_load']})"]
    if "worker_theses_per_minute" in report:
        lines += ["", f"worker throughput ({report['worker_theses']} theses of 10 pages, --no-semantic, start-up "
                  f"included; load {report['worker_load']}):"]
        lines += text_table(["workers", "theses/min (median)", "runs"],
                            [[k, v, report["worker_runs"][k]] for k, v in report["worker_theses_per_minute"].items()],
                            " | ")
    return "\n".join(lines)


def _kb(size: int | None, theses: int) -> float | None:
    return None if size is None else round(size / theses / 1024, 1)


def format_report(report: dict) -> str:
    t = report["throughput"]
    lines = [f"machine: {report['machine']}",
             f"indexing (plagcheck corpus add -j, PDF end to end, {t['pdf_theses']} theses, {t['pdf_pages']} pages): "
             f"{t['pages_per_second']} pages/s, {t['theses_per_minute']} theses/min, peak RSS {t['index_peak_rss_mb']} MB "
             f"(PyMuPDF text extraction alone: {t['pymupdf_extract_pages_per_second']} pages/s)", ""]
    header = ["theses", "passages", "fill theses/min", "check 200 p. (s)", "served (s)", "check stages (s)",
              "short stage (s)", "check RSS (MB)", "service RSS (MB)",
              "index KB/thesis", "buckets KB/thesis", "prints KB/thesis", "anchors KB/thesis", "index KB/200 p.",
              "text KB/thesis",
              "DB MB", "LSH recall", "LSH s", "brute s", "speedup", "copied found", "false sources"]
    rows = [[p["theses"], p["passages"], p["theses_per_minute_fill"], p["check_seconds"], p["served_check_seconds"],
             p["check_stages_seconds"], p.get("check_short_seconds", "-"), p["check_peak_rss_mb"], p["service_peak_rss_mb"],
             p["index_kb_per_thesis"], p.get("buckets_kb_per_thesis", "-"), p.get("prints_kb_per_thesis", "-"),
             p.get("anchors_kb_per_thesis", "-"),
             p["index_kb_per_200_pages"], p["text_kb_per_thesis"],
             p["db_mb"], p.get("lsh_recall", "-"), p.get("lsh_seconds", "-"),
             f"{p['brute_force_seconds']} (1/{p['brute_force_window_every']})" if "brute_force_seconds" in p else "-",
             p.get("speedup", "-"), p["copied_sources_found"], p["false_sources"]]
            for p in report["points"]]
    lines += text_table(header, rows, " | ")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--theses", type=int, nargs="+", default=[1000])
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--no-brute-force", action="store_true")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--postgres", metavar="URL",
                        help="a PostgreSQL server (a database URL; the benchmark makes its own databases there): "
                             "SQLite and PostgreSQL side by side at the first --theses point")
    parser.add_argument("--worker-theses", type=int, default=40)
    parser.add_argument("--worker-rounds", type=int, default=1, help="with --postgres: runs of each worker count")
    parser.add_argument("--parts", nargs="+", choices=["checks", "workers"], default=["checks", "workers"],
                        help="with --postgres: the corpus, its copy and the checks; the worker throughput")
    args = parser.parse_args(argv)
    from benchmarks.detection import seed_texts_note

    if note := seed_texts_note():  # the thesis writer's word frequencies come from fewer texts
        print(note, file=sys.stderr)
    if args.postgres:
        tiny = dict(low=1500, high=3000, check_runs=1) if args.tiny else dict(low=20_000, high=60_000, check_runs=3)
        report = run_backends(args.postgres, 6 if args.tiny else args.theses[0], seed=args.seed,
                              processes=1 if args.tiny else args.processes,
                              worker_theses=4 if args.tiny else args.worker_theses, worker_rounds=args.worker_rounds,
                              workdir=args.workdir, parts=tuple(args.parts), **tiny)
        print(format_backends(report))
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
        return 0
    if args.tiny:
        report = run([6], pdf_theses=2, pdf_pages=3, low=1500, high=3000, seed=args.seed, processes=1, check_runs=1,
                     brute_force=True, workdir=args.workdir)
    else:
        report = run(args.theses, pdf_theses=20, pdf_pages=60, low=20_000, high=60_000, seed=args.seed,
                     processes=args.processes, brute_force=not args.no_brute_force, workdir=args.workdir)
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
