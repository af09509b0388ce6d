"""SQL lives in plagcheck/storage/ only: everything else — the workers, the benchmarks, the
corpus builders included — goes through its interfaces (the web cabinet through Django's ORM), so
a second backend never means hunting for statements."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL = re.compile(r"\b(SELECT\b.+\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX)|"
                 r"DROP\s+TABLE|ALTER\s+TABLE|PRAGMA\s|BEGIN\s+(IMMEDIATE|TRANSACTION)|sqlite_master)", re.S)

CODE_FOLDERS = ("plagcheck", "workers", "benchmarks", "corpus")


def _strings(tree: ast.AST):
    """Every string constant of a module, f-string parts included, with its line."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value
        elif isinstance(node, ast.JoinedStr):
            yield node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)


def sql_outside_storage(root: Path = ROOT) -> list[str]:
    """Statements and ``.execute(`` calls in the project's code under ``root``, storage/ aside."""
    found = []
    for path in sorted(p for folder in CODE_FOLDERS for p in (root / folder).rglob("*.py")):
        if (root / "plagcheck" / "storage") in path.parents or "migrations" in path.parts:
            continue  # Django writes its migrations' SQL itself
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("execute", "executemany", "executescript", "raw"):
                found.append(f"{path.relative_to(root)}:{node.lineno}: .{node.attr}(")
        for lineno, text in _strings(tree):
            if SQL.search(text):
                found.append(f"{path.relative_to(root)}:{lineno}: {text[:60]!r}")
    return found


def test_no_sql_outside_the_storage_package():
    assert sql_outside_storage() == []


def test_the_check_finds_sql(tmp_path):
    """The detector itself: a statement in a module outside storage/ is named, one inside is not."""
    for folder in ("plagcheck/storage", "workers", "benchmarks"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "probe.py").write_text(
            'def f(db):\n    return db.execute(f"SELECT id FROM documents WHERE x = {1}")\n', encoding="utf-8")
    found = sql_outside_storage(tmp_path)
    assert "workers/probe.py:2: .execute(" in found
    assert "workers/probe.py:2: 'SELECT id FROM documents WHERE x = {}'" in found
    assert "benchmarks/probe.py:2: .execute(" in found
    assert all(line.startswith(("workers/", "benchmarks/")) for line in found)
