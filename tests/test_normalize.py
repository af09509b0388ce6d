"""Normalization: folded words, and the map from each word back to its original characters."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from plagcheck.normalize import INVISIBLE_CHARS, normalize, tokenize, word_script


def test_homoglyph_mixed_words_fold_to_the_clean_words():
    clean = "Математика и философия образования в Казахстане"
    mixed = "Мaтeмaтикa и филоcoфия oбрaзoвaния в Кaзaхcтaнe"  # Latin a, e, c, o inside Cyrillic words
    assert mixed != clean
    assert tokenize(mixed).words == tokenize(clean).words


def test_cyrillic_letters_inside_english_words_fold_to_latin():
    assert tokenize("Тhе рrоblеm of еduсаtiоn").words == tokenize("The problem of education").words


def test_ambiguous_words_take_the_script_of_their_context():
    # "cop" and "сор" are spelled with letters that exist in both scripts.
    assert tokenize("большой cop в комнате").words == tokenize("большой сор в комнате").words
    assert tokenize("a big сор here").words == tokenize("a big cop here").words


def test_zero_width_characters_and_soft_hyphens_removed_inside_words():
    dirty = "педа\u200bгогика и пси\u00adхология об\u200dразования"
    assert tokenize(dirty).words == ("педагогика", "и", "психология", "образования")


def test_kazakh_letters_survive():
    words = tokenize("Әдебиеттер тізімі: ғылым, қоғам, ұлттық, үміт, өнер, Һ, жаңа").words
    assert words == ("әдебиеттер", "тізімі", "ғылым", "қоғам", "ұлттық", "үміт", "өнер", "һ", "жаңа")


def test_kazakh_word_typed_with_latin_i_matches_the_proper_spelling():
    assert tokenize("бiлiм беру").words == tokenize("білім беру").words


def test_yo_casefold_nfkc_and_line_hyphenation():
    assert normalize("ЁЛКА ﬁnal руко-\nводимый") == "елка final руководимый"


def test_offsets_point_at_the_original_spelling():
    text = "Мaтe\u200bмaтикa — руко-\n  водство."
    tokens = tokenize(text)
    assert tokens.words == ("математика", "руководство")
    assert text[tokens.starts[0]:tokens.ends[0]] == "Мaтe\u200bмaтикa"
    assert text[tokens.starts[1]:tokens.ends[1]] == "руко-\n  водство"


def test_word_script():
    assert word_script("мaмa") == "cyrillic"
    assert word_script("cop") is None
    assert word_script("білім") == "cyrillic"
    assert word_script("education") == "latin"


alphabet = st.sampled_from(list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі" "abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFАБВГ0123456789 ,.-\n\t«»") + list(INVISIBLE_CHARS))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=alphabet, max_size=300))
def test_offsets_are_increasing_and_inside_the_text(text):
    tokens = tokenize(text)
    assert len(tokens.starts) == len(tokens.ends) == len(tokens.words)
    previous_end = 0
    for word, start, end in zip(tokens.words, tokens.starts, tokens.ends):
        assert previous_end <= start < end <= len(text)
        assert word  # never an empty word
        previous_end = end


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["білім", "беру", "жүйесі", "образование", "школа", "education", "system"]),
                min_size=1, max_size=20),
       st.lists(st.sampled_from(list(INVISIBLE_CHARS)), min_size=1, max_size=5))
def test_invisible_characters_never_change_the_words(words, invisibles):
    clean = " ".join(words)
    dirty = " ".join(w[:1] + invisibles[i % len(invisibles)] + w[1:] for i, w in enumerate(words))
    assert tokenize(dirty).words == tokenize(clean).words
