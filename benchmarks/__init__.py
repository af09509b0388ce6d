"""plagcheck's benchmarks: detection quality (PAN measures) and speed/scale. See README.md here."""


def text_table(header: list[str], rows: list[list], separator: str = "  ") -> list[str]:
    """Rows of a plain-text table with columns padded to their widest cell."""
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    lines = [separator.join(str(c).ljust(w) for c, w in zip(header, widths)),
             separator.join("-" * w for w in widths)]
    return lines + [separator.join(str(c).ljust(w) for c, w in zip(row, widths)) for row in rows]


def wrap_words(words, width: int, split_word=None) -> list[str]:
    """Lines of at most ``width`` characters. ``split_word(word)`` may return a cut position to
    hyphenate a word that does not fit at the end of a line (``word[:cut]-`` / ``word[cut:]``)."""
    lines: list[str] = []
    line = ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            cut = split_word(word) if split_word else None
            if cut:
                lines.append(f"{line} {word[:cut]}-")
                line = word[cut:]
                continue
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines
