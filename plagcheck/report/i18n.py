"""The words of the reports and certificates in Kazakh, Russian and English.

A plain Python catalogue, not gettext: the three languages are kept side by side under one key,
so that a translator (and a test) sees at once whether a label is missing or says something else
in one of them; there is no compile step (``.po`` → ``.mo``) and no file to ship beside the
package; and plural forms, which differ in kind between the three (English one/other, Russian
one/few/many, Kazakh one form after a numeral), are a small function here. The web cabinet
translates its own pages with Django's gettext; the reports it serves take their labels from here.

Terms follow what Antiplagiat and StrikePlagiarism users know: Russian «Заимствования»,
«Цитирования», «Оригинальность», «Справка о результатах проверки»; Kazakh «Алынған мәтін»,
«Дәйексөздер», «Мәтіннің түпнұсқалығы», «Анықтама». Russian and Kazakh write a decimal comma.
"""

from __future__ import annotations

import functools

LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "en"

# key -> (en, ru, kk). ``{name}`` placeholders are filled by Translator.__call__.
MESSAGES: dict[str, tuple[str, str, str]] = {
    # -- the three figures --------------------------------------------------------------------
    "similarity_report": ("Similarity report", "Отчёт о проверке на заимствования", "Ұқсастық есебі"),
    "borrowed": ("Borrowed", "Заимствования", "Алынған мәтін"),
    "cited": ("Cited or excluded", "Цитирования и исключения", "Дәйексөздер мен алып тасталған мәтін"),
    "original": ("Original", "Оригинальность", "Мәтіннің түпнұсқалығы"),
    "borrowed_hint": ("found in a source and not cited", "найдено в источнике и не процитировано",
                      "дереккөзден табылған, сілтемесі жоқ"),
    "borrowed_hint_html": ("matches a source and is not cited", "совпадает с источником и не процитировано",
                           "дереккөзбен сәйкес, сілтемесі жоқ"),
    "cited_hint": ("quotations, bibliography, standard wording", "цитаты, список литературы, типовые формулировки",
                   "дәйексөздер, әдебиеттер тізімі, үлгі сөз тіркестері"),
    "original_hint": ("no match, or too short to count", "совпадений нет или они слишком коротки",
                      "сәйкестік жоқ немесе ол тым қысқа"),
    "borrowed_part": ("Borrowed: {part}", "Заимствования: {part}", "Алынған мәтін: {part}"),
    "part.copied": ("copied", "скопировано", "көшірілген"),
    "part.translation": ("translated", "переведено", "аударылған"),
    "part.paraphrase": ("paraphrased", "перефразировано", "қайта тұжырымдалған"),
    "of_which": ("of which {parts}", "в том числе {parts}", "оның ішінде {parts}"),
    "shares_add_up": ("Shares of the whole text; they add up to 100%. Before exclusions {percent} of the text was in "
                      "some match.",
                      "Доли всего текста; в сумме 100%. До исключений в каких-либо совпадениях было {percent} текста.",
                      "Бүкіл мәтіннің үлестері; қосындысы 100%. Алып тастауға дейін мәтіннің {percent} қандай да бір "
                      "сәйкестікте болды."),
    "lighter_part": ("The lighter part of the borrowed share was translated or paraphrased.",
                     "Более светлая часть доли заимствований — переводы и перефразирования.",
                     "Алынған мәтін үлесінің ашық түсті бөлігі — аударма мен қайта тұжырымдау."),
    "what_numbers_mean": ("What the numbers mean", "Что означают цифры", "Сандар нені білдіреді"),
    "what_these_numbers_mean": ("What these numbers mean", "Что означают эти цифры", "Бұл сандар нені білдіреді"),
    # -- alerts ---------------------------------------------------------------------------------
    "alert.homoglyph": ("Homoglyph substitution", "Подмена символов (гомоглифы)", "Таңбаларды алмастыру (гомоглифтер)"),
    "alert.invisible_characters": ("Invisible characters", "Невидимые символы", "Көрінбейтін таңбалар"),
    "alert.white_text": ("White text", "Белый текст", "Ақ түсті мәтін"),
    "alert.microscopic_text": ("Microscopic text", "Микроскопический шрифт", "Өте ұсақ қаріп"),
    "alert.hidden_text": ("Hidden text", "Скрытый текст", "Жасырын мәтін"),
    "alert.no_text_layer": ("Page without a text layer", "Страница без текстового слоя", "Мәтін қабаты жоқ бет"),
    "alert.letter_spacing": ("Letters spaced apart", "Разрядка букв", "Әріптер арасы ашылған"),
    "alert.identical_document": ("Identical to a corpus document", "Совпадает с документом корпуса",
                                 "Корпустағы құжатпен бірдей"),
    "alert.damaged_file": ("Damaged file", "Повреждённый файл", "Зақымдалған файл"),
    "alert.scanned_pages": ("Scanned pages read by OCR", "Сканированные страницы, распознанные OCR",
                            "OCR арқылы танылған сканерленген беттер"),
    "alert.text_in_images": ("Text in images", "Текст в изображениях", "Суреттердегі мәтін"),
    "alert.image_not_recognised": ("Image not searched for text", "Изображение не проверено на текст",
                                   "Сурет мәтінге тексерілмеді"),
    "alert.legacy_font": ("Legacy Kazakh font", "Устаревший казахский шрифт", "Ескі қазақ қарпі"),
    "alerts": ("Alerts", "Предупреждения", "Ескертулер"),
    # the details of an alert, as the detectors write them in English (see text.alert_message)
    "alert_msg.homoglyph": ("{n} word(s) mixing Latin and Cyrillic lookalike letters: {rest}",
                            "слов со смешением латинских и кириллических букв-двойников: {n}: {rest}",
                            "латын және кирилл әріптері араласқан сөздер: {n}: {rest}"),
    "alert_msg.latin_in_cyrillic": ("{word}: Latin {letters} in a Cyrillic word",
                                    "{word}: латинские {letters} в кириллическом слове",
                                    "{word}: кирилл сөзіндегі латын әріптері: {letters}"),
    "alert_msg.cyrillic_in_latin": ("{word}: Cyrillic {letters} in a Latin word",
                                    "{word}: кириллические {letters} в латинском слове",
                                    "{word}: латын сөзіндегі кирилл әріптері: {letters}"),
    "alert_msg.invisible": ("{n} invisible character(s) inside words ({names})",
                            "невидимых символов внутри слов: {n} ({names})",
                            "сөз ішіндегі көрінбейтін таңбалар: {n} ({names})"),
    "alert_msg.spacing": ("{n} run(s) of letters spaced apart: {rest}", "фрагментов с разрядкой букв: {n}: {rest}",
                          "әріптері бөлек жазылған үзінділер: {n}: {rest}"),
    "alert_msg.white_page": ("white text on page {page}: {rest}", "белый текст на стр. {page}: {rest}",
                             "{page}-беттегі ақ түсті мәтін: {rest}"),
    "alert_msg.white": ("white text: {rest}", "белый текст: {rest}", "ақ түсті мәтін: {rest}"),
    "alert_msg.tiny_page": ("microscopic text ({size} pt) on page {page}: {rest}",
                            "микроскопический шрифт ({size} пт) на стр. {page}: {rest}",
                            "{page}-беттегі өте ұсақ қаріп ({size} пт): {rest}"),
    "alert_msg.tiny": ("microscopic text ({size} pt): {rest}", "микроскопический шрифт ({size} пт): {rest}",
                       "өте ұсақ қаріп ({size} пт): {rest}"),
    "alert_msg.hidden": ("hidden text: {rest}", "скрытый текст: {rest}", "жасырын мәтін: {rest}"),
    "alert_msg.scanned": ("page {page} has no text layer (scanned image): its text was not checked",
                          "на стр. {page} нет текстового слоя (скан): её текст не проверен",
                          "{page}-бетте мәтін қабаты жоқ (сканерленген сурет): оның мәтіні тексерілмеді"),
    "alert_msg.identical": ("identical to document {id} ({who})", "совпадает с документом {id} ({who})",
                            "№{id} құжатпен бірдей ({who})"),
    "alert_msg.added": ("added {date}", "добавлен {date}", "{date} қосылған"),
    "alert_msg.damaged": ("the PDF is damaged (MuPDF reported {n} problem(s) reading it, the first: {first}); its "
                          "text may be incomplete, and what could not be read was not checked",
                          "PDF повреждён (проблем при чтении, по данным MuPDF: {n}; первая: {first}); текст может "
                          "быть неполным, непрочитанное не проверено",
                          "PDF зақымдалған (MuPDF оқу кезінде тапқан мәселелер: {n}; біріншісі: {first}); мәтін "
                          "толық болмауы мүмкін, оқылмаған бөлігі тексерілмеді"),
    "no_evasion": ("No signs of evasion found.", "Признаков обхода проверки не найдено.",
                   "Тексеруді айналып өту белгілері табылмады."),
    # -- exclusions -----------------------------------------------------------------------------
    "exclusion.quote": ("Quotation with citation", "Цитата со ссылкой", "Сілтемесі бар дәйексөз"),
    "exclusion.bibliography": ("Bibliography", "Список литературы", "Әдебиеттер тізімі"),
    "exclusion.common_passage": ("Common passage", "Типовой фрагмент", "Үлгі үзінді"),
    "exclusion.short_match": ("Short match", "Короткое совпадение", "Қысқа сәйкестік"),
    "exclusion.reviewer": ("Excluded by the reviewer", "Исключено проверяющим", "Тексеруші алып тастаған"),
    "exclusions": ("Exclusions", "Исключения", "Алып тастаулар"),
    "reason.quote": ("quoted with a citation {citation}", "цитата со ссылкой {citation}",
                     "сілтемесі бар дәйексөз {citation}"),
    "reason.bibliography": ("bibliography ({heading}): {n} reference(s) recognised by their form",
                            "список литературы ({heading}): распознано по форме записей: {n}",
                            "әдебиеттер тізімі ({heading}): пішіні бойынша танылған жазбалар: {n}"),
    "reason.common_passage": ("shared by {n} corpus documents (standard wording)",
                              "встречается в {n} документах корпуса (типовая формулировка)",
                              "корпустың {n} құжатында кездеседі (үлгі сөз тіркесі)"),
    "reason.short_match": ("match of {n} counted word(s), fewer than {min}",
                           "совпадение из {n} учтённых слов, меньше {min}",
                           "{n} есептелген сөзден тұратын сәйкестік, {min} сөзден аз"),
    "reason.reviewer_source": ("excluded by the reviewer: source {id}", "исключено проверяющим: источник {id}",
                               "тексеруші алып тастады: №{id} дереккөз"),
    "reason.reviewer_match": ("excluded by the reviewer: match {id}", "исключено проверяющим: совпадение {id}",
                              "тексеруші алып тастады: №{id} сәйкестік"),
    "applied.quotes": ("quotations with a citation", "цитаты со ссылкой", "сілтемесі бар дәйексөздер"),
    "applied.bibliography": ("the bibliography", "список литературы", "әдебиеттер тізімі"),
    "applied.common": ("passages shared by {n}+ corpus documents", "фрагменты, общие для {n}+ документов корпуса",
                       "корпустың {n}+ құжатына ортақ үзінділер"),
    "applied.short": ("matches under {n} words", "совпадения короче {n} слов", "{n} сөзден қысқа сәйкестіктер"),
    "exclusions_applied": ("exclusions applied: {list}", "применённые исключения: {list}",
                           "қолданылған алып тастаулар: {list}"),
    "none": ("none", "нет", "жоқ"),
    "applied": ("Applied: {list}.", "Применены: {list}.", "Қолданылды: {list}."),
    "cited_of_text": ("Cited or excluded: {list} of the text.", "Цитирования и исключения: {list} текста.",
                      "Дәйексөздер мен алып тасталған мәтін (мәтіннің үлесі): {list}."),
    "switch.quotes": ("quoted passages with a citation", "цитаты со ссылкой", "сілтемесі бар дәйексөздер"),
    "switch.bibliography": ("bibliography", "список литературы", "әдебиеттер тізімі"),
    "switch.short": ("matches shorter than {n} words", "совпадения короче {n} слов", "{n} сөзден қысқа сәйкестіктер"),
    "switch.common": ("passages shared by {n}+ corpus documents", "фрагменты, общие для {n}+ документов корпуса",
                      "корпустың {n}+ құжатына ортақ үзінділер"),
    "switch_on": ("excluded", "исключаются", "алынып тасталады"),
    "switch_off": ("counted", "учитываются", "есептеледі"),
    "nothing_excluded": ("Nothing was excluded.", "Ничего не исключено.", "Ештеңе алынып тасталған жоқ."),
    "excluded_title": ("excluded: {reason}", "исключено: {reason}", "алынып тасталды: {reason}"),
    "document_left_out": ("Corpus document left out", "Документ корпуса не учитывается",
                          "Корпус құжаты есепке алынбады"),
    "left_out_line": ("document {id} ({who}) left out as this document's own entry; it would have explained "
                      "{percent} of the text",
                      "документ {id} ({who}) не учитывается как запись этой же работы; он объяснил бы {percent} текста",
                      "№{id} құжат ({who}) осы жұмыстың өз жазбасы ретінде есепке алынбады; ол мәтіннің {percent} "
                      "бөлігін түсіндірер еді"),
    "switched_off": ("Switched off for this report (counted like any other text): {list}.",
                     "В этом отчёте отключено (учитывается как любой другой текст): {list}.",
                     "Бұл есепте өшірілген (басқа мәтін сияқты есептеледі): {list}."),
    "off.quotes": ("quotations", "цитаты", "дәйексөздер"),
    "off.bibliography": ("bibliography", "список литературы", "әдебиеттер тізімі"),
    "off.common": ("common passages", "типовые фрагменты", "үлгі үзінділер"),
    # -- kinds of match -------------------------------------------------------------------------
    "translated_from.kk": ("translated from Kazakh", "перевод с казахского", "қазақ тілінен аударылған"),
    "translated_from.ru": ("translated from Russian", "перевод с русского", "орыс тілінен аударылған"),
    "translated_from.en": ("translated from English", "перевод с английского", "ағылшын тілінен аударылған"),
    "translated": ("translated", "перевод", "аударма"),
    "paraphrased": ("paraphrased", "перефразирование", "қайта тұжырымдалған"),
    "copied_sentence": ("copied sentence", "скопированное предложение", "көшірілген сөйлем"),
    "from.kk": ("from Kazakh", "с казахского", "қазақ тілінен"),
    "from.ru": ("from Russian", "с русского", "орыс тілінен"),
    "from.en": ("from English", "с английского", "ағылшын тілінен"),
    "in.kk": ("in Kazakh", "на казахском", "қазақ тілінде"),
    "in.ru": ("in Russian", "на русском", "орыс тілінде"),
    "in.en": ("in English", "на английском", "ағылшын тілінде"),
    "language.kk": ("Kazakh", "казахский", "қазақ тілі"),
    "language.ru": ("Russian", "русский", "орыс тілі"),
    "language.en": ("English", "английский", "ағылшын тілі"),
    "language.mixed": ("mixed", "смешанный", "аралас"),
    "kind.translation": ("translation", "перевод", "аударма"),
    "kind.paraphrase": ("paraphrase", "перефразирование", "қайта тұжырымдау"),
    "wording_same": ("wording {n}% the same", "формулировка совпадает на {n}%", "сөздері {n}% сәйкес"),
    "evidence_note": ("evidence to review, not proof", "повод для проверки, а не доказательство",
                      "дәлел емес, тексеруге негіз"),
    "meaning_matches": ("meaning matches ({kind}); {note}", "совпадает смысл ({kind}); {note}",
                        "мағынасы сәйкес ({kind}); {note}"),
    "semantic_hint": ("Found by comparing the meaning of sentences (multilingual sentence embeddings), not their "
                      "words: a translation or a paraphrase shares few words with its source. Read the two passages "
                      "side by side: a match of meaning is evidence to review, not proof.",
                      "Найдено сравнением смысла предложений (многоязычные векторные представления), а не слов: у "
                      "перевода или пересказа мало общих слов с источником. Прочитайте оба фрагмента рядом: "
                      "совпадение смысла — повод для проверки, а не доказательство.",
                      "Сөздер емес, сөйлемдердің мағынасы салыстырылып табылды (көптілді векторлық көріністер): "
                      "аударма мен қайта тұжырымдалған мәтіннің дереккөзбен ортақ сөздері аз. Екі үзіндіні қатар "
                      "оқыңыз: мағына сәйкестігі — дәлел емес, тексеруге негіз."),
    "semantic_note": ("Translated and paraphrased passages are found by comparing the meaning of sentences, not their "
                      "words: each is {note}. Read it beside its source passage (the HTML report shows both).",
                      "Переводы и перефразирования найдены сравнением смысла предложений, а не слов: каждое — {note}. "
                      "Читайте его рядом с фрагментом источника (HTML-отчёт показывает оба).",
                      "Аудармалар мен қайта тұжырымдалған үзінділер сөздер емес, сөйлемдердің мағынасы бойынша "
                      "табылды: әрқайсысы — {note}. Оны дереккөз үзіндісімен қатар оқыңыз (HTML есебі екеуін де "
                      "көрсетеді)."),
    # -- the sources ----------------------------------------------------------------------------
    "sources": ("Sources", "Источники", "Дереккөздер"),
    "no_sources": ("No matching sources found.", "Источники совпадений не найдены.", "Сәйкес дереккөздер табылмады."),
    "source_excluded_by_reviewer": ("(excluded by the reviewer)", "(исключён проверяющим)", "(тексеруші алып тастады)"),
    "all_matches_excluded": ("(all its matches excluded)", "(все его совпадения исключены)",
                             "(барлық сәйкестіктері алынып тасталды)"),
    "before_exclusions": ("before exclusions {percent}", "до исключений {percent}", "алып тастауға дейін {percent}"),
    "th.source": ("Source", "Источник", "Дереккөз"),
    "th.before_exclusions": ("Before exclusions", "До исключений", "Алып тастауға дейін"),
    "th.matches_in_text": ("Matches in the text", "Совпадения в тексте", "Мәтіндегі сәйкестіктер"),
    "numbers_note": ("Matches are numbered in text order, as in the full text below; a number in brackets is a match "
                     "that does not count (cited, or too short).",
                     "Совпадения пронумерованы в порядке текста, как в полном тексте ниже; номер в скобках — "
                     "совпадение, которое не учитывается (процитировано или слишком короткое).",
                     "Сәйкестіктер төмендегі толық мәтіндегідей мәтін ретімен нөмірленген; жақшадағы нөмір — "
                     "есептелмейтін сәйкестік (дәйексөз немесе тым қысқа)."),
    # -- the text and the panels ----------------------------------------------------------------
    "document_text": ("Document text", "Текст документа", "Құжат мәтіні"),
    "text": ("Text", "Текст", "Мәтін"),
    "static_view": ("static view", "статический просмотр", "статикалық көрініс"),
    "interactive": ("interactive: {n} highlighted passages (click one; n / p for next / previous)",
                    "интерактивно: выделенных фрагментов — {n} (щёлкните по фрагменту; n / p — следующий / предыдущий)",
                    "интерактивті: белгіленген үзінділер саны — {n} (үзіндіні басыңыз; n / p — келесі / алдыңғы)"),
    "legend.counted": ("counted match", "учтённое совпадение", "есептелген сәйкестік"),
    "legend.semantic": ("translated or paraphrased (to review)", "перевод или перефразирование (проверить)",
                        "аударма немесе қайта тұжырымдау (тексеру керек)"),
    "legend.not_counted": ("match not counted", "неучтённое совпадение", "есептелмеген сәйкестік"),
    "legend.excluded": ("excluded text", "исключённый текст", "алынып тасталған мәтін"),
    "legend.alert": ("alert", "предупреждение", "ескерту"),
    "legend.ocr": ("recognised by OCR", "распознано OCR", "OCR арқылы танылған"),
    "click_hint": ("Click a highlighted passage to see its source beside it.",
                   "Щёлкните по выделенному фрагменту, чтобы увидеть рядом его источник.",
                   "Дереккөзін қатар көру үшін белгіленген үзіндіні басыңыз."),
    "record": ("Engine, parameters and corpus state (to re-run this check)",
               "Версия программы, параметры и состояние корпуса (для повторной проверки)",
               "Бағдарлама нұсқасы, параметрлер және корпус күйі (тексеруді қайталау үшін)"),
    "counts": ("counts toward similarity", "учитывается в заимствованиях", "алынған мәтінге есептеледі"),
    "not_counted": ("not counted ({reasons})", "не учитывается ({reasons})", "есептелмейді ({reasons})"),
    "excluded": ("excluded", "исключено", "алынып тасталды"),
    "n_words": ("{n} words", "слов: {n}", "{n} сөз"),
    "source_characters": ("source characters {start}–{end} of {path}", "символы {start}–{end} источника {path}",
                          "{path} дереккөзінің {start}–{end} таңбалары"),
    "characters": ("characters {start}–{end}", "символы {start}–{end}", "{start}–{end} таңбалар"),
    "page_n": ("page {n}", "стр. {n}", "{n}-бет"),
    "source_passage": ("Source passage", "Фрагмент источника", "Дереккөз үзіндісі"),
    "with_context": ("with {n} characters of context", "с контекстом в {n} символов", "{n} таңбалық мәнмәтінмен"),
    "differing_marked": ("differing words marked", "отличающиеся слова отмечены", "өзгеше сөздер белгіленген"),
    "this_document": ("This document", "Этот документ", "Осы құжат"),
    "same_hint": ("The share of this passage's words that appear in the source word for word and in the same order; "
                  "the differing words are marked below.",
                  "Доля слов фрагмента, которые есть в источнике дословно и в том же порядке; отличающиеся слова "
                  "отмечены ниже.",
                  "Үзінді сөздерінің дереккөзде сөзбе-сөз әрі сол ретпен кездесетін үлесі; өзгеше сөздер төменде "
                  "белгіленген."),
    # -- the document and the check -------------------------------------------------------------
    "field.path": ("File", "Файл", "Файл"),
    "field.title": ("Title", "Название", "Тақырыбы"),
    "field.author": ("Author", "Автор", "Авторы"),
    "field.supervisor": ("Supervisor", "Научный руководитель", "Ғылыми жетекшісі"),
    "field.year": ("Year", "Год", "Жылы"),
    "field.department": ("Department", "Кафедра", "Кафедра"),
    "field.institution": ("Institution", "Организация", "Ұйым"),
    "field.group": ("Group", "Группа", "Топ"),
    "field.language": ("Language", "Язык", "Тілі"),
    "field.format": ("Format", "Формат", "Пішімі"),
    "field.pages": ("Pages", "Страниц", "Беттер саны"),
    "field.words": ("Words", "Слов", "Сөздер саны"),
    "field.chars": ("Characters", "Символов", "Таңбалар саны"),
    "field.content_hash": ("Content hash (SHA-256)", "Хеш содержимого (SHA-256)", "Мазмұн хэші (SHA-256)"),
    "report_created": ("Report created", "Отчёт создан", "Есеп жасалған күні"),
    "corpus": ("Corpus", "Корпус", "Корпус"),
    "corpus_state": ("{documents} documents, {passages} passages, index generation {generation}",
                     "документов: {documents}, фрагментов: {passages}, поколение индекса: {generation}",
                     "құжаттар: {documents}, үзінділер: {passages}, индекс буыны: {generation}"),
    "engine": ("Engine", "Программа", "Бағдарлама"),
    "document_and_check": ("Document and check", "Документ и проверка", "Құжат және тексеру"),
    # -- the explanation ------------------------------------------------------------------------
    "explain.borrowed": ("Borrowed {borrowed}: the part of the text found in other documents of the corpus and not "
                         "cited — passages of at least {min_words} words that match a source. Each matched word is "
                         "given to one source (the strongest match first), so the sources' shares add up to this "
                         "figure.",
                         "Заимствования {borrowed}: часть текста, найденная в других документах корпуса и не "
                         "оформленная как цитата, — фрагменты не короче {min_words} слов, совпадающие с источником. "
                         "Каждое совпавшее слово отнесено к одному источнику (сначала к самому сильному совпадению), "
                         "поэтому доли источников в сумме дают эту цифру.",
                         "Алынған мәтін {borrowed}: корпустың басқа құжаттарынан табылған, дәйексөз ретінде "
                         "рәсімделмеген бөлік — дереккөзбен сәйкес, кемінде {min_words} сөзден тұратын үзінділер. "
                         "Сәйкес келген әр сөз бір дереккөзге жатқызылады (алдымен ең күшті сәйкестікке), сондықтан "
                         "дереккөздер үлестерінің қосындысы осы санға тең."),
    "explain.cited": ("Cited or excluded {cited}: text set aside as legitimate use, whether or not it matches a "
                      "source — quotations followed by a citation ({quote}), the bibliography ({bibliography}) and "
                      "standard wording that {n} or more corpus documents share ({common}).",
                      "Цитирования и исключения {cited}: текст, признанный правомерным использованием, совпадает он "
                      "с источником или нет, — цитаты со ссылкой ({quote}), список литературы ({bibliography}) и "
                      "типовые формулировки, общие для {n} и более документов корпуса ({common}).",
                      "Дәйексөздер мен алып тасталған мәтін {cited}: дереккөзбен сәйкес келсе де, келмесе де заңды "
                      "пайдалану деп танылған мәтін — сілтемесі бар дәйексөздер ({quote}), әдебиеттер тізімі "
                      "({bibliography}) және корпустың {n} не одан көп құжатына ортақ үлгі сөз тіркестері ({common})."),
    "explain.reviewer": ("Of it, {percent} was excluded by the reviewer (sources or matches judged legitimate).",
                         "Из них {percent} исключено проверяющим (источники или совпадения, признанные правомерными).",
                         "Оның {percent} бөлігін тексеруші алып тастады (заңды деп танылған дереккөздер не "
                         "сәйкестіктер)."),
    "explain.original": ("Original {original}: the rest — text with no match in the corpus, or only a match shorter "
                         "than {min_words} words (too short to show borrowing).",
                         "Оригинальность {original}: остальное — текст без совпадений в корпусе или только с "
                         "совпадениями короче {min_words} слов (слишком короткими, чтобы говорить о заимствовании).",
                         "Мәтіннің түпнұсқалығы {original}: қалған бөлігі — корпуста сәйкестігі жоқ немесе тек "
                         "{min_words} сөзден қысқа сәйкестігі бар мәтін (алынғанын көрсетуге тым қысқа)."),
    "explain.whole": ("The three are shares of the whole text (its words, counted in characters) and add up to 100%. "
                      "Excluding something moves text from borrowed to cited; it never raises a figure.",
                      "Все три — доли всего текста (его слов, в символах) и в сумме дают 100%. Исключение переносит "
                      "текст из заимствований в цитирования и никогда не увеличивает другие показатели.",
                      "Үшеуі де бүкіл мәтіннің (оның сөздерінің, таңбамен есептегенде) үлестері, қосындысы 100%. "
                      "Алып тастау мәтінді алынған мәтіннен дәйексөздерге ауыстырады, басқа көрсеткіштерді ешқашан "
                      "арттырмайды."),
    "explain.before": ("Before exclusions {before} of the text was in some match. In matches of at least {short} "
                       "words: {short_share}; of at least {long} words: {long_share} (both counted as borrowed).",
                       "До исключений в каких-либо совпадениях было {before} текста. В совпадениях не короче "
                       "{short} слов: {short_share}; не короче {long} слов: {long_share} (оба — как заимствования).",
                       "Алып тастауға дейін мәтіннің {before} қандай да бір сәйкестікте болды. Кемінде {short} сөзден "
                       "тұратын сәйкестіктерде: {short_share}; кемінде {long} сөзден: {long_share} (екеуі де алынған "
                       "мәтін ретінде)."),
    "explain.lexical_only": ("Of the borrowed {borrowed}, all was found word for word: whole passages and single "
                             "copied sentences. Translations and paraphrases were not looked for in this check.",
                             "Все заимствования ({borrowed}) найдены дословно: целые фрагменты и отдельные "
                             "скопированные предложения. Переводы и перефразирования в этой проверке не искались.",
                             "Алынған мәтіннің барлығы ({borrowed}) сөзбе-сөз табылды: тұтас үзінділер мен жеке "
                             "көшірілген сөйлемдер. Бұл тексеруде аудармалар мен қайта тұжырымдаулар ізделмеді."),
    "explain.kinds": ("Of the borrowed {borrowed}: copied word for word {copied} (whole passages, and single copied "
                      "sentences), translated from another language {translation}, paraphrased in the same language "
                      "{paraphrase}. Translations and paraphrases are found by comparing the meaning of sentences "
                      "across Kazakh, Russian and English{seen}, not by shared words: they count as borrowed, but "
                      "each is {note} — compare it with the source passage.",
                      "Из заимствований {borrowed}: скопировано дословно {copied} (целые фрагменты и отдельные "
                      "предложения), переведено с другого языка {translation}, перефразировано на том же языке "
                      "{paraphrase}. Переводы и перефразирования находятся сравнением смысла предложений на "
                      "казахском, русском и английском{seen}, а не по общим словам: они считаются заимствованиями, "
                      "но каждое — {note}; сравните его с фрагментом источника.",
                      "Алынған мәтін {borrowed}, оның ішінде: сөзбе-сөз көшірілген {copied} (тұтас үзінділер мен жеке "
                      "сөйлемдер), басқа тілден аударылған {translation}, сол тілде қайта тұжырымдалған "
                      "{paraphrase}. Аудармалар мен қайта тұжырымдаулар ортақ сөздер бойынша емес, қазақ, орыс және "
                      "ағылшын тілдеріндегі сөйлемдердің мағынасын салыстыру арқылы табылады{seen}: олар алынған "
                      "мәтінге есептеледі, бірақ әрқайсысы — {note}; оны дереккөз үзіндісімен салыстырыңыз."),
    "explain.seen": (" (over the {percent} of the corpus indexed for this search)",
                     " (по {percent} корпуса, проиндексированным для этого поиска)",
                     " (корпустың осы іздеу үшін индекстелген {percent} бөлігі бойынша)"),
    # -- the PDF --------------------------------------------------------------------------------
    "full_text": ("Full text with highlights", "Полный текст с выделениями", "Белгіленген толық мәтін"),
    "summary": ("Summary", "Сводка", "Жиынтық"),
    "footer": ("plagcheck similarity report · {title} · page {n} of {total}",
               "plagcheck, отчёт о проверке · {title} · стр. {n} из {total}",
               "plagcheck, ұқсастық есебі · {title} · {total} беттің {n}-беті"),
    "footer_certificate": ("plagcheck certificate · {title} · page {n} of {total}",
                           "plagcheck, справка · {title} · стр. {n} из {total}",
                           "plagcheck, анықтама · {title} · {total} беттің {n}-беті"),
    "page_mark": ("p. {n}", "с. {n}", "{n}-б."),
    "legend.pdf": ("Borrowed passages are highlighted in their source's colour (see the sources list) and numbered in "
                   "text order; cited or excluded text is grey; a number in grey marks a match that does not count; "
                   "underlined text raised an alert; [{page}] is a page of the submitted file.",
                   "Заимствованные фрагменты выделены цветом их источника (см. список источников) и пронумерованы в "
                   "порядке текста; процитированный или исключённый текст — серый; серый номер — совпадение, которое "
                   "не учитывается; подчёркнутый текст вызвал предупреждение; [{page}] — страница исходного файла.",
                   "Алынған үзінділер дереккөзінің түсімен белгіленіп (дереккөздер тізімін қараңыз), мәтін ретімен "
                   "нөмірленген; дәйексөз не алынып тасталған мәтін — сұр; сұр нөмір — есептелмейтін сәйкестік; "
                   "асты сызылған мәтін ескерту тудырды; [{page}] — тапсырылған файлдың беті."),
    "legend.pdf_short": (" A copied sentence says so in its number: [4 {label}].",
                         " Скопированное предложение отмечено в номере: [4 {label}].",
                         " Көшірілген сөйлем нөмірінде көрсетілген: [4 {label}]."),
    "legend.pdf_semantic": (" Text translated or paraphrased from a source is in blue on its source's colour, and its "
                            "number says so: [5 ≈ {translated}], [6 ≈ {paraphrased}]. ",
                            " Переведённый или перефразированный текст — синий на цвете источника, и это указано в "
                            "номере: [5 ≈ {translated}], [6 ≈ {paraphrased}]. ",
                            " Аударылған не қайта тұжырымдалған мәтін дереккөз түсінің үстінде көк түспен берілген, "
                            "бұл нөмірде де көрсетілген: [5 ≈ {translated}], [6 ≈ {paraphrased}]. "),
    # -- the certificate ------------------------------------------------------------------------
    "certificate": ("Certificate of the similarity check", "Справка о результатах проверки на заимствования",
                    "Мәтінді алынған үзінділерге тексеру нәтижелері туралы анықтама"),
    "similarity": ("Similarity", "Сходство", "Ұқсастық"),
    "similarity_line": ("{percent} of the text was found in the sources, before exclusions",
                        "{percent} текста найдено в источниках до исключений",
                        "алып тастауға дейін мәтіннің {percent} дереккөздерде табылды"),
    "threshold_ok": ("Borrowed {borrowed}: within the department's threshold of {threshold}.",
                     "Заимствования {borrowed}: не превышают порог кафедры {threshold}.",
                     "Алынған мәтін {borrowed}: кафедра шегінен ({threshold}) аспайды."),
    "threshold_over": ("Borrowed {borrowed}: exceeds the department's threshold of {threshold}.",
                       "Заимствования {borrowed}: превышают порог кафедры {threshold}.",
                       "Алынған мәтін {borrowed}: кафедра шегінен ({threshold}) асады."),
    "no_threshold": ("No threshold is set for the department.", "Порог кафедры не задан.",
                     "Кафедра шегі белгіленбеген."),
    "verdict": ("Verdict", "Заключение", "Қорытынды"),
    "verdict.within": ("within the threshold", "в пределах порога", "шектен аспайды"),
    "verdict.exceeds": ("exceeds the threshold", "превышает порог", "шектен асады"),
    "verdict.none": ("no threshold", "порог не задан", "шек белгіленбеген"),
    "decisions": ("Reviewer decisions", "Решения проверяющего", "Тексерушінің шешімдері"),
    "no_decisions": ("None: the figures are those of the check.", "Нет: показатели соответствуют проверке.",
                     "Жоқ: көрсеткіштер тексеру нәтижесімен бірдей."),
    "decided_by": ("By {reviewer}, {when}:", "Проверяющий: {reviewer}, {when}:", "Тексеруші: {reviewer}, {when}:"),
    "decision.source": ("source excluded: {label}", "исключён источник: {label}", "алынып тасталған дереккөз: {label}"),
    "decision.match": ("match {n} excluded ({label})", "исключено совпадение {n} ({label})",
                       "№{n} сәйкестік алынып тасталды ({label})"),
    "decision.switch_on": ("{what}: excluded", "{what}: исключаются", "{what}: алынып тасталады"),
    "decision.switch_off": ("{what}: counted", "{what}: учитываются", "{what}: есептеледі"),
    "check_date": ("Check date", "Дата проверки", "Тексеру күні"),
    "engine_corpus": ("Engine and corpus", "Программа и корпус", "Бағдарлама және корпус"),
    "signature": ("Signature", "Подпись", "Қолы"),
    "reviewer": ("Reviewer", "Проверяющий", "Тексеруші"),
    "date": ("Date", "Дата", "Күні"),
    "checked_text_follows": ("The full text with the borrowed passages highlighted follows on the next pages.",
                             "Полный текст с выделенными заимствованиями — на следующих страницах.",
                             "Алынған үзінділері белгіленген толық мәтін келесі беттерде."),
    # -- the department summary -----------------------------------------------------------------
    "col.job_id": ("Job", "Задание", "Тапсырма"),
    "col.author": ("Author", "Автор", "Авторы"),
    "col.title": ("Title", "Название", "Тақырыбы"),
    "col.supervisor": ("Supervisor", "Научный руководитель", "Ғылыми жетекшісі"),
    "col.year": ("Year", "Год", "Жылы"),
    "col.department": ("Department", "Кафедра", "Кафедра"),
    "col.language": ("Language", "Язык", "Тілі"),
    "col.status": ("Status", "Статус", "Күйі"),
    "col.similarity": ("Similarity, %", "Сходство, %", "Ұқсастық, %"),
    "col.borrowed": ("Borrowed, %", "Заимствования, %", "Алынған мәтін, %"),
    "col.cited": ("Cited or excluded, %", "Цитирования и исключения, %", "Дәйексөздер мен алып тасталған мәтін, %"),
    "col.original": ("Original, %", "Оригинальность, %", "Мәтіннің түпнұсқалығы, %"),
    "col.verdict": ("Verdict", "Заключение", "Қорытынды"),
    "col.checked_at": ("Checked at", "Дата проверки", "Тексеру күні"),
    "status.queued": ("queued", "в очереди", "кезекте"),
    "status.running": ("running", "проверяется", "тексерілуде"),
    "status.done": ("done", "готово", "дайын"),
    "status.failed": ("failed", "ошибка", "қате"),
}

# key -> {lang: forms}: English (one, other), Russian (one, few, many), Kazakh (one form: a noun
# after a numeral stays singular). ``{n}`` is the number.
PLURALS: dict[str, dict[str, tuple[str, ...]]] = {
    "n_matches": {"en": ("{n} match", "{n} matches"), "ru": ("{n} совпадение", "{n} совпадения", "{n} совпадений"),
                  "kk": ("{n} сәйкестік",)},
    "n_translations": {"en": ("{n} translation", "{n} translations"),
                       "ru": ("{n} перевод", "{n} перевода", "{n} переводов"), "kk": ("{n} аударма",)},
    "n_translations_from": {"en": ("{n} translation {source}", "{n} translations {source}"),
                            "ru": ("{n} перевод {source}", "{n} перевода {source}", "{n} переводов {source}"),
                            "kk": ("{source} {n} аударма",)},
    "n_paraphrases": {"en": ("{n} paraphrase", "{n} paraphrases"),
                      "ru": ("{n} перефразирование", "{n} перефразирования", "{n} перефразирований"),
                      "kk": ("{n} қайта тұжырымдау",)},
    "n_copied_sentences": {"en": ("{n} copied sentence", "{n} copied sentences"),
                           "ru": ("{n} скопированное предложение", "{n} скопированных предложения",
                                  "{n} скопированных предложений"),
                           "kk": ("{n} көшірілген сөйлем",)},
}


def check_language(lang: str | None) -> str:
    """``lang`` if it is one of :data:`LANGUAGES`, :data:`DEFAULT_LANGUAGE` for None; else ValueError."""
    if lang is None:
        return DEFAULT_LANGUAGE
    if lang not in LANGUAGES:
        raise ValueError(f"unknown report language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    return lang


def plural_form(lang: str, n: int) -> int:
    """The index of the plural form of ``n`` in :data:`PLURALS` (CLDR rules for integers)."""
    if lang == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return 0
        return 1 if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else 2
    if lang == "kk":
        return 0
    return 0 if n == 1 else 1


class Translator:
    """The catalogue in one language: ``t("borrowed")``, ``t("n_words", n=3)``,
    ``t.plural("n_matches", 5)``, ``t.percent(0.1234)``."""

    def __init__(self, lang: str | None = None):
        self.lang = check_language(lang)
        self._column = LANGUAGES_IN_MESSAGES.index(self.lang)

    def __call__(self, key: str, **values) -> str:
        text = MESSAGES[key][self._column]
        return text.format(**values) if values else text

    def get(self, key: str, default: str) -> str:
        """The message ``key``, or ``default`` when the catalogue has none (an unknown alert kind)."""
        return self(key) if key in MESSAGES else default

    def plural(self, key: str, n: int, **values) -> str:
        forms = PLURALS[key][self.lang]
        return forms[plural_form(self.lang, n)].format(n=n, **values)

    def number(self, value: float, decimals: int = 1) -> str:
        """``12.3`` → ``'12.3'`` in English, ``'12,3'`` in Russian and Kazakh."""
        text = f"{value:.{decimals}f}"
        return text if self.lang == "en" else text.replace(".", ",")

    def percent(self, fraction: float) -> str:
        """``0.1234`` → ``'12.3%'`` (``'12,3%'`` in Russian and Kazakh)."""
        return self.number(100 * fraction) + "%"


LANGUAGES_IN_MESSAGES = ("en", "ru", "kk")  # the column order of MESSAGES


@functools.lru_cache(maxsize=None)
def translator(lang: str | None = None) -> Translator:
    """A :class:`Translator` for ``lang`` (one of :data:`LANGUAGES`; None → :data:`DEFAULT_LANGUAGE`)."""
    return Translator(lang)


__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "MESSAGES", "PLURALS", "Translator", "check_language", "plural_form",
           "translator"]
