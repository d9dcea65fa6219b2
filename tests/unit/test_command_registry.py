"""One registry of `/invites` subcommands drives the parser, the usage line and help."""

from __future__ import annotations

import pytest
import yaml

from bot.domain import commands as c
from bot.slack import render
from tests.unit.test_manifest import MANIFEST


def _shown(entry: c.Subcommand) -> str:
    return "|".join(entry.names)


def test_every_entry_parses_its_example_to_its_command():
    for entry in c.REGISTRY:
        assert isinstance(c.parse_invites(entry.example), entry.command), entry.example
        for word in (*entry.names, *entry.aliases):
            assert c.find_subcommand(word) is entry, word


def test_every_entry_is_in_the_usage_line_and_in_help_with_its_description():
    commands = c.Commands(invited="/sent", invites="/pile")
    usage = commands.invites_usage
    help_text = "\n".join(render.command_lines(commands))
    for entry in c.REGISTRY:
        assert _shown(entry) in usage, entry.names
        assert f"/pile {_shown(entry)}" in help_text.replace("&lt;", "<").replace("&gt;", ">"), entry.names
        assert render.escape(entry.description) in help_text
    assert "/sent <linkedin url>" in help_text.replace("&lt;", "<").replace("&gt;", ">")


def test_names_and_aliases_are_unique():
    words = [w for e in c.REGISTRY for w in (*e.names, *e.aliases)]
    assert len(words) == len(set(words))


def test_an_entry_without_a_description_cannot_be_declared():
    def parse(args: c.Args) -> c.InvitesCommand:
        return c.Undo()

    with pytest.raises(TypeError):
        c.Subcommand(names=("nap",), syntax="", parse=parse, command=c.Undo, example="nap")  # type: ignore[call-arg]
    for empty in ("", "   "):
        with pytest.raises(ValueError, match="description"):
            c.Subcommand(names=("nap",), syntax="", description=empty, parse=parse, command=c.Undo, example="nap")
    with pytest.raises(ValueError, match="name"):
        c.Subcommand(names=(), syntax="", description="sleep", parse=parse, command=c.Undo, example="nap")


def test_the_manifests_usage_hints_are_the_registrys():
    """manifest.yml is static: its hints must say what the registry says (a new entry fails here first)."""
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    hints = {cmd["command"]: cmd["usage_hint"] for cmd in manifest["features"]["slash_commands"]}
    assert hints["/invited"] == c.INVITED_SYNTAX
    assert hints["/invites"] == "[" + "|".join(e.shown for e in c.REGISTRY) + "]"
