"""Reading the executable command blocks of a Markdown page (docs/authoring.md).

A fenced block whose info string is ``console`` is executable. In it, a line starting with
``$ `` is a command; a command ending in ``\\`` continues on the next line, and one holding a
here-document (``<<'EOF'``) runs through the line ``EOF``. The other lines are the command's
expected output: each must appear, in order, somewhere in what it prints (stdout and stderr;
whitespace runs count as one space; a line ``...`` stands for anything). Blocks with other info
strings (``sh``, ``text``, ``yaml``) are only shown.

Each block belongs to the ``## `` section it is written in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Block", "Command", "missing_output", "parse"]

_FENCE = re.compile(r"^(`{3,})(\S*)\s*$")
_HEREDOC = re.compile(r"<<-?\s*(['\"]?)(\w+)\1")


@dataclass
class Command:
    """One ``$ `` command, its expected output lines, and where it is in the page."""

    text: str
    line: int
    expected: list[str] = field(default_factory=list)


@dataclass
class Block:
    """One ``console`` block of a section."""

    section: str
    line: int
    commands: list[Command]


def parse(path: Path) -> list[Block]:
    """Every ``console`` block of the page, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    section = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("## "):
            section = line[3:].strip()
        fence = _FENCE.match(line)
        if fence is None:
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].strip() != fence.group(1):
            end += 1
        if fence.group(2) == "console":
            commands = _commands(lines[index + 1 : end], first_line=index + 2, path=path)
            blocks.append(Block(section, index + 1, commands))
        index = end + 1
    return blocks


def _commands(body: list[str], first_line: int, path: Path) -> list[Command]:
    commands: list[Command] = []
    index = 0
    while index < len(body):
        line = body[index]
        if not line.startswith("$ "):
            if not commands:
                raise ValueError(f"{path}:{first_line + index}: output before the first `$ `")
            commands[-1].expected.append(line)
            index += 1
            continue
        start = index
        text = [line[2:]]
        while text[-1].endswith("\\") and index + 1 < len(body):
            index += 1
            text.append(body[index])
        heredoc = _HEREDOC.search("\n".join(text))
        if heredoc is not None:
            while index + 1 < len(body) and body[index].strip() != heredoc.group(2):
                index += 1
                text.append(body[index])
            if body[index].strip() != heredoc.group(2):
                raise ValueError(f"{path}:{first_line + start}: here-document is not closed")
        commands.append(Command("\n".join(text), first_line + start))
        index += 1
    return commands


def _normal(text: str) -> str:
    return " ".join(text.split())


def missing_output(expected: list[str], output: str) -> str | None:
    """The first expected line not found (in order) in ``output``, or None when all are."""
    lines = [_normal(line) for line in output.splitlines()]
    position = 0
    for want in (_normal(line) for line in expected):
        if want in ("", "..."):
            continue
        while position < len(lines) and want not in lines[position]:
            position += 1
        if position == len(lines):
            return want
        position += 1
    return None
