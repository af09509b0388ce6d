"""Every command, and every option of every command, is documented in README.md.

As sqlite-utils' ``test_docs.py`` does: the click group is walked, so a new command or option
fails here until the README names it, and every command has help text.

The matching rule. ``plagcheck corpus add`` is documented when that text appears in the README.
Its option ``--processes`` is documented when the flag (as a whole flag: ``--min`` is not
``--min-words``) appears in a block of the README that names the command, as ``plagcheck corpus
add`` or as `` `corpus add``: a paragraph, a list item, a table row (or the paragraph that leads
into its table) or a line of a code block. That ``--processes`` is explained for ``plagcheck
worker`` says nothing about ``corpus add``. Options every command has (``--db``) and those of
``plagcheck`` itself (``--verbose``, ``--version``) are documented once, anywhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from plagcheck.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, path: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        yield path + (name,), command
        if isinstance(command, click.Group):
            yield from _commands(command, path + (name,))


def blocks(text: str) -> list[str]:
    """The README's paragraphs, list items, table rows and code lines; a table row comes with the
    paragraph before its table (which says what the table lists)."""
    out: list[str] = []
    current: list[str] = []
    lead_in, in_code, in_table = "", False, False

    def close():
        if current:
            out.append("\n".join(current))
            current.clear()

    for line in text.splitlines():
        if line.startswith("```"):
            close()
            in_code = not in_code
        elif in_code:
            out.append(line)
        elif line.startswith("|"):
            if not in_table:
                close()
                lead_in = out[-1] if out else ""
                in_table = True
            out.append(lead_in + "\n" + line)
        else:
            in_table = False
            if not line.strip() or line.startswith(("- ", "#")):
                close()
            if line.strip():
                current.append(line)
    close()
    return out


def names_command(block: str, name: str) -> bool:
    return re.search(rf"(plagcheck |`){re.escape(name)}(?![\w-])", block) is not None


def names_flag(text: str, flag: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text) is not None


def _long_flags(command: click.Command) -> list[str]:
    return [flag for param in command.params if isinstance(param, click.Option)
            for flag in param.opts + param.secondary_opts if flag.startswith("--")]


COMMANDS = list(_commands(cli))
# Options that every command has are documented once for all ("Every command takes --db FILE");
# `db migrate` names its two databases as arguments instead.
SHARED = set.intersection(*(set(_long_flags(c)) for path, c in COMMANDS
                            if not isinstance(c, click.Group) and path != ("db", "migrate")))


def _id(item) -> str:
    return " ".join(item[0])


def test_the_walk_finds_every_command():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"corpus", "corpus add", "corpus list", "check", "report", "submit", "worker", "jobs", "serve",
            "reindex"} <= names
    assert SHARED == {"--db"}


@pytest.mark.parametrize("path, command", COMMANDS, ids=[_id(c) for c in COMMANDS])
def test_command_has_help_and_is_documented(path, command):
    name = "plagcheck " + " ".join(path)
    assert (command.help or "").strip(), f"{name} has no help text (its docstring)"
    assert name in README, f"README.md does not mention `{name}`"


@pytest.mark.parametrize("path, command", COMMANDS, ids=[_id(c) for c in COMMANDS])
def test_every_option_is_documented_beside_its_command(path, command):
    name = " ".join(path)
    beside = [b for b in blocks(README) if names_command(b, name)]
    missing = [flag for flag in _long_flags(command)
               if not any(names_flag(b, flag) for b in (beside if flag not in SHARED else [README]))]
    assert not missing, (f"README.md does not document {', '.join(missing)} of `plagcheck {name}`: explain "
                         f"each where the command is named (its row of the Commands table, a paragraph or list "
                         f"item naming `{name}`)")


def test_options_of_plagcheck_itself_are_documented():
    missing = [flag for flag in _long_flags(cli) if not names_flag(README, flag)]
    assert not missing, f"README.md does not mention {', '.join(missing)}"


def test_the_rule_tells_an_undocumented_option():
    """A flag named only beside another command does not count; a table's lead-in names its rows'
    command; a list item is its own block."""
    readme = ("| command | what |\n| --- | --- |\n| `plagcheck worker [--processes N]` | ... |\n"
              "| `plagcheck corpus add PATH` | ... |\n\n"
              "Switches of `plagcheck report`:\n\n| option | |\n| --- | --- |\n| `--min-words N` | ... |\n\n"
              "- `serve` answers checks.\n- Files over 200 MiB are refused (`--max-mib`).\n")
    parts = blocks(readme)
    assert not any(names_flag(b, "--processes") for b in parts if names_command(b, "corpus add"))
    assert any(names_flag(b, "--processes") for b in parts if names_command(b, "worker"))
    assert any(names_flag(b, "--min-words") for b in parts if names_command(b, "report"))
    assert not any(names_flag(b, "--max-mib") for b in parts if names_command(b, "serve"))
    assert not names_flag("`--min-words N`", "--min") and names_flag("(`--lease`)", "--lease")
    assert names_command("`check --server`", "check") and not names_command("`checks`", "check")
