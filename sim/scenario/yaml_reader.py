"""Reading YAML strictly and safely, keeping the line of every value.

PyYAML follows YAML 1.1, where ``no`` is False, ``1e3`` is a string, ``010`` is
octal, ``1:30`` is 90, ``2024-06-07`` becomes a date object and a duplicate key
silently overwrites the first. A scenario typo must never turn into a different
number, so this module resolves plain scalars like the YAML 1.2 core schema:

- ``null``, ``~`` and the empty value are null;
- only ``true`` and ``false`` (any case) are booleans — ``yes``/``no``/``on``/``off``
  stay strings, which the scenario models then reject for a bool field;
- integers are decimal digits, optionally grouped with underscores (``77_519``);
  more than :data:`MAX_INT_DIGITS` digits is refused;
- floats are decimal with optional exponent (``1e3``, ``1.5e-2``) or ``.inf``/``.nan``;
  a literal that overflows to infinity is refused;
- everything else is a string, dates and times included (the models parse them).

Explicit tags other than the core ones (``!!python/object``, ``!custom``) are
refused, as are duplicate keys, non-string keys and YAML 1.1 merge keys (``<<``).
Hostile input is refused early with a located problem: files above
:data:`MAX_FILE_BYTES`, nesting deeper than :data:`MAX_DEPTH`, more than
:data:`MAX_NODES` values written (counted while composing, so reading stops
there), and alias "billion laughs" bombs expanding to more than
:data:`MAX_NODES` nodes — the expanded size is counted over the node graph
(memoised by node identity, without expanding anything) before any Python value
is built. Control characters YAML does not allow (a raw ESC byte) are refused
with their line.

libyaml (PyYAML's C parser) reads a document about fifteen times faster than
PyYAML's pure-Python one, but words its complaints differently and parts ways
with it on a few constructs. So a document is taken from libyaml only when it
reads without a complaint and has none of those constructs; everything else,
every broken or hostile file included, is read by PyYAML, which words each
problem (:func:`_compose_fast`, tests/test_yaml_reader.py).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

try:  # libyaml, bundled with PyYAML's wheels; without it every file is read by PyYAML alone
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    LIBYAML = False
else:
    LIBYAML = True

from sim.scenario.problems import NO_VALUE, Problem, ScenarioError, Verbatim

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 100_000
# 19 digits hold every seed up to 2**63 - 1; anything longer is a typo or an attack.
MAX_INT_DIGITS = 19

FieldPath = tuple[str | int, ...]

_CORE = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (f"{_CORE}{name}" for name in ("str", "int", "float", "bool", "null"))
SEQ, MAP = f"{_CORE}seq", f"{_CORE}map"

_NULL_RE = re.compile(r"~|null|Null|NULL|")
_BOOL_RE = re.compile(r"true|false", re.IGNORECASE)
_INT_RE = re.compile(r"[-+]?[0-9]+(?:_[0-9]+)*")
_FLOAT_RE = re.compile(
    r"[-+]?(?:[0-9]+(?:_[0-9]+)*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_PLAIN_RESOLVERS = ((NULL, _NULL_RE), (BOOL, _BOOL_RE), (INT, _INT_RE), (FLOAT, _FLOAT_RE))
# Where libyaml and PyYAML part ways (libyaml accepts tabs PyYAML refuses, a comment
# right after a block scalar's header, and places some empty values on other
# lines): tabs, unusual line breaks, byte order marks, explicit keys (?), tags (!),
# directives and document markers. Text with any of them is read by PyYAML alone.
_LIBYAML_UNSURE = re.compile(
    r"[\t\r\x85\u2028\u2029\ufeff?!]|[|>][-+0-9]*#|^(?:%|---|\.\.\.)", re.MULTILINE
)


class Refused(Exception):
    """The document is refused as a whole (hostile or unreadable); no value is built."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _StrictComposer(Composer, BaseResolver):
    """Composes the node graph only; values are built by :func:`_Converter`.

    Plain scalars are resolved like the YAML 1.2 core schema, and composing stops
    at :data:`MAX_DEPTH` levels or :data:`MAX_NODES` values. The events come from
    the parser it is mixed with: PyYAML's own (pure Python) or libyaml's.
    """

    def __init__(self) -> None:
        Composer.__init__(self)
        BaseResolver.__init__(self)
        self._depth = 0
        self._composed = 0

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:  # a plain scalar: resolve by its text
                for tag, pattern in _PLAIN_RESOLVERS:
                    if pattern.fullmatch(value):
                        return tag
            return STR
        return SEQ if kind is SequenceNode else MAP

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        # PyYAML composes recursively: cap the depth before Python's own limit is hit.
        self._depth += 1
        # Count the values written (an alias is one): a huge plain list stops here,
        # after reading MAX_NODES of them, instead of being read whole and then
        # mistaken for an alias bomb.
        self._composed += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[attr-defined]
                raise Refused(f"nesting is deeper than {MAX_DEPTH} levels", mark.line + 1)
            if self._composed > MAX_NODES:
                mark = self.peek_event().start_mark  # type: ignore[attr-defined]
                message = f"has more than {MAX_NODES:,} values (too many values)"
                raise Refused(message, mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _StrictLoader(Reader, Scanner, Parser, _StrictComposer):
    """PyYAML's pure-Python reader, scanner and parser: the one that words every complaint."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _StrictComposer.__init__(self)


if LIBYAML:

    class _FastLoader(_StrictComposer, CParser):
        """libyaml's scanner and parser (about 15 times faster) under the same composer."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _StrictComposer.__init__(self)


def _compose_fast(text: str) -> tuple[bool, Node | None]:
    """``(True, root)`` when libyaml reads ``text`` without any complaint, else ``(False, None)``.

    Only a document read without a complaint is taken from libyaml: its messages
    are worded differently from PyYAML's, so anything wrong (broken YAML, a
    control character, a refused document) is read again by :class:`_StrictLoader`,
    which words every problem exactly as before. Both give the same nodes, tags,
    styles (a plain one is ``""`` from libyaml, ``None`` from PyYAML) and lines;
    tests/test_yaml_reader.py checks that on every scenario file and on generated text.
    """
    if not LIBYAML or _LIBYAML_UNSURE.search(text):
        return False, None
    try:
        loader = _FastLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
        if root is not None:
            _check_expanded_size(root)
    except Exception:  # read again by PyYAML, which says what is wrong
        return False, None
    return True, root


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expanded_size(root: Node) -> None:
    """Refuse alias bombs, recursive aliases and deep nesting built from aliases.

    Counts the size and depth the document would have once every alias is expanded,
    visiting each distinct node once (iteratively: the graph may be deep).
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        kids = _children(node)
        if finished:
            in_progress.discard(key)
            size[key] = 1 + sum(size[id(kid)] for kid in kids)
            depth[key] = 1 + max((depth[id(kid)] for kid in kids), default=0)
            if size[key] > MAX_NODES:
                raise Refused(
                    f"expands to more than {MAX_NODES:,} values through aliases (an alias bomb?)",
                    _line(node),
                )
            if depth[key] > MAX_DEPTH:
                raise Refused(f"nesting (through aliases) is deeper than {MAX_DEPTH}", _line(node))
            continue
        if key in size:
            continue
        if key in in_progress:
            raise Refused("an alias refers to a value that contains it", _line(node))
        in_progress.add(key)
        stack.append((node, True))
        stack.extend((kid, False) for kid in kids if id(kid) not in size)


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


@dataclass
class Document:
    """A YAML document as Python values, the line of every value and the problems found."""

    source: str
    value: Any = None
    lines: dict[FieldPath, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Where a refused value (a bad tag, a huge number) was replaced by null: the
    # models' complaints about that null would only repeat the problem.
    refused: list[FieldPath] = field(default_factory=list)


class _Converter:
    def __init__(self, document: Document) -> None:
        self.document = document

    def refuse(self, path: FieldPath, line: int, message: str, value: Any = NO_VALUE) -> None:
        self.document.refused.append(path)
        self.problem(path, line, message, value)

    def problem(self, path: FieldPath, line: int, message: str, value: Any = NO_VALUE) -> None:
        self.document.problems.append(
            Problem(self.document.source, line, format_path(path), message, value)
        )

    def convert(self, node: Node, path: FieldPath) -> Any:
        if node.tag not in (STR, INT, FLOAT, BOOL, NULL, SEQ, MAP):
            self.refuse(path, _line(node), f"unknown tag {_short_tag(node.tag)}")
            return None
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        if isinstance(node, SequenceNode):
            result = []
            for index, item in enumerate(node.value):
                self.document.lines[(*path, index)] = _line(item)
                result.append(self.convert(item, (*path, index)))
            return result
        assert isinstance(node, ScalarNode)
        return self.scalar(node, path)

    def mapping(self, node: MappingNode, path: FieldPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = _line(key_node)
            if not (isinstance(key_node, ScalarNode) and key_node.tag == STR):
                shown = self.convert(key_node, path) if isinstance(key_node, ScalarNode) else "…"
                self.problem(path, line, "keys must be strings", shown)
                continue
            key = str(key_node.value)
            if key == "<<" and not key_node.style:  # plain: None, or "" from libyaml
                self.problem(path, line, "merge keys (<<) are not supported; use extends")
                continue
            if key in first_line:
                self.problem(
                    (*path, key), line, f"duplicate key (first given at line {first_line[key]})"
                )
                continue
            first_line[key] = line
            self.document.lines[(*path, key)] = line
            result[key] = self.convert(value_node, (*path, key))
        return result

    def scalar(self, node: ScalarNode, path: FieldPath) -> Any:
        text = str(node.value)
        if node.tag == STR:
            return text
        pattern = dict(_PLAIN_RESOLVERS).get(node.tag)  # None: !!seq or !!map on a scalar
        if pattern is None or not pattern.fullmatch(text):  # an explicit tag that does not fit
            self.refuse(path, _line(node), f"is not a valid {_short_tag(node.tag)}", Verbatim(text))
            return None
        if node.tag == NULL:
            return None
        if node.tag == BOOL:
            return text.lower() == "true"
        if node.tag == INT:
            digits = text.lstrip("+-").replace("_", "")
            if len(digits) > MAX_INT_DIGITS:
                self.refuse(
                    path,
                    _line(node),
                    f"integer has more than {MAX_INT_DIGITS} digits",
                    Verbatim(text),
                )
                return None
            return int(digits) * (-1 if text.startswith("-") else 1)
        lowered = text.lower()
        if lowered.endswith((".inf", ".nan")):
            if "nan" in lowered:
                return math.nan
            return -math.inf if text.startswith("-") else math.inf
        number = float(text.replace("_", ""))
        if math.isinf(number):
            self.refuse(path, _line(node), "number is too large", Verbatim(text))
            return None
        return number


def format_path(path: FieldPath) -> str:
    """``("personnel", 2, "count")`` → ``personnel[2].count``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text


def parse_yaml(text: str, source: str) -> Document:
    """Parse one YAML document; hostile or broken input raises :class:`ScenarioError`.

    Problems that still leave a usable value (a duplicate key, a bad tag) are
    collected in ``Document.problems`` so the caller can report them together
    with everything else wrong in the scenario.
    """
    document = Document(source)
    read, root = _compose_fast(text)
    if not read:
        root = _compose(text, source)
    if root is not None:
        document.value = _Converter(document).convert(root, ())
    return document


def _compose(text: str, source: str) -> Node | None:
    """The node graph by PyYAML alone; hostile or broken text raises :class:`ScenarioError`."""
    try:
        # The reader checks every character when it is built: a raw control byte fails here.
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as error:
        at = text[: max(error.position, 0)].count("\n") + 1
        character = error.character
        shown = repr(chr(character) if isinstance(character, int) else character)
        message = f"not valid YAML: control character {shown} is not allowed"
        raise ScenarioError([Problem(source, at, "", message)]) from None
    try:
        root = loader.get_single_node()
        if root is not None:
            _check_expanded_size(root)
    except Refused as refused:
        raise ScenarioError([Problem(source, refused.line, "", refused.message)]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = None if mark is None else int(mark.line) + 1
        what = error.problem or error.context or "cannot be read"
        raise ScenarioError([Problem(source, line, "", f"not valid YAML: {what}")]) from None
    except yaml.YAMLError as error:  # the reader: a character YAML does not allow
        raise ScenarioError([Problem(source, None, "", f"not valid YAML: {error}")]) from None
    finally:
        loader.dispose()
    return root
