"""Real files for the report tests: a small corpus (TXT, DOCX, PDF) and theses that copy from it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from plagcheck.ingest import add_file
from tests.builders import EN_TEXT, RU_TEXT, bundled_text, make_docx, make_pdf, paragraphs, wrap

RU = RU_TEXT       # a corpus source (PDF): word problems, small rural schools
EN_MEMO = EN_TEXT  # a corpus source (DOCX): gifted learners, academic writing and integrity
# The checked theses' own prose (words 0-550) and the prior corpus thesis' body (words 560-700).
EN_OWN = bundled_text("en", "01-reflective-practice", "02-critical-thinking-history", "03-school-family-partnership")

# A reference list in GOST style, as a corpus thesis would end.
BIBLIOGRAPHY = [
    "1. Назарбаев Н.А. Казахстанский путь. – Караганда: Арко, 2006. – 372 с.",
    "2. Кусаинов А.К. Качество образования в Казахстане // Высшая школа Казахстана. – 2015. – № 2. – С. 12–19.",
    "3. Жумабаева А.Е., Ахметова Г.К. Педагогика высшей школы. – Алматы: Қазақ университеті, 2018. – 240 с.",
    "4. Смирнов С.Д. Педагогика и психология высшего образования. – М.: Академия, 2007. – 400 с.",
    "5. Altbach P.G., Knight J. The internationalization of higher education // Journal of Studies in "
    "International Education. – 2007. – Vol. 11, No. 3. – P. 290–305.",
    "6. Бейсенбаева А.А. Теория и практика воспитания. – Алматы: Ғылым, 2011. – 284 с.",
    "7. Ильина Т.А. Педагогика: курс лекций. – М.: Просвещение, 1984. – 496 с.",
    "8. Knight J. Higher Education in Turmoil. – Rotterdam: Sense Publishers, 2008. – 220 p.",
    "9. Мынбаева А.К., Садвакасова З.М. Инновационные методы обучения. – Алматы: Қазақ университеті, 2010. – 344 с.",
    "10. Государственная программа развития образования Республики Казахстан на 2020–2025 годы. – "
    "Нур-Султан, 2019. – URL: https://adilet.zan.kz (дата обращения: 12.03.2023).",
]

# Standard front matter that every thesis of a university shares.
TEMPLATE = (
    "МИНИСТЕРСТВО НАУКИ И ВЫСШЕГО ОБРАЗОВАНИЯ РЕСПУБЛИКИ КАЗАХСТАН\n"
    "Казахский национальный педагогический университет имени Абая\n"
    "Институт педагогики и психологии, кафедра общей педагогики\n"
    "ДИПЛОМНАЯ РАБОТА\n"
    "на соискание академической степени бакалавра образования по образовательной программе "
    "6B01101 Педагогика и психология. Допущена к защите заведующим кафедрой, протокол заседания кафедры "
    "номер и дата, научный руководитель кандидат педагогических наук, ассоциированный профессор.\n"
    "Алматы, 2024\n")


def words(text: str, start: int, count: int) -> str:
    return " ".join(text.split()[start:start + count])


@dataclass(frozen=True)
class Corpus:
    folder: Path
    ids: dict[str, int]


def build_corpus(tmp_path: Path, store, *, common_copies: int = 0) -> Corpus:
    """A corpus of three real files: the Russian text :data:`RU` as PDF, :data:`EN_MEMO` as DOCX, and a
    corpus thesis (TXT) that ends with a bibliography. With ``common_copies``, that many more
    theses share the standard front matter :data:`TEMPLATE` (each with its own body)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    lines = wrap(RU)
    ru_pdf = make_pdf(folder / "rural-schools.pdf", [lines[k:k + 40] for k in range(0, len(lines), 40)])
    memo = make_docx(folder / "gifted-learners.docx", paragraphs(EN_MEMO))
    thesis = folder / "prior-thesis.txt"
    thesis.write_text("Введение\n" + words(EN_OWN, 560, 140) + "\n\nСписок использованных источников\n"
                      + "\n".join(BIBLIOGRAPHY) + "\n", encoding="utf-8")
    ids = {
        "ru": add_file(store, ru_pdf, {"title": "Текстовые задачи и малокомплектные школы",
                                       "author": "А. Автор", "year": 2025}).doc_id,
        "memo": add_file(store, memo, {"title": "Gifted learners and academic integrity", "author": "B. Author",
                                       "year": 2021}).doc_id,
        "prior": add_file(store, thesis, {"title": "Prior thesis with references", "year": 2023}).doc_id,
    }
    for k in range(common_copies):
        path = folder / f"template-{k}.txt"
        own = words(EN_MEMO, 50 * k, 50)  # each thesis' own body (never copied by the checked thesis)
        path.write_text(TEMPLATE + "\nВведение\n" + own + "\n", encoding="utf-8")
        ids[f"template-{k}"] = add_file(store, path, {"title": f"Thesis {k}"}).doc_id
    assert all(ids.values()), ids
    return Corpus(folder, ids)


def own_prose(count: int = 180, start: int = 0) -> str:
    """The checked thesis' own writing: text that is not in the corpus (words 0–550 of :data:`EN_OWN`)."""
    assert start + count <= 550
    return words(EN_OWN, start, count)


HOSTILE = "<script>alert(1)</script> &amp; &lt;b&gt;"  # must be shown literally by every renderer


def copying_thesis(tmp_path: Path):
    """A thesis (a real PDF, extracted) that copies 90 words of :data:`RU`, 80 of :data:`EN_MEMO`
    around :data:`HOSTILE` text, quotes 30 more words of :data:`EN_MEMO` with a citation, and ends
    with a bibliography: against :func:`build_corpus`, two sources that share no text, a quotation
    and a bibliography to exclude."""
    from plagcheck.extract import extract
    from tests.builders import make_pdf, wrap

    text = " ".join([own_prose(150), words(RU, 100, 90), own_prose(120, 200), words(EN_MEMO, 150, 40), HOSTILE,
                     words(EN_MEMO, 190, 40), own_prose(80, 400), "As the memo puts it, «" + words(EN_MEMO, 300, 30)
                     + "» [2, p. 45].", own_prose(60, 480)])
    lines = wrap(text)
    pages = [lines[:40], lines[40:], ["Список использованных источников", *BIBLIOGRAPHY[:4]]]
    return extract(make_pdf(tmp_path / "thesis.pdf", pages))
