"""plagcheck's benchmarks: detection quality (PAN measures) and speed/scale. See README.md here."""


def text_table(header: list[str], rows: list[list], separator: str = "  ") -> list[str]:
    """Rows of a plain-text table with columns padded to their widest cell."""
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    lines = [separator.join(str(c).ljust(w) for c, w in zip(header, widths)),
             separator.join("-" * w for w in widths)]
    return lines + [separator.join(str(c).ljust(w) for c, w in zip(row, widths)) for row in rows]
