"""Detection benchmark in the spirit of the PAN plagiarism corpora, on real kk/ru/en text.

Generates, from the texts in ``benchmarks/texts/{kk,ru,en}`` and ``corpus/texts/{kk,ru,en}``
(and the seed texts in ``../shared/eval/texts`` when present; a run without them says so), a
corpus of source documents and a set of suspicious documents: original text with passages
inserted from sources, each document under one obfuscation (none, light edits, homoglyphs,
zero-width characters, PDF round-trip), documents with single copied sentences of 8-25 words
(short), plus negative documents with no reuse. Sources are indexed with plagcheck, every
suspicious document is checked, and PAN's measures are printed overall and per obfuscation.

    python -m benchmarks.detection              # full run (a few minutes)
    python -m benchmarks.detection --tiny       # a seconds-long run (the tests use it)
    python -m benchmarks.detection --translation  # the semantic layer: translations, six directions
    python -m benchmarks.detection --paraphrase   # the semantic layer: same-language paraphrases
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks import text_table, wrap_words
from benchmarks.pan_measures import Scores, Span, score

ROOT = Path(__file__).resolve().parent
TEXTS = ROOT / "texts"
SEED_TEXTS = ROOT.parent.parent / "shared" / "eval" / "texts"
CORPUS_TEXTS = ROOT.parent / "corpus" / "texts"  # the sample corpus's own texts (CC0)
OBFUSCATIONS = ("none", "light_edits", "homoglyphs", "zero_width", "pdf_round_trip", "short")
SHORT_WORDS = (8, 25)   # "short": single sentences of this many words
SHORT_RECALL_WORDS = 10  # the short copies whose recall the issue sets a target for (>= 10 words)
_SENTENCE_RE = re.compile(r"[^.!?…\n]+[.!?…]+")
# Words as plagcheck counts them for a short copy: "оңтүстік-батыс" is two, "-" none, and a number
# ("08/16/2000 03:48") none, so an e-mail header or a table row is not a "sentence" of 8 words.
_WORD_RE = re.compile(r"\w*[^\W\d_]\w*")
_HOMOGLYPHS = {"а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
               "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "y": "у", "x": "х"}
_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff"]


@dataclass(frozen=True)
class Text:
    name: str
    language: str
    text: str


def load_texts(folders: list[Path] | None = None) -> list[Text]:
    """Every benchmark text under ``folders`` (``*.txt`` below a folder named kk, ru or en, or a
    file name starting with the language code), by default ``benchmarks/texts``, the sample
    corpus's texts in ``corpus/texts`` and the seed texts in ``../shared/eval/texts``."""
    texts = []
    for folder in folders or [TEXTS, CORPUS_TEXTS, SEED_TEXTS]:
        for path in sorted(Path(folder).rglob("*.txt")) if Path(folder).exists() else []:
            language = path.parent.name if path.parent.name in ("kk", "ru", "en") else path.name[:2]
            texts.append(Text(str(path.relative_to(folder)), language, path.read_text(encoding="utf-8")))
    return without_repeated_paragraphs(texts, min_words=150)


def seed_texts_note() -> str | None:
    """One line for stderr when ``../shared/eval/texts`` is absent (any machine but the development
    one), saying which texts the benchmark uses instead; None when it is there."""
    if SEED_TEXTS.is_dir():
        return None
    used = " and ".join(f"{folder.relative_to(ROOT.parent)}/" for folder in (TEXTS, CORPUS_TEXTS) if folder.is_dir())
    return f"note: no seed texts at ../shared/eval/texts ({SEED_TEXTS}); using {used} only"


def without_repeated_paragraphs(texts: list[Text], n: int = 5, share: float = 0.5, min_words: int = 1) -> list[Text]:
    """Drop each paragraph that repeats an earlier text's (half of its word 5-grams seen before).

    Public corpora repeat themselves (KazQAD holds one Wikipedia paragraph under two articles):
    such a paragraph in a source and in "original" material would be real reuse that the ground
    truth does not know about, and a correct detection would count as a false one. Texts left
    with fewer than ``min_words`` words are dropped (and their paragraphs do not count as seen).
    """
    seen: set[tuple[str, ...]] = set()
    out = []
    for text in texts:
        kept, grams_of_text = [], set()
        for paragraph in text.text.split("\n"):
            words = paragraph.casefold().split()
            grams = {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}
            if grams and len(grams & seen) >= share * len(grams):
                continue
            kept.append(paragraph)
            grams_of_text |= grams
        kept_text = "\n".join(kept)
        if len(kept_text.split()) >= min_words:
            seen |= grams_of_text
            out.append(Text(text.name, text.language, kept_text))
    return out


def without_shared_runs(texts: list[Text], sources: list[Text], n: int) -> list[Text]:
    """``texts`` without the paragraphs that share a run of ``n`` words with ``sources``.

    Public texts repeat set phrases across documents (a Wikipedia template "По данным
    государственного водного реестра России относится к …", an e-mail footer, a Latin title
    quoted in two articles): such a run in "original" material is real reuse of a source, and a
    detection of it would count as false. Words are compared casefolded; every text stays in the
    list (emptied, if need be), so the documents drawn from them do not change otherwise.
    """
    def grams(text: str) -> set[tuple[str, ...]]:
        words = [w.casefold() for w in _WORD_RE.findall(text)]
        return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}

    shared = set().union(*(grams(source.text) for source in sources))
    return [Text(t.name, t.language, "\n".join(p for p in t.text.split("\n") if not grams(p) & shared))
            for t in texts]


# -- obfuscations --------------------------------------------------------------------------
def light_edits(passage: str, rng: random.Random, rate: float = 0.08) -> str:
    """Drop, insert or swap about ``rate`` of the words (what a hurried student does)."""
    words = passage.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        roll = rng.random()
        if roll < rate / 3:
            i += 1  # drop
            continue
        if roll < 2 * rate / 3:
            out.append(rng.choice(words))  # insert a word from the same passage
        if roll > 1 - rate / 3 and i + 1 < len(words):
            out.extend([words[i + 1], words[i]])  # swap neighbours
            i += 2
            continue
        out.append(words[i])
        i += 1
    return " ".join(out)


def homoglyphs(passage: str, rng: random.Random) -> str:
    return "".join(_HOMOGLYPHS[c] if c in _HOMOGLYPHS and rng.random() < 0.5 else c for c in passage)


def zero_width(passage: str, rng: random.Random) -> str:
    out = []
    for word in passage.split(" "):
        if len(word) > 3 and rng.random() < 0.5:
            k = rng.randrange(1, len(word) - 1)
            word = word[:k] + rng.choice(_INVISIBLE) + word[k:]
        out.append(word)
    return " ".join(out)


# -- generation ----------------------------------------------------------------------------
@dataclass
class Suspicious:
    name: str
    obfuscation: str
    text: str
    cases: list[dict]  # this_start, this_end, source (name), source_start, source_end


def _paragraph_starts(text: str) -> list[int]:
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n" and i + 1 < len(text)]
    return [s for s in starts if text[s:s + 1].strip()]


def _take_passage(source: Text, rng: random.Random, words: int) -> tuple[int, int]:
    """A passage of about ``words`` words starting at a word boundary; returns its char span."""
    positions = [0] + [i + 1 for i, c in enumerate(source.text) if c.isspace() and i + 1 < len(source.text)
                       and not source.text[i + 1].isspace()]
    total = len(positions)
    count = min(words, total - 1)
    first = rng.randrange(0, max(1, total - count))
    start = positions[first]
    stop_word = first + count
    end = positions[stop_word] if stop_word < total else len(source.text)
    return start, len(source.text[:end].rstrip())


def generate(texts: list[Text], rng: random.Random, *, sources: int, suspicious_per_type: int,
             negatives: int, base_words: int) -> tuple[list[Text], list[Suspicious]]:
    """Split texts into sources and original material, then build suspicious and negative documents."""
    pool = texts[:]
    rng.shuffle(pool)
    source_docs, originals = pool[:sources], pool[sources:]
    # XQuAD's ru and en contexts are translations of each other: another version of a source is
    # reuse the semantic layer finds (--semantic), not original material
    keys = {parallel_key(t.name) for t in source_docs}
    originals = [t for t in originals if parallel_key(t.name) not in keys]
    if not originals:
        raise SystemExit("not enough benchmark texts for originals")
    originals = without_shared_runs(originals, source_docs, SHORT_WORDS[0])
    docs: list[Suspicious] = []

    def base_text(target_words: int) -> list[str]:
        """Original paragraphs from texts that are not in the corpus."""
        paragraphs: list[str] = []
        count = 0
        for text in rng.sample(originals, len(originals)):
            for p in text.text.split("\n"):
                if p.strip():
                    paragraphs.append(p.strip())
                    count += len(p.split())
                    if count >= target_words:
                        return paragraphs
        return paragraphs

    for obfuscation in OBFUSCATIONS:
        if obfuscation == "short":
            continue  # drawn after the negatives, so the other documents are those of earlier runs
        for k in range(suspicious_per_type):
            paragraphs = base_text(base_words)
            n_cases = rng.randint(1, 4)
            inserts = []
            for _ in range(n_cases):
                source = rng.choice(source_docs)
                length = rng.choice([50, 80, 120, 200, 350])
                start, end = _take_passage(source, rng, length)
                passage = source.text[start:end]
                if obfuscation == "light_edits":
                    passage = light_edits(passage, rng)
                elif obfuscation == "homoglyphs":
                    passage = homoglyphs(passage, rng)
                elif obfuscation == "zero_width":
                    passage = zero_width(passage, rng)
                inserts.append((rng.randrange(0, len(paragraphs) + 1), passage, source.name, start, end))
            text, cases = _assemble(paragraphs, inserts)
            docs.append(Suspicious(f"{obfuscation}-{k:03d}", obfuscation, text, cases))
    for k in range(negatives):
        text, _ = _assemble(base_text(base_words), [])
        docs.append(Suspicious(f"negative-{k:03d}", "negative", text, []))
    sentences = [(source, start, end) for source in source_docs for start, end in _sentences(source.text)]
    for k in range(suspicious_per_type if "short" in OBFUSCATIONS else 0):
        paragraphs = base_text(base_words)
        inserts = []
        for _ in range(rng.randint(1, 4)):
            source, start, end = rng.choice(sentences)
            inserts.append((rng.randrange(0, len(paragraphs) + 1), source.text[start:end], source.name, start, end))
        text, cases = _assemble(paragraphs, inserts)
        docs.append(Suspicious(f"short-{k:03d}", "short", text, cases))
    return source_docs, docs


def _sentences(text: str, words: tuple[int, int] = SHORT_WORDS) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` with ``words[0]``..``words[1]`` words."""
    out = []
    for m in _SENTENCE_RE.finditer(text):
        start = m.start() + len(m.group()) - len(m.group().lstrip())
        if words[0] <= len(_WORD_RE.findall(m.group())) <= words[1]:
            out.append((start, m.end()))
    return out


def _assemble(paragraphs: list[str], inserts: list[tuple]) -> tuple[str, list[dict]]:
    parts: list[str] = []
    cases = []
    offset = 0
    by_position: dict[int, list[tuple]] = {}
    for insert in inserts:
        by_position.setdefault(insert[0], []).append(insert)
    for i in range(len(paragraphs) + 1):
        for _, passage, source, s_start, s_end in by_position.get(i, []):
            cases.append({"this_start": offset, "this_end": offset + len(passage), "source": source,
                          "source_start": s_start, "source_end": s_end})
            parts.append(passage + "\n")
            offset += len(passage) + 1
        if i < len(paragraphs):
            parts.append(paragraphs[i] + "\n")
            offset += len(paragraphs[i]) + 1
    return "".join(parts), cases


# -- PDF round trip ------------------------------------------------------------------------
def pdf_round_trip(doc: Suspicious, folder: Path, rng: random.Random):
    """Typeset the document into a PDF (hyphenating some line ends), extract it with plagcheck, and
    move the ground truth onto the extracted text (only whitespace and line-end hyphens differ)."""
    import pymupdf

    from plagcheck.extract import extract

    def hyphenate(word: str) -> int | None:
        return len(word) // 2 if len(word) >= 8 and word.isalpha() and rng.random() < 0.5 else None

    lines = [line for paragraph in doc.text.split("\n") for line in wrap_words(paragraph.split(), 85, hyphenate)]
    pdf = pymupdf.open()
    font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    per_page = 46
    for first in range(0, len(lines), per_page):
        page = pdf.new_page(width=595, height=842)
        page.insert_font(fontname="dv", fontfile=font)
        for k, line in enumerate(lines[first:first + per_page]):
            page.insert_text((50, 70 + k * 14.5), line, fontname="dv", fontsize=10)
    path = folder / f"{doc.name}.pdf"
    pdf.save(path)
    extracted = extract(path).text
    mapping = _nonspace_map(doc.text, extracted)
    cases = []
    for case in doc.cases:
        cases.append({**case, "this_start": mapping(case["this_start"], "start"),
                      "this_end": mapping(case["this_end"], "end")})
    return Suspicious(doc.name, doc.obfuscation, extracted, cases), path


def _nonspace_map(original: str, extracted: str):
    """Map offsets of ``original`` to ``extracted`` by pairing their non-space characters in order
    (where extraction lost or changed a few characters, by the longest matching blocks)."""
    import bisect
    import difflib

    orig_idx = [i for i, c in enumerate(original) if not c.isspace()]
    ext_idx = [i for i, c in enumerate(extracted) if not c.isspace()]
    a = "".join(original[i] for i in orig_idx)
    b = "".join(extracted[i] for i in ext_idx)
    if a == b:
        pairs = list(range(len(a)))
    else:
        pairs = [-1] * len(a)
        for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
            for k in range(block.size):
                pairs[block.a + k] = block.b + k
        last = 0
        for k, p in enumerate(pairs):  # characters lost in extraction map to their predecessor
            pairs[k] = last = p if p >= 0 else last

    def mapping(offset: int, side: str) -> int:
        k = bisect.bisect_left(orig_idx, offset)
        if side == "start":
            return ext_idx[pairs[k]] if k < len(pairs) else len(extracted)
        return ext_idx[pairs[k - 1]] + 1 if k > 0 else 0
    return mapping


# -- run -----------------------------------------------------------------------------------
def run(*, sources: int, suspicious_per_type: int, negatives: int, base_words: int, seed: int = 7,
        workdir: Path | None = None, settings=None, params=None, folders: list[Path] | None = None,
        semantic: bool = False) -> dict:
    """Generate, index, check and score. Returns the figures as a dict (also printed by main).

    ``folders`` are the text folders (default: those of :func:`load_texts`); ``semantic``: checks
    with the semantic layer on, as the product checks by default (its matches count like any);
    off, the figures are the lexical detectors' alone."""
    from plagcheck.check import check_document
    from plagcheck.ingest import add_document
    from plagcheck.models import Document
    from plagcheck.store import Store

    rng = random.Random(seed)
    texts = load_texts(folders)
    source_docs, suspicious = generate(texts, rng, sources=min(sources, len(texts) // 2),
                                       suspicious_per_type=suspicious_per_type, negatives=negatives,
                                       base_words=base_words)
    tmp = tempfile.TemporaryDirectory() if workdir is None else None
    folder = Path(tmp.name if tmp else workdir)
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    cases: list[Span] = []
    detections: list[Span] = []
    per_doc_obfuscation = {}
    words_of: dict[Span, list[str]] = {}
    negatives_with_matches = 0
    unexplained: list[dict] = []  # with the semantic layer: matches that touch no case
    with Store(folder / "benchmark.db", params) as store:
        names = {}
        for src in source_docs:
            outcome = add_document(store, Document(path=src.name, format="txt", text=src.text),
                                   {"title": src.name, "language": src.language})
            names[outcome.doc_id] = src.name
        if not semantic:
            from dataclasses import replace

            from plagcheck.settings import Settings

            settings = replace(settings or Settings(index=store.params), semantic=False)
        index_time = time.perf_counter() - started
        check_started = time.perf_counter()
        for doc in suspicious:
            if doc.obfuscation == "pdf_round_trip":
                doc, path = pdf_round_trip(doc, folder, rng)
            per_doc_obfuscation[doc.name] = doc.obfuscation
            for c in doc.cases:
                span = Span(doc.name, c["source"], c["this_start"], c["this_end"], c["source_start"], c["source_end"])
                cases.append(span)
                words_of[span] = _WORD_RE.findall(doc.text[c["this_start"]:c["this_end"]])
            result = check_document(store, Document(path=doc.name, format="txt", text=doc.text), settings)
            for m in result.matches:
                detections.append(Span(doc.name, names[m.source_id], m.this_start, m.this_end,
                                       m.source_start, m.source_end))
                if semantic and (stray := _not_a_case(doc, m, store, names)) is not None:
                    unexplained.append(stray)
            if doc.obfuscation == "negative" and result.matches:
                negatives_with_matches += 1
        check_time = time.perf_counter() - check_started
    if tmp:
        tmp.cleanup()

    table: dict[str, Scores] = {}
    for obfuscation in OBFUSCATIONS:
        docs = {d for d, o in per_doc_obfuscation.items() if o == obfuscation}
        table[obfuscation] = score([c for c in cases if c.document in docs], [r for r in detections if r.document in docs])
    # The target: short copies of at least SHORT_RECALL_WORDS words (the detections that
    # touch them, so that precision is of those too).
    short_docs = {d for d, o in per_doc_obfuscation.items() if o == "short"}
    long_enough = [c for c in cases if c.document in short_docs and len(words_of[c]) >= SHORT_RECALL_WORDS]
    table[f"short_{SHORT_RECALL_WORDS}_words"] = score(long_enough, [
        r for r in detections if r.document in short_docs
        and any(c.document == r.document and c.this_start < r.this_end and r.this_start < c.this_end for c in long_enough)])
    table["overall"] = score(cases, detections)
    figures = {
        "scores": {k: asdict(v) for k, v in table.items()},
        "negatives": negatives, "negatives_with_matches": negatives_with_matches,
        "false_detections_on_negatives": sum(1 for r in detections if per_doc_obfuscation[r.document] == "negative"),
        "sources": len(source_docs), "suspicious": len(suspicious), "texts": len(texts),
        "index_seconds": round(index_time, 2), "check_seconds": round(check_time, 2),
        **({"unexplained_detections": unexplained} if semantic else {}),
    }
    return figures


def _not_a_case(doc: Suspicious, match, store, names: dict) -> dict | None:
    """A match that touches none of ``doc``'s cases, with both texts, to judge by eye (None if
    it touches one)."""
    if any(c["this_start"] < match.this_end and match.this_start < c["this_end"] for c in doc.cases):
        return None
    source_text = store.document_text(match.source_id)
    return {"document": doc.name, "source": names[match.source_id], "kind": match.kind,
            "score": round(match.score, 3), "text": doc.text[match.this_start:match.this_end][:300],
            "source_text": source_text[match.source_start:match.source_end][:300]}


# -- semantic layer: translations -------------------------------------------------------------
PARALLEL = ROOT.parent.parent / "shared" / "eval" / "parallel"
DIRECTIONS = tuple((s, t) for s in ("kk", "ru", "en") for t in ("kk", "ru", "en") if s != t)


def load_parallel(folder: Path = PARALLEL) -> dict[str, list[dict[str, str]]]:
    """The parallel passages by article: ``{article: [{"kk": ..., "ru": ..., "en": ...}, ...]}`` in order."""
    articles: dict[str, list[dict[str, str]]] = {}
    for line in (folder / "meta.jsonl").read_text(encoding="utf-8").splitlines():
        meta = json.loads(line)
        articles.setdefault(meta["doc"], []).append(
            {lang: (folder / lang / f"{meta['id']}.txt").read_text(encoding="utf-8").strip() for lang in ("kk", "ru", "en")})
    return articles


def _base_paragraphs(texts: list[Text], rng: random.Random, base_words: int) -> list[str]:
    """Paragraphs of at least 15 words from ``texts`` in a random order, until ``base_words``: the
    original text of a checked document, into which the cases are inserted."""
    paragraphs, count = [], 0
    for t in rng.sample(texts, len(texts)):
        for p in t.text.split("\n"):
            if len(p.split()) >= 15:
                paragraphs.append(p.strip())
                count += len(p.split())
                if count >= base_words:
                    return paragraphs
    return paragraphs


def generate_translations(articles: dict, texts: list[Text], rng: random.Random, *, per_direction: int,
                          negatives: int, distractors: int, base_words: int, held_out: float = 0.2,
                          distractor_lines: int = 8):
    """Corpus and checked documents for the ``translation`` obfuscation in the six directions.

    Each article of the parallel set goes to one source language (a third each) or is held out
    (``held_out``). The corpus holds each non-held-out article in its source language (its
    passages as paragraphs, in order) and ``distractors`` same-topic texts per language (news,
    Wikipedia, fiction: other documents in the languages checked). A checked document for s→t is
    original text in language t with 1–2 passages inserted: the t version of a passage of an
    article whose source language is s. Negatives: original text with the translation of a
    held-out article's passage (its source is in no language in the corpus), and original
    text alone. Returns (corpus as Text list with each article's passage spans, checked documents).
    """
    names = sorted(articles)
    rng.shuffle(names)
    cut = int(len(names) * held_out)
    held, assigned = names[:cut], names[cut:]
    source_language = {name: ("kk", "ru", "en")[k % 3] for k, name in enumerate(assigned)}
    corpus: list[Text] = []
    spans: dict[tuple[str, int], tuple[str, int, int]] = {}  # (article, passage) -> (doc name, start, end)
    for name in assigned:
        lang = source_language[name]
        parts, offset = [], 0
        for k, passage in enumerate(articles[name]):
            spans[(name, k)] = (f"{lang}-{name}", offset, offset + len(passage[lang]))
            parts.append(passage[lang])
            offset += len(passage[lang]) + 2
        corpus.append(Text(f"{lang}-{name}", lang, "\n\n".join(parts)))
    by_language = {lang: [t for t in texts if t.language == lang] for lang in ("kk", "ru", "en")}
    originals: dict[str, list[Text]] = {}
    in_corpus: set[str] = set()
    for lang, pool in by_language.items():
        pool = pool[:]
        rng.shuffle(pool)
        for t in pool[:distractors]:
            words = t.text.split("\n")
            corpus.append(Text(f"distractor-{t.name}", lang, "\n".join(words[:distractor_lines or None])))
            in_corpus.add(parallel_key(t.name))
        originals[lang] = pool[distractors:]
    # XQuAD's ru and en contexts are translations of each other: an original whose other-language
    # version is a distractor would be real reuse unknown to the ground truth (it was found as such)
    distractor_texts = [t for t in corpus if t.name.startswith("distractor-")]
    for lang in originals:
        originals[lang] = without_shared_runs([t for t in originals[lang] if parallel_key(t.name) not in in_corpus],
                                              distractor_texts, SHORT_WORDS[0])

    def base(lang: str) -> list[str]:
        return _base_paragraphs(originals[lang], rng, base_words)

    docs: list[Suspicious] = []
    for s, t in DIRECTIONS:
        pool = [(name, k) for name in assigned if source_language[name] == s for k in range(len(articles[name]))]
        for n in range(per_direction):
            paragraphs = base(t)
            inserts = []
            for name, k in rng.sample(pool, rng.randint(1, 2)):
                doc_name, start, end = spans[(name, k)]
                inserts.append((rng.randrange(0, len(paragraphs) + 1), articles[name][k][t], doc_name, start, end))
            text, cases = _assemble(paragraphs, inserts)
            docs.append(Suspicious(f"translation-{s}-{t}-{n:02d}", f"translation_{s}_{t}", text, cases))
    held_pool = [(name, k) for name in held for k in range(len(articles[name]))]
    for n in range(negatives):
        t = ("kk", "ru", "en")[n % 3]
        paragraphs = base(t)
        if n % 2 == 0 and held_pool:  # translated text whose source is not in the corpus
            name, k = rng.choice(held_pool)
            paragraphs.insert(rng.randrange(0, len(paragraphs) + 1), articles[name][k][t])
        text, _ = _assemble(paragraphs, [])
        docs.append(Suspicious(f"negative-{t}-{n:02d}", "negative", text, []))
    return corpus, docs


def parallel_key(name: str) -> str:
    """What the versions of one text in several languages share in their names: XQuAD's
    ``xquad/ru-xquad-43-Scottish_Parliament.txt`` and ``xquad/en-xquad-43-…`` are one context."""
    folder, _, file = name.rpartition("/")
    return f"{folder}/{file[3:]}" if "xquad" in name and file[:3] in ("kk-", "ru-", "en-") else name


@dataclass
class Checked:
    """What :func:`check_all` found: cases and detections as PAN spans, each detection's kind and
    source language, each checked document's obfuscation, and the semantic layer's work."""

    cases: list[Span]
    detections: list[Span]
    kinds: dict  # detection span -> (kind, source language)
    per_doc: dict[str, str]  # checked document -> obfuscation
    unexplained: list[dict]  # detections that touch no case: what was found, to judge by eye
    negatives_with_matches: int
    timings: dict[str, float]
    sentences_compared: int  # sentences the transformer compared (checked and corpus side)
    sentences_checked: int
    index_seconds: float
    check_seconds: float

    def figures(self) -> dict:
        return {"candidate_seconds": round(self.timings["semantic_candidates"], 2),
                "check_embed_seconds": round(self.timings["semantic_embed"], 2),
                "sentences_compared": self.sentences_compared, "sentences_checked": self.sentences_checked,
                "unexplained_detections": self.unexplained,
                "index_seconds": round(self.index_seconds, 2), "check_seconds": round(self.check_seconds, 2)}


def check_all(corpus: list[Text], suspicious: list[Suspicious], settings, workdir: Path | None,
              database: str, unit_index: bool = False) -> Checked:
    """Index ``corpus`` (each document gets its static units as it is added: no corpus sentence is
    embedded in advance) and check every suspicious document with the product's checker.
    ``unit_index``: build the candidate step's ANN index over the corpus first (as ``reindex``
    does for a large corpus), so that the checks search it instead of scanning every unit."""
    from plagcheck.check import check_document
    from plagcheck.ingest import add_document
    from plagcheck.models import Document
    from plagcheck.store import Store

    tmp = tempfile.TemporaryDirectory() if workdir is None else None
    folder = Path(tmp.name if tmp else workdir)
    folder.mkdir(parents=True, exist_ok=True)
    out = Checked([], [], {}, {}, [], 0, {"semantic_candidates": 0.0, "semantic_embed": 0.0}, 0, 0, 0.0, 0.0)
    with Store(folder / database) as store:
        names = {}
        started = time.perf_counter()
        for src in corpus:
            outcome = add_document(store, Document(path=src.name, format="txt", text=src.text),
                                   {"title": src.name, "language": src.language})
            names[outcome.doc_id] = src.name
        if unit_index:
            from plagcheck.semantic import default_lexicon
            from plagcheck.unit_index import build_unit_index

            build_unit_index(store, default_lexicon().name, min_units=0)
        out.index_seconds = time.perf_counter() - started
        check_started = time.perf_counter()
        for doc in suspicious:
            out.per_doc[doc.name] = doc.obfuscation
            for c in doc.cases:
                out.cases.append(Span(doc.name, c["source"], c["this_start"], c["this_end"], c["source_start"],
                                      c["source_end"]))
            result = check_document(store, Document(path=doc.name, format="txt", text=doc.text), settings)
            out.sentences_checked += len(_SENTENCE_RE.findall(doc.text))
            for key in out.timings:
                out.timings[key] += result.timings.get(key, 0.0)
            out.sentences_compared += (result.corpus.get("semantic") or {}).get("sentences_compared", 0)
            for m in result.matches:
                span = Span(doc.name, names[m.source_id], m.this_start, m.this_end, m.source_start, m.source_end)
                out.detections.append(span)
                out.kinds[span] = (m.kind, m.source_language)
                if (stray := _not_a_case(doc, m, store, names)) is not None:
                    out.unexplained.append(stray)
            if doc.obfuscation == "negative" and result.matches:
                out.negatives_with_matches += 1
        out.check_seconds = time.perf_counter() - check_started
    if tmp:
        tmp.cleanup()
    return out


def run_translation(*, per_direction: int, negatives: int, distractors: int, base_words: int, seed: int = 7,
                    workdir: Path | None = None, settings=None, distractor_lines: int = 8,
                    unit_index: bool = False) -> dict:
    """Generate (:func:`generate_translations`), index the corpus (its static units come with each
    document: no corpus sentence is embedded in advance; ``unit_index``: and the candidate step's
    ANN index over it), check with the semantic layer, and score per direction. Returns the
    figures as a dict."""
    rng = random.Random(seed)
    corpus, suspicious = generate_translations(load_parallel(), load_texts(), rng, per_direction=per_direction,
                                               negatives=negatives, distractors=distractors, base_words=base_words,
                                               distractor_lines=distractor_lines)
    checked = check_all(corpus, suspicious, settings, workdir, "translation.db", unit_index)
    cases, detections, kinds, per_doc = checked.cases, checked.detections, checked.kinds, checked.per_doc
    table = {}
    for s, t in DIRECTIONS:
        docs = {d for d, o in per_doc.items() if o == f"translation_{s}_{t}"}
        table[f"translation_{s}_{t}"] = score([c for c in cases if c.document in docs],
                                              [r for r in detections if r.document in docs])
    table["overall"] = score(cases, detections)
    right_kind = sum(1 for r, (kind, lang) in kinds.items() if per_doc[r.document].startswith("translation")
                     and kind == "translation" and lang == per_doc[r.document].split("_")[1])
    return {
        "scores": {k: asdict(v) for k, v in table.items()},
        "negatives": negatives, "negatives_with_matches": checked.negatives_with_matches,
        "false_detections_on_negatives": sum(1 for r in detections if per_doc[r.document] == "negative"),
        "detections_with_kind_translation_and_right_source_language": f"{right_kind}/{len(detections)}",
        "sources": len(corpus), "suspicious": len(suspicious), "texts": len(load_texts()),
        **checked.figures(),
    }


# -- semantic layer: paraphrases ---------------------------------------------------------------
@dataclass(frozen=True)
class Strength:
    """How hard :func:`paraphrase` rewrites a passage: chances per word (``delete``, ``insert`` a
    word of an unrelated text of the language), per window of ``window`` words (``shuffle`` it), per
    pair of neighbouring sentences (``swap``, ``merge`` into one) and per sentence (``split`` it at
    a comma, move its ``clause`` after a comma to the front)."""

    delete: float
    insert: float
    shuffle: float
    window: int
    swap: float
    merge: float
    split: float
    clause: float


PARAPHRASE_STRENGTHS = {
    "low": Strength(delete=0.10, insert=0.10, shuffle=0.15, window=3, swap=0.15, merge=0.10, split=0.10, clause=0.0),
    "high": Strength(delete=0.20, insert=0.20, shuffle=0.40, window=4, swap=0.30, merge=0.20, split=0.25, clause=0.30),
}
PARAPHRASE_WORDS = (60, 100, 150, 250)  # lengths of the copied passages (whole sentences, at least this many words)
_END_MARK = re.compile(r"[.!?…]+[\"'»”’)\]]*$")


def paraphrase(passage: str, rng: random.Random, fillers: list[str], strength: Strength) -> str:
    """PAN-style "random obfuscation" of ``passage`` (Potthast et al., PAN 2013), at the level of
    words and sentences, independent of any model: sentences swapped, merged and split, clauses
    moved, words deleted, shuffled inside short windows, and words of an unrelated text of the
    same language (``fillers``) inserted. No synonym is substituted: there is no offline synonym
    source for kk, ru and en that is not the detector's own model."""
    sentences = [m.group().strip() for m in _SENTENCE_RE.finditer(passage)] or [passage.strip()]
    i = 0
    while i + 1 < len(sentences):  # swap neighbours
        if rng.random() < strength.swap:
            sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
            i += 2
        else:
            i += 1
    merged = [sentences[0]]
    for sentence in sentences[1:]:  # merge: "A. B." -> "A, b."
        if rng.random() < strength.merge:
            merged[-1] = _END_MARK.sub("", merged[-1]) + ", " + sentence[:1].lower() + sentence[1:]
        else:
            merged.append(sentence)
    out = []
    for sentence in merged:
        mark = _END_MARK.search(sentence)
        end = mark.group() if mark else "."
        body = sentence[:mark.start()] if mark else sentence
        clauses = [c.strip() for c in body.split(",") if c.strip()]
        if len(clauses) > 1 and rng.random() < strength.clause:  # "A, B" -> "B, a"
            k = rng.randrange(1, len(clauses))
            clauses = clauses[k:] + [clauses[0][:1].lower() + clauses[0][1:]] + clauses[1:k]
        pieces = [", ".join(clauses)]
        if len(clauses) > 1 and rng.random() < strength.split:  # "A, B." -> "A. B."
            k = rng.randrange(1, len(clauses))
            if min(len(", ".join(clauses[:k]).split()), len(", ".join(clauses[k:]).split())) >= 4:
                pieces = [", ".join(clauses[:k]), ", ".join(clauses[k:])]
        out.extend(_rewrite_words(piece, rng, fillers, strength) + end for piece in pieces)
    return " ".join(out)


def _rewrite_words(sentence: str, rng: random.Random, fillers: list[str], strength: Strength) -> str:
    words = sentence.split()
    kept = [w for w in words if rng.random() >= strength.delete] or words[:1]
    out = []
    for word in kept:
        out.append(word)
        if fillers and rng.random() < strength.insert:
            out.append(rng.choice(fillers))
    for start in range(0, len(out), strength.window):
        if rng.random() < strength.shuffle:
            window = out[start:start + strength.window]
            rng.shuffle(window)
            out[start:start + strength.window] = window
    text = " ".join(out)
    return text[:1].upper() + text[1:]


def _filler_words(text: Text) -> list[str]:
    """Words of ``text`` without the punctuation that would end a sentence or open a quotation."""
    return [w for w in (m.strip(".!?…,;:\"'«»“”()[]") for m in text.text.split()) if _WORD_RE.fullmatch(w)]


def _take_sentences(text: str, rng: random.Random, words: int) -> tuple[int, int]:
    """Consecutive whole sentences of ``text``, at least ``words`` words (or to the end of the
    text) from a random sentence on; returns their character span."""
    spans = [(m.start() + len(m.group()) - len(m.group().lstrip()), m.end()) for m in _SENTENCE_RE.finditer(text)]
    first = rng.randrange(0, len(spans))
    while first > 0 and sum(len(text[a:b].split()) for a, b in spans[first:]) < words:
        first -= 1
    count, last = 0, first
    for last in range(first, len(spans)):
        count += len(text[spans[last][0]:spans[last][1]].split())
        if count >= words:
            break
    return spans[first][0], spans[last][1]


def generate_paraphrases(texts: list[Text], rng: random.Random, *, sources_per_language: int, per_cell: int,
                         negatives: int, base_words: int) -> tuple[list[Text], list[Suspicious]]:
    """Corpus and checked documents for the ``paraphrase`` obfuscation, per language and strength.

    Per language (kk, ru, en), ``sources_per_language`` texts become the corpus, the rest original
    material (less any text whose other-language version is in the corpus, and any paragraph
    sharing an 8-word run with the corpus). A checked document for (language, strength) is original
    paragraphs of the language with 1-2 passages of whole sentences (60-250 words) of a corpus
    text of that language, each under :func:`paraphrase` at that strength, its inserted words taken
    from an original text. Negatives: original text alone, and (every other one) with a strong
    paraphrase of a passage of an original text (its source is not in the corpus).
    """
    by_language = {lang: sorted((t for t in texts if t.language == lang), key=lambda t: t.name)
                   for lang in ("kk", "ru", "en")}
    corpus: list[Text] = []
    pools = {}
    for lang, pool in by_language.items():
        pool = pool[:]
        rng.shuffle(pool)
        cut = min(sources_per_language, len(pool) // 2)
        corpus += pool[:cut]
        pools[lang] = pool[cut:]
    in_corpus = {parallel_key(t.name) for t in corpus}
    originals = {lang: [t for t in without_shared_runs([t for t in pool if parallel_key(t.name) not in in_corpus],
                                                       corpus, SHORT_WORDS[0]) if t.text.strip()]
                 for lang, pool in pools.items()}

    def base(lang: str) -> list[str]:
        return _base_paragraphs(originals[lang], rng, base_words)

    def passage_of(source: Text, strength: Strength) -> tuple[str, int, int]:
        start, end = _take_sentences(source.text, rng, rng.choice(PARAPHRASE_WORDS))
        fillers = _filler_words(rng.choice(originals[source.language]))
        return paraphrase(source.text[start:end], rng, fillers, strength), start, end

    docs: list[Suspicious] = []
    for lang in ("kk", "ru", "en"):
        sources = [t for t in corpus if t.language == lang and _SENTENCE_RE.search(t.text)]
        for name, strength in PARAPHRASE_STRENGTHS.items():
            for n in range(per_cell):
                paragraphs = base(lang)
                inserts = []
                for source in rng.sample(sources, min(len(sources), rng.randint(1, 2))):
                    passage, start, end = passage_of(source, strength)
                    inserts.append((rng.randrange(0, len(paragraphs) + 1), passage, source.name, start, end))
                text, cases = _assemble(paragraphs, inserts)
                docs.append(Suspicious(f"paraphrase-{lang}-{name}-{n:02d}", f"paraphrase_{lang}_{name}", text, cases))
    for n in range(negatives):
        lang = ("kk", "ru", "en")[n % 3]
        paragraphs = base(lang)
        if n % 2 == 0:  # a paraphrase of a passage whose source is not in the corpus
            passage, _, _ = passage_of(rng.choice(originals[lang]), PARAPHRASE_STRENGTHS["high"])
            paragraphs.insert(rng.randrange(0, len(paragraphs) + 1), passage)
        text, _ = _assemble(paragraphs, [])
        docs.append(Suspicious(f"negative-{lang}-{n:02d}", "negative", text, []))
    return corpus, docs


LEXICAL_KINDS = ("verbatim", "short")


def run_paraphrase(*, sources_per_language: int, per_cell: int, negatives: int, base_words: int, seed: int = 7,
                   workdir: Path | None = None, settings=None, folders: list[Path] | None = None) -> dict:
    """Generate (:func:`generate_paraphrases`), index, check with the semantic layer on, and score
    per language and strength; also how many of the recovered characters (checked side) lexical
    and semantic matches found. Returns the figures as a dict."""
    rng = random.Random(seed)
    texts = load_texts(folders)
    corpus, suspicious = generate_paraphrases(texts, rng, sources_per_language=sources_per_language,
                                              per_cell=per_cell, negatives=negatives, base_words=base_words)
    checked = check_all(corpus, suspicious, settings, workdir, "paraphrase.db")
    cases, detections, per_doc = checked.cases, checked.detections, checked.per_doc
    groups = {f"paraphrase_{lang}_{name}": {f"paraphrase_{lang}_{name}"}
              for lang in ("kk", "ru", "en") for name in PARAPHRASE_STRENGTHS}
    groups |= {f"paraphrase_{name}": {f"paraphrase_{lang}_{name}" for lang in ("kk", "ru", "en")}
               for name in PARAPHRASE_STRENGTHS}
    groups["overall"] = set(per_doc.values())
    table, recovered = {}, {}
    for cell, obfuscations in groups.items():
        docs = {d for d, o in per_doc.items() if o in obfuscations}
        cell_cases = [c for c in cases if c.document in docs]
        cell_detections = [r for r in detections if r.document in docs]
        table[cell] = score(cell_cases, cell_detections)
        recovered[cell] = _recovered_by_kind(cell_cases, cell_detections, checked.kinds)
    return {
        "scores": {k: asdict(v) for k, v in table.items()}, "recovered_characters": recovered,
        "negatives": negatives, "negatives_with_matches": checked.negatives_with_matches,
        "false_detections_on_negatives": sum(1 for r in detections if per_doc[r.document] == "negative"),
        "sources": len(corpus), "suspicious": len(suspicious), "texts": len(texts),
        **checked.figures(),
    }


def _recovered_by_kind(cases: list[Span], detections: list[Span], kinds: dict) -> dict[str, int]:
    """Characters of the cases' checked side inside a detection of the case: ``lexical`` (a
    verbatim or short match covers them), ``semantic`` (only a paraphrase or translation match
    does), out of ``total``."""
    from benchmarks.pan_measures import detects

    out = {"lexical": 0, "semantic": 0, "total": 0}
    for case in cases:
        covered = {kind: set() for kind in ("lexical", "semantic")}
        for r in detections:
            if detects(r, case):
                kind = "lexical" if kinds[r][0] in LEXICAL_KINDS else "semantic"
                covered[kind].update(range(max(r.this_start, case.this_start), min(r.this_end, case.this_end)))
        out["lexical"] += len(covered["lexical"])
        out["semantic"] += len(covered["semantic"] - covered["lexical"])
        out["total"] += case.this_end - case.this_start
    return out


def format_table(figures: dict) -> str:
    header = ["obfuscation", "plagdet", "precision", "recall", "granularity", "cases", "detections"]
    rows = [[name] + Scores(**s).row() for name, s in figures["scores"].items()]
    lines = text_table(header, rows)
    lines.append(f"negatives: {figures['negatives']} documents, {figures['negatives_with_matches']} with a match "
                 f"({figures['false_detections_on_negatives']} false detections)")
    lines.append(f"corpus: {figures['sources']} source documents from {figures['texts']} texts; "
                 f"{figures['suspicious']} checked documents; indexing {figures['index_seconds']} s, "
                 f"checking {figures['check_seconds']} s")
    if "candidate_seconds" in figures:
        right_kind = figures.get("detections_with_kind_translation_and_right_source_language")
        lines.append(f"semantic: candidate step {figures['candidate_seconds']} s, transformer on the candidates "
                     f"{figures['check_embed_seconds']} s ({figures['sentences_compared']} sentences for "
                     f"{figures['sentences_checked']} checked, all checks)"
                     + (f"; detections of kind translation with the right source language: {right_kind}"
                        if right_kind else ""))
    if "recovered_characters" in figures:
        lines.append("recovered characters of the cases, checked side (lexical: verbatim or short; semantic: "
                     "paraphrase or translation only; of all):")
        for name, r in figures["recovered_characters"].items():
            lines.append(f"  {name}: lexical {r['lexical']}, semantic {r['semantic']}, of {r['total']}")
    for d in figures.get("unexplained_detections", ()):
        lines.append(f"  not a case: {d['document']} ~ {d['source']} ({d['kind']}, {d['score']}): "
                     f"{d['text'][:100]!r} ~ {d['source_text'][:100]!r}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="a seconds-long run, for tests")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--semantic", action="store_true",
                        help="check with the semantic layer on, as the product does by default (slower)")
    parser.add_argument("--sources", type=int, default=None, help="corpus documents (default 60; tiny 6)")
    parser.add_argument("--per-type", type=int, default=None, help="checked documents per obfuscation (12; tiny 1)")
    parser.add_argument("--translation", action="store_true",
                        help="the semantic layer's benchmark instead: translations in six directions among kk/ru/en "
                             "(../shared/eval/parallel), with negatives")
    parser.add_argument("--paraphrase", action="store_true",
                        help="the semantic layer's benchmark of same-language paraphrases (kk, ru, en; low and high "
                             "strength), with negatives; --sources: corpus texts per language (20), --per-type: "
                             "documents per language and strength (6)")
    parser.add_argument("--distractors", type=int, default=None,
                        help="with --translation: same-topic corpus texts per language (default 12; tiny 2)")
    parser.add_argument("--candidate-stride", type=int, default=None,
                        help="with --translation: the semantic candidate step's stride in sentences (default: the product's)")
    parser.add_argument("--unit-index", action="store_true",
                        help="with --translation: build the candidate step's ANN index over the corpus (as reindex "
                             "does from 100,000 units on) and check with it")
    parser.add_argument("--distractor-lines", type=int, default=8,
                        help="with --translation: lines kept of each distractor text (0: the whole text)")
    args = parser.parse_args(argv)
    if note := seed_texts_note():
        print(note, file=sys.stderr)
    if args.paraphrase:
        if args.tiny:
            figures = run_paraphrase(sources_per_language=args.sources or 3, per_cell=args.per_type or 1, negatives=3,
                                     base_words=150, seed=args.seed)
        else:
            figures = run_paraphrase(sources_per_language=args.sources or 20, per_cell=args.per_type or 6,
                                     negatives=12, base_words=300, seed=args.seed)
    elif args.translation:
        settings = None
        if args.candidate_stride:
            from plagcheck.settings import Settings

            settings = Settings(candidate_stride=args.candidate_stride)
        if args.tiny:
            figures = run_translation(per_direction=1, negatives=2, distractors=args.distractors or 2, base_words=150,
                                      seed=args.seed, distractor_lines=args.distractor_lines, settings=settings,
                                      unit_index=args.unit_index)
        else:
            figures = run_translation(per_direction=8, negatives=12, distractors=args.distractors or 12,
                                      base_words=300, seed=args.seed, distractor_lines=args.distractor_lines,
                                      settings=settings, unit_index=args.unit_index)
    elif args.tiny:
        figures = run(sources=args.sources or 6, suspicious_per_type=args.per_type or 1, negatives=2, base_words=600,
                      seed=args.seed, semantic=args.semantic)
    else:
        figures = run(sources=args.sources or 60, suspicious_per_type=args.per_type or 12, negatives=20,
                      base_words=3000, seed=args.seed, semantic=args.semantic)
    print(format_table(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
