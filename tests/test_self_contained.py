"""The tests run from a bare clone: no test reads the development machine's ``../shared`` folder.

The evaluation texts beside the repository exist on one machine only; a test reading them fails
everywhere else (five collection errors on a fresh clone, before this guard). Tests build their
documents from the bundled CC0 texts in ``corpus/texts`` (``tests/builders.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent

# "../shared", "shared/eval", or a path built with a "shared" component (``ROOT.parent / "shared"``).
OUTSIDE = re.compile(r"""\.\.[/\\]shared|shared[/\\]eval|/\s*["']shared["']""")


def test_the_pattern_catches_the_ways_a_test_named_the_shared_folder():
    for line in ('EVAL_TEXTS = ROOT.parent / "shared" / "eval" / "texts"',
                 "texts = Path('../shared/eval/texts')",
                 'SEED = "/work/shared/eval/texts"'):
        assert OUTSIDE.search(line), line
    for line in ("from docx.shared import RGBColor", 'shared = set().union(*rows)',
                 'assert "shared by 6 corpus documents" in reason'):
        assert not OUTSIDE.search(line), line


def test_no_test_module_reads_the_shared_folder_outside_the_repository():
    offending = [f"{path.name}:{number}: {line.strip()}"
                 for path in sorted(TESTS.rglob("*.py")) if path != Path(__file__).resolve()
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if OUTSIDE.search(line)]
    assert not offending, "tests must use texts inside the repository (corpus/texts):\n" + "\n".join(offending)
