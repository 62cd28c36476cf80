"""The project's documents describe its formats completely, in its own words: every event type
and field, every scenario key, every subject attribute; and nothing a user reads points to a
file outside the repository."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhili.cli import app
from zhili.engine import Subject
from zhili.events import EVENT_TYPES, Event
from zhili.scenario import CASE_KEYS, EXPECT_KEYS
from zhili.textfiles import read_text

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# References to what does not ship with the project (written in pieces, so that this file
# itself does not match): the specification's files and section numbers, the files of sources
# it was written from, the folder it lives in.
_SPEC, _SEED, _WORK = "RU" + "LES", "[Ss]" + "eed", "/work" + "/shared"
OUTSIDE = re.compile(rf"{_SPEC}\.md|SCENA{_SPEC[2:]}\.md|{_SPEC} \d|{_SEED}s?/|{_SEED} file"
                     rf"|{_WORK}|{_SEED} \d{{3}}")
READ_BY_USERS = [ROOT / "README.md", ROOT / "examples" / "README.md", *sorted(DOCS.glob("*.md"))]


@pytest.mark.parametrize("path", READ_BY_USERS, ids=lambda p: p.name)
def test_documents_name_no_file_outside_the_repository(path):
    found = [line for line in path.read_text(encoding="utf-8").splitlines()
             if OUTSIDE.search(line)]
    assert not found, found


# Every text file the project ships or tests with: packs (their assumptions), scenario files,
# code comments and docstrings, benchmarks, examples.
SHIPPED = sorted(p for folder in ("src", "tests", "benchmarks", "examples", "tools")
                 for p in (ROOT / folder).rglob("*")
                 if p.suffix in (".py", ".yaml", ".yml", ".md", ".jsonl", ".html", ".csv")
                 and "__pycache__" not in p.parts)


def test_the_project_names_its_sources_by_title_and_date_not_by_outside_sections():
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}" for path in SHIPPED
             for n, line in enumerate(read_text(path).splitlines(), 1)
             if OUTSIDE.search(line)]
    assert not found, "\n".join(found)


def test_help_texts_name_no_file_outside_the_repository():
    runner = CliRunner()
    for words in [[], *_command_names()]:
        result = runner.invoke(app, ["--lang", "en", *words, "--help"])
        assert result.exit_code == 0, result.output
        assert not OUTSIDE.search(result.output), (words, result.output)


def _command_names() -> list[list[str]]:
    """Every command and sub-command, as the words that name it."""
    import typer.main

    group = typer.main.get_command(app)
    names: list[list[str]] = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(command, "commands", None)
        names += [[name, sub] for sub in subs] if subs else [[name]]
    return names


def test_every_event_type_and_field_is_documented():
    text = (DOCS / "events.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `([a-z_]+)` \|(.*)$", text,
                                                         flags=re.M)}
    base = {f.name for f in dataclasses.fields(Event)}
    for kind, cls in EVENT_TYPES.items():
        assert kind in rows, f"event type {kind} is not documented"
        for f in dataclasses.fields(cls):
            if f.name not in base:
                assert f"`{f.name}`" in rows[kind], f"{kind}.{f.name} is not documented"


def test_every_subject_attribute_is_documented():
    text = (DOCS / "events.md").read_text(encoding="utf-8")
    for f in dataclasses.fields(Subject):
        if f.name != "id":
            assert f"`{f.name}`" in text, f"subject attribute {f.name} is not documented"


def test_every_scenario_key_is_documented():
    text = (DOCS / "scenarios.md").read_text(encoding="utf-8")
    for key in (*CASE_KEYS, *EXPECT_KEYS):
        assert f"`{key}" in text, f"scenario key {key} is not documented"
