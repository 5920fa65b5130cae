"""docs/commands.md documents only flags that exist, and every flag that exists."""

from __future__ import annotations

import argparse
import re

from runner.cli.parser import build_parser
from tests.conftest import ROOT

DOC = ROOT / "docs" / "commands.md"
# The differences section names kpt flags we do not have, on purpose.
NOT_OURS = "## Where we differ from kpt"


def _flags_by_command() -> dict[str, set[str]]:
    parser = build_parser()
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {
        name: {flag for action in sub._actions for flag in action.option_strings}
        for name, sub in commands.choices.items()
    }


def test_documented_flags_exist() -> None:
    text = DOC.read_text().split(NOT_OURS)[0]
    documented = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*[a-z](?![\w-])", text))
    existing = set().union(*_flags_by_command().values())
    # ("--match-*" / "--exclude-..." name the selector families: the lookarounds skip them.)
    assert documented - existing == set()


def test_every_flag_is_documented() -> None:
    text = DOC.read_text().split(NOT_OURS)[0]
    for command, flags in _flags_by_command().items():
        for flag in flags - {"--help"}:
            if flag.startswith(("--match-", "--exclude-")):
                continue  # documented as families
            assert flag in text, f"{command} {flag} is not in {DOC.name}"
