"""The detection core end to end: corpus on disk, a suspicious document, matches in original characters."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash

from plagcheck.check import check_document
from plagcheck.extract import extract
from plagcheck.index import analyze
from plagcheck.ingest import add_file
from plagcheck.models import Document
from plagcheck.normalize import tokenize
from plagcheck.passages import corpus_passages, query_windows
from plagcheck.settings import IndexParams
from plagcheck.signature import passage_signatures
from tests.builders import make_pdf, wrap


def _words(text: str, start: int, count: int) -> str:
    return " ".join(text.split()[start:start + count])


@pytest.fixture
def corpus(tmp_path, store, ru_text, en_text2):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "ru.txt").write_text(ru_text, encoding="utf-8")
    (folder / "memo.txt").write_text(en_text2, encoding="utf-8")
    ids = {name: add_file(store, folder / name).doc_id for name in ("ru.txt", "memo.txt")}
    return ids


def _doc(text: str, path="thesis.txt") -> Document:
    return Document(path=path, format="txt", text=text)


def test_signatures_equal_datasketch(ru_text):
    params = IndexParams()
    analysis = analyze(tokenize(ru_text), params)
    windows = query_windows(analysis.tokens, params.passage_words, 7)
    sigs = passage_signatures(analysis.shingles, windows, params.shingle_size, params.num_perm, params.minhash_seed)
    for k in (0, len(windows) // 2, len(windows) - 1):
        w = windows[k]
        m = MinHash(num_perm=params.num_perm, seed=params.minhash_seed, scheme="affine32", hashfunc=int)
        m.update_batch(analysis.shingles[w.first_word:w.first_word + w.words - params.shingle_size + 1].tolist())
        assert np.array_equal(m.hashvalues, sigs[k])


def test_corpus_passage_signatures_equal_datasketch(ru_text):
    """Non-overlapping corpus passages take a faster path (one reduction) than query windows."""
    params = IndexParams()
    analysis = analyze(tokenize(ru_text), params)
    passages = corpus_passages(analysis.tokens, params.passage_words)
    sigs = passage_signatures(analysis.shingles, passages, params.shingle_size, params.num_perm, params.minhash_seed)
    assert len(passages) > 3
    for k, p in enumerate(passages):
        m = MinHash(num_perm=params.num_perm, seed=params.minhash_seed, scheme="affine32", hashfunc=int)
        m.update_batch(analysis.shingles[p.first_word:p.first_word + p.words - params.shingle_size + 1].tolist())
        assert np.array_equal(m.hashvalues, sigs[k])


def test_copied_passage_inside_long_document_found_with_exact_spans(store, corpus, ru_text, en_text):
    copied = _words(ru_text, 301, 150)  # (word 300 is "В", which after English text reads as Latin "B")
    own = en_text
    text = own[:2500] + "\n\n" + copied + "\n\n" + own[2500:]
    result = check_document(store, _doc(text))
    assert [s.id for s in result.sources] == [corpus["ru.txt"]]
    (match,) = result.matches
    start = text.index(copied)
    assert match.this_start == start and match.this_end == start + len(copied)
    source_start = ru_text.index(copied.split()[0] + " " + copied.split()[1])
    assert ru_text[match.source_start:match.source_end].split() == copied.split()
    assert abs(match.source_start - source_start) < 200
    assert 0.1 < result.similarity < 0.4


def test_homoglyph_and_zero_width_variants_give_the_same_match(store, corpus, ru_text, en_text):
    copied = _words(ru_text, 301, 120)
    own = en_text[:2000]
    variants = {
        "verbatim": copied,
        "homoglyph": copied.replace("а", "a").replace("о", "o").replace("е", "e"),
        "zero_width": "\u200b".join(copied[i:i + 3] for i in range(0, len(copied), 3)),
    }
    found = {}
    for name, passage in variants.items():
        text = own + "\n" + passage + "\n" + own
        result = check_document(store, _doc(text, f"{name}.txt"))
        assert len(result.matches) == 1, name
        m = result.matches[0]
        # this-side span covers exactly the inserted (obfuscated) characters
        assert (m.this_start, m.this_end) == (len(own) + 1, len(own) + 1 + len(passage)), name
        found[name] = (m.source_id, m.source_start, m.source_end)
    assert len(set(found.values())) == 1


def test_identical_copy_of_a_corpus_document_is_a_whole_source_with_an_alert(store, corpus, tmp_path, ru_text):
    """Resubmitting someone else's thesis under another name is plagiarism, not a duplicate."""
    copy = tmp_path / "copy.txt"
    copy.write_bytes((tmp_path / "corpus" / "ru.txt").read_bytes())
    result = check_document(store, extract(copy))
    assert result.similarity == 1.0
    assert [(s.id, s.share) for s in result.sources] == [(corpus["ru.txt"], 1.0)]
    (match,) = result.matches
    assert (match.this_start, match.this_end) == (match.source_start, match.source_end)
    # from the first word to the last: only spaces and the final full stop are left out
    assert ru_text[:match.this_start].strip() == "" and ru_text[match.this_end:].strip(" .\n") == ""
    (alert,) = [a for a in result.document.alerts if a.kind == "identical_document"]
    assert alert.message.startswith(f"identical to document {corpus['ru.txt']} (")
    assert "added 20" in alert.message
    assert [a["kind"] for a in result.to_dict()["alerts"]] == ["identical_document"]


def test_a_document_is_its_own_source_only_when_excluded_by_id(store, corpus, tmp_path):
    own = corpus["ru.txt"]
    result = check_document(store, extract(tmp_path / "corpus" / "ru.txt"), exclude_ids={own})
    assert result.matches == () and result.similarity == 0.0 and not result.document.alerts
    # Excluding another document leaves the identical one a source.
    result = check_document(store, extract(tmp_path / "corpus" / "ru.txt"), exclude_ids={corpus["memo.txt"]})
    assert result.similarity == 1.0


def test_cli_check_identical_copy_and_exclude_document(tmp_path, db_path, corpus):
    import json

    from click.testing import CliRunner

    from plagcheck.cli import cli

    copy = tmp_path / "copy.txt"
    copy.write_bytes((tmp_path / "corpus" / "ru.txt").read_bytes())
    run = CliRunner().invoke(cli, ["check", str(copy), "--db", str(db_path), "--format", "json"],
                             catch_exceptions=False)
    data = json.loads(run.output)
    assert data["similarity"] == 1.0 and data["sources"][0]["id"] == corpus["ru.txt"]
    run = CliRunner().invoke(cli, ["check", str(copy), "--db", str(db_path), "--format", "json",
                                   "--exclude-document", str(corpus["ru.txt"])], catch_exceptions=False)
    assert json.loads(run.output)["similarity"] == 0.0


def test_unrelated_document_yields_no_match(store, corpus, en_text):
    result = check_document(store, _doc(en_text))
    assert result.matches == () and result.sources == ()


def test_pdf_round_trip_with_hyphenation_is_found(tmp_path, store, corpus, ru_text):
    copied = _words(ru_text, 100, 160)
    lines = wrap(copied, 70)
    # hyphenate the end of every other line, the way magazine layouts do
    hyphenated = []
    for i, line in enumerate(lines[:-1]):
        last = line.split()[-1]
        if i % 2 == 0 and len(last) > 6 and last.isalpha():
            lines[i + 1] = last[len(last) // 2:] + " " + lines[i + 1]
            line = line[: len(line) - len(last)] + last[:len(last) // 2] + "-"
        hyphenated.append(line)
    hyphenated.append(lines[-1])
    path = make_pdf(tmp_path / "thesis.pdf", [hyphenated[:30], hyphenated[30:]])
    document = extract(path)
    result = check_document(store, document)
    assert [s.id for s in result.sources] == [corpus["ru.txt"]]
    assert result.similarity > 0.9


def test_a_document_left_out_by_hand_is_named_with_the_share_it_would_have_had(tmp_path, store, corpus, ru_text,
                                                                                en_text):
    """--exclude-document must never hide a source without a trace: the check and every report
    format name the document and what it would have explained; an unknown id is an error."""
    from plagcheck.errors import StoreError
    from plagcheck.report import build_report, render_html, render_json, render_pdf

    text = en_text[:2500] + "\n\n" + _words(ru_text, 301, 150) + "\n\n" + en_text[2500:]
    found = check_document(store, _doc(text))
    (source,) = found.sources
    result = check_document(store, _doc(text), exclude_ids={source.id})
    assert result.sources == () and result.similarity == 0.0
    (left_out,) = result.excluded_documents
    assert left_out.id == source.id and left_out.share == pytest.approx(source.share)
    report = build_report(store, _doc(text), exclude_ids={source.id})
    data = __import__("json").loads(render_json(report))
    assert data["options"]["exclude_documents"] == [source.id]
    assert data["excluded_documents"][0]["id"] == source.id
    line = f"document {source.id} ("
    assert line in render_html(report) and "would have explained" in render_html(report)
    pdf = __import__("pymupdf").open("pdf", render_pdf(report))
    assert "would have explained" in " ".join(" ".join(page.get_text().split()) for page in pdf)
    with pytest.raises(StoreError, match="no document with id 9999"):
        check_document(store, _doc(text), exclude_ids={9999})
