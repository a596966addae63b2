"""User macros of a LaTeX source: \\newcommand, \\renewcommand, \\providecommand,
\\def and \\DeclareMathOperator, without arguments or with plain #1..#9 ones.

Expansion is textual and bounded (a few passes, and never past a fixed growth),
so a macro that expands to itself, or doubles on every pass, stops harmlessly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_DEFINITION = re.compile(
    r"\\(?:re)?newcommand\*?|\\providecommand\*?|\\DeclareRobustCommand\*?|\\(?:g|e|x)?def(?![A-Za-z])"
    r"|\\DeclareMathOperator\*?"
)
_NAME = re.compile(r"\s*(?:\{\s*\\([A-Za-z@]+)\s*\}|\\([A-Za-z@]+))")
_COUNT = re.compile(r"\s*\[\s*(\d)\s*\]")
_PARAMS = re.compile(r"((?:#\d)*)\s*(?=\{)")  # \def\x#1#2{...}
_PASSES = 4
_MAX_GROWTH = 3  # the expanded text may be at most this many times the original


@dataclass(frozen=True)
class Macro:
    args: int
    body: str
    default: str | None = None  # the optional first argument's default, if it has one


def _group(text: str, start: int) -> tuple[str, int] | None:
    """(contents, end) of the brace group starting at ``start`` (after spaces), or None."""
    i = start
    while i < len(text) and text[i] in " \t\n":
        i += 1
    if i >= len(text) or text[i] != "{":
        return None
    depth, j = 0, i
    while j < len(text):
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        depth += 1 if ch == "{" else -1 if ch == "}" else 0
        j += 1
        if depth == 0:
            return text[i + 1 : j - 1], j
    return None


def _optional(text: str, start: int) -> tuple[str, int] | None:
    i = start
    while i < len(text) and text[i] in " \t":
        i += 1
    if i < len(text) and text[i] == "[":
        end = text.find("]", i)
        if end > 0:
            return text[i + 1 : end], end + 1
    return None


def read_macros(source: str) -> dict[str, Macro]:
    macros: dict[str, Macro] = {}
    for match in _DEFINITION.finditer(source):
        parsed = _definition(source, match)
        if parsed:
            name, macro, _ = parsed
            if match.group().startswith("\\provide") and name in macros:
                continue
            macros[name] = macro
    return macros


def _definition(source: str, match: re.Match) -> tuple[str, Macro, int] | None:
    name_match = _NAME.match(source, match.end())
    if not name_match:
        return None
    name = name_match.group(1) or name_match.group(2)
    pos = name_match.end()
    kind = match.group()
    if kind.startswith("\\DeclareMathOperator"):
        group = _group(source, pos)
        return (name, Macro(0, "\\operatorname{" + group[0] + "}"), group[1]) if group else None
    args, default = 0, None
    if "def" in kind and "Declare" not in kind and "command" not in kind:
        params = _PARAMS.match(source, pos)
        if not params:
            return None
        args = len(params.group(1)) // 2
        pos = params.end()
    else:
        count = _COUNT.match(source, pos)
        if count:
            args, pos = int(count.group(1)), count.end()
            optional = _optional(source, pos)
            if optional:
                default, pos = optional
    group = _group(source, pos)
    if group is None:
        return None
    return name, Macro(args, group[0], default), group[1]


def strip_definitions(source: str) -> str:
    """The source without its macro definitions (their bodies are not the paper's text)."""
    out, pos = [], 0
    for match in _DEFINITION.finditer(source):
        if match.start() < pos:
            continue
        parsed = _definition(source, match)
        if parsed:
            out.append(source[pos : match.start()])
            pos = parsed[2]
    out.append(source[pos:])
    return "".join(out)


def expand_macros(text: str, macros: dict[str, Macro]) -> str:
    text = strip_definitions(text)
    if not macros:
        return text
    limit = max(len(text), 1) * _MAX_GROWTH
    call = re.compile(r"\\(" + "|".join(sorted(map(re.escape, macros), key=len, reverse=True)) + r")(?![A-Za-z@])")
    for _ in range(_PASSES):
        expanded = _expand_once(text, macros, call)
        if expanded == text or len(expanded) > limit:
            break
        text = expanded
    return text


def _expand_once(text: str, macros: dict[str, Macro], call: re.Pattern) -> str:
    out, pos = [], 0
    for match in call.finditer(text):
        if match.start() < pos:
            continue
        macro = macros[match.group(1)]
        end, values = match.end(), []
        if macro.default is not None:
            optional = _optional(text, end)
            values.append(optional[0] if optional else macro.default)
            end = optional[1] if optional else end
        while len(values) < macro.args:
            group = _group(text, end)
            if group is None:
                break
            values.append(group[0])
            end = group[1]
        if len(values) < macro.args:
            continue  # a call we cannot read: leave it as written
        body = macro.body
        for n, value in enumerate(values, 1):
            body = body.replace(f"#{n}", value)
        out.append(text[pos : match.start()])
        # A control word swallows the space after it; keep a space so words do not join.
        out.append(body + (" " if macro.args == 0 and text[end : end + 1] == " " else ""))
        pos = end
    out.append(text[pos:])
    return "".join(out)
