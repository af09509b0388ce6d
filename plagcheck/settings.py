"""One validated settings object; copied into every report so a check can be re-run the same way."""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from plagcheck import defaults


@dataclass(frozen=True)
class IndexParams:
    """Parameters that shape the stored index. Changing any of them requires a full reindex."""

    stem_prefix: int = defaults.STEM_PREFIX
    shingle_size: int = defaults.SHINGLE_SIZE
    passage_words: int = defaults.PASSAGE_WORDS
    num_perm: int = defaults.NUM_PERM
    lsh_bands: int = defaults.LSH_BANDS
    lsh_rows: int = defaults.LSH_ROWS
    minhash_seed: int = defaults.MINHASH_SEED
    fingerprint_words: int = defaults.FINGERPRINT_WORDS
    fingerprint_window: int = defaults.FINGERPRINT_WINDOW

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or (value < 1 and f.name != "minhash_seed"):
                raise ValueError(f"{f.name} must be a positive integer, got {value!r}")
        if self.lsh_bands * self.lsh_rows > self.num_perm:
            raise ValueError(
                f"lsh_bands * lsh_rows ({self.lsh_bands * self.lsh_rows}) must not exceed num_perm "
                f"({self.num_perm}). Did you forget to raise num_perm?"
            )
        if self.passage_words <= self.shingle_size:
            raise ValueError("passage_words must be larger than shingle_size")
        if self.fingerprint_words > 8:
            raise ValueError(f"fingerprint_words must be at most 8, got {self.fingerprint_words}")

    @property
    def guaranteed_words(self) -> int:
        """Every run of this many identical stems shares a stored fingerprint (k + w - 1)."""
        return self.fingerprint_words + self.fingerprint_window - 1

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Settings:
    """Everything that decides the outcome of a check."""

    index: IndexParams = IndexParams()
    query_stride: int = defaults.QUERY_STRIDE
    min_tfidf_cosine: float = defaults.MIN_TFIDF_COSINE
    seed_gap_words: int = defaults.SEED_GAP_WORDS
    min_match_words: int = defaults.MIN_MATCH_WORDS
    min_match_seeds: int = defaults.MIN_MATCH_SEEDS
    max_seed_occurrences: int = defaults.MAX_SEED_OCCURRENCES
    min_short_words: int = defaults.MIN_SHORT_WORDS
    join_gap_words: int = defaults.JOIN_GAP_WORDS
    semantic: bool = True          # the semantic layer (translations, paraphrases); --no-semantic
    min_margin: float = defaults.MIN_MARGIN
    single_sentence_margin: float = defaults.SINGLE_SENTENCE_MARGIN
    extend_margin: float = defaults.EXTEND_MARGIN
    passage_margin: float = defaults.PASSAGE_MARGIN
    passage_min_words: int = defaults.PASSAGE_MIN_WORDS
    min_run_sentences: int = defaults.MIN_RUN_SENTENCES
    max_run_gap: int = defaults.MAX_RUN_GAP
    search_top_k: int = defaults.SEARCH_TOP_K
    candidate_stride: int = defaults.CANDIDATE_STRIDE
    candidate_top_k: int = defaults.CANDIDATE_TOP_K
    candidate_min_cos: float = defaults.CANDIDATE_MIN_COS
    candidate_min_cos_same_language: float = defaults.CANDIDATE_MIN_COS_SAME_LANGUAGE
    max_candidate_units: int = defaults.MAX_CANDIDATE_UNITS
    max_anchor_hits: int = defaults.MAX_ANCHOR_HITS  # stretches sharing translation anchors also compared (0: none)
    margin_neighbours: int = defaults.MARGIN_NEIGHBOURS
    semantic_index: bool = True    # the candidate step searches the generation's ANN index, if it has one
    semantic_nprobe: int = defaults.UNIT_INDEX_NPROBE  # ... this many of its inverted lists per checked unit

    def __post_init__(self):
        if not 0.0 <= self.min_tfidf_cosine <= 1.0:
            raise ValueError("min_tfidf_cosine must be between 0 and 1")
        for name in ("query_stride", "seed_gap_words", "min_match_words", "min_match_seeds",
                     "max_seed_occurrences"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.query_stride > self.index.passage_words:
            raise ValueError("query_stride must not exceed passage_words")
        if self.min_short_words < max(defaults.SHORT_MATCH_WORDS, self.index.fingerprint_words):
            raise ValueError(f"min_short_words must be at least {defaults.SHORT_MATCH_WORDS} "
                             f"(and fingerprint_words), got {self.min_short_words}")
        if not 0.5 <= self.min_margin <= self.single_sentence_margin:
            raise ValueError("min_margin must be at least 0.5 and at most single_sentence_margin")
        if not 0.5 <= self.extend_margin <= self.min_margin:
            raise ValueError("extend_margin must be at least 0.5 and at most min_margin")
        if self.passage_margin < 0.5:
            raise ValueError("passage_margin must be at least 0.5")
        for name in ("min_run_sentences", "passage_min_words", "search_top_k", "margin_neighbours", "candidate_top_k",
                     "candidate_stride", "max_candidate_units", "semantic_nprobe"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        for name in ("candidate_min_cos", "candidate_min_cos_same_language"):
            if not -1.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between -1 and 1")
        if self.join_gap_words < 0:
            raise ValueError("join_gap_words must not be negative")
        if self.max_anchor_hits < 0:
            raise ValueError("max_anchor_hits must not be negative")
        if self.max_run_gap < 0:
            raise ValueError("max_run_gap must not be negative")

    def to_dict(self) -> dict:
        return asdict(self)


DEFAULT_DB = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "plagcheck" / "plagcheck.db"
_POSTGRES = re.compile(r"^postgres(ql)?://", re.IGNORECASE)


def default_db_path() -> Path | str:
    """``$PLAGCHECK_DB`` if set (a path, ``sqlite:///path`` or a ``postgresql://`` URL), else
    ``~/.local/share/plagcheck/plagcheck.db``."""
    env = os.environ.get("PLAGCHECK_DB")
    return database_argument(env) if env else DEFAULT_DB


def is_postgres(database) -> bool:
    """Whether a database argument names a PostgreSQL server (``postgresql://…``)."""
    return bool(_POSTGRES.match(str(database)))


def sqlite_path(database) -> Path:
    """The file of a SQLite database argument: a path, or ``sqlite:///path`` (four slashes for an
    absolute one, as SQLAlchemy writes it)."""
    text = str(database)
    if text.startswith("sqlite:///"):
        return Path(text[len("sqlite:///"):])
    if text.startswith("sqlite:"):
        raise ValueError(f"{text}: write a SQLite database as sqlite:///relative/path or sqlite:////absolute/path")
    return Path(text)


def database_argument(text: str) -> Path | str:
    """A database argument as the library takes it: a URL for PostgreSQL, else the SQLite file's path."""
    return str(text) if is_postgres(text) else sqlite_path(text)


def describe_database(database) -> str:
    """The database as a message names it: a path, or a URL with its password hidden."""
    text = str(database)
    if is_postgres(text):
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", text)
    return str(sqlite_path(text))
