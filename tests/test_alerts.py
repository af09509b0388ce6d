"""Evasion alerts: homoglyphs (respecting Kazakh), invisible characters, letter spacing, extraction alerts."""

from __future__ import annotations

from plagcheck.alerts import find_alerts, homoglyph_words, text_alerts
from plagcheck.extract import extract
from plagcheck.models import Document
from tests.builders import make_pdf, wrap
from tests.report_fixtures import RU


def _kinds(text: str) -> list[str]:
    return [a.kind for a in text_alerts(text)]


def test_russian_word_with_latin_lookalikes_is_flagged_with_its_location():
    text = "Президент отметил, что укрепление кадрового потенциала имеет первостепенное знaчение."
    (alert,) = text_alerts(text)
    assert alert.kind == "homoglyph"
    assert text[alert.start:alert.end] == "знaчение"
    assert "Latin a" in alert.message


def test_english_word_with_cyrillic_lookalikes_is_flagged():
    (hit,) = homoglyph_words("The university in Kаzаkhstаn signed it.")
    assert "Cyrillic а in a Latin word" in hit.note


def test_kazakh_words_are_not_attacks():
    # Kazakh і, һ, ә … are Cyrillic letters; Latin i typed for і is a keyboard habit.
    text = "Білім беру жүйесі және ғылым. Бiлiм алу — қоғамның негiзi. Жиһаз, һәм, Kazinform-тың хабарлауынша."
    assert _kinds(text) == []


def test_mixed_word_with_a_real_letter_of_the_other_script_is_not_flagged():
    assert homoglyph_words("Kazinformтың хабары") == []


def test_substituted_page_gives_one_alert_not_hundreds():
    words = RU.split()[:200]
    text = " ".join(w.replace("а", "a").replace("о", "o") for w in words)
    alerts = text_alerts(text)
    assert [a.kind for a in alerts] == ["homoglyph"]
    assert int(alerts[0].message.split()[0]) > 50


def test_invisible_characters_inside_words_are_grouped():
    text = "Обычный текст. " + "\u200b".join("руководство") + " и " + "об\u200dразование" + ". Конец."
    (alert,) = text_alerts(text)
    assert alert.kind == "invisible_characters"
    assert alert.message.startswith("11 invisible")
    assert "zero width space" in alert.message and "zero width joiner" in alert.message


def test_a_few_soft_hyphens_and_a_leading_bom_are_not_alerts():
    text = "\ufeffМеждународное со\u00adтрудничество и ин\u00adтернационализация."
    assert _kinds(text) == []
    many = " ".join("со\u00adтруд\u00adни\u00adчест\u00adво" for _ in range(3))
    assert _kinds(many) == ["invisible_characters"]


def test_letters_spaced_apart():
    text = "Работа проверена на п л а г и а т системой, а также на s p a c i n g."
    alerts = text_alerts(text)
    assert [a.kind for a in alerts] == ["letter_spacing"]
    assert "'п л а г и а т'" in alerts[0].message and "'s p a c i n g'" in alerts[0].message
    assert _kinds("Пункты а и б, а также в.") == []


def test_extraction_alerts_are_combined_and_located(tmp_path):
    path = make_pdf(tmp_path / "hidden.pdf", [wrap(RU[:900]), wrap(RU[900:1500])],
                    white="скрытый белый текст для обмана", tiny="микроскопический текст")
    document = extract(path)
    spoofed = Document(document.path, document.format, document.text + "\nзнaчение мaтeмaтики",
                       document.pages, document.alerts)
    alerts = find_alerts(spoofed)
    kinds = [a.kind for a in alerts]
    assert {"white_text", "microscopic_text", "homoglyph"} <= set(kinds)
    white = next(a for a in alerts if a.kind == "white_text")
    assert white.page == 1 and "белый" in spoofed.text[white.start:white.end]
    assert [a.start for a in alerts] == sorted(a.start for a in alerts)


def test_a_latin_term_typed_with_the_kazakh_i_is_not_an_attack_in_a_kazakh_text_only():
    term = "transplantat\u0456on"  # Kazakh і in a Latin word: Kazakh Wikipedia has such terms
    kazakh = (f"Ағзаларды ауыстыру ({term}) қазіргі медицинаның маңызды саласы болып табылады. "
              "Бұл әдіс көптеген науқастардың өмірін сақтап қалады және зерттеулер жалғасуда.")
    english = f"Organ replacement ({term}) is an important field of modern medicine, studied widely."
    assert not [a for a in text_alerts(kazakh) if a.kind == "homoglyph"]
    assert homoglyph_words(english) and homoglyph_words(english)[0].note.startswith(f"'{term}'")
    assert homoglyph_words(kazakh.replace("transplantat\u0456on", "tr\u0430nsplant\u0430tion"), kazakh=True)  # а: flagged
