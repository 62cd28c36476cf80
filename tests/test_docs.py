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

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
OUTSIDE = re.compile(r"RULES\.md|SCENARIOS\.md|RULES \d|seeds?/|seed file|/work/shared|[Ss]eed \d{3}")
READ_BY_USERS = [ROOT / "README.md", ROOT / "examples" / "README.md", *sorted(DOCS.glob("*.md"))]


@pytest.mark.parametrize("path", READ_BY_USERS, ids=lambda p: p.name)
def test_documents_name_no_file_outside_the_repository(path):
    found = [line for line in path.read_text(encoding="utf-8").splitlines()
             if OUTSIDE.search(line)]
    assert not found, found


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
