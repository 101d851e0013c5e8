"""The YAML reader's two parsers: libyaml reads, PyYAML words the complaints.

:func:`sim.scenario.yaml_reader.parse_yaml` takes a document from libyaml (about
fifteen times faster) only when libyaml reads it without a complaint and the text
has none of the constructs where the two parsers are known to part ways; anything
else is read by PyYAML's own parser, whose messages the invalid-file folder pins
down. These tests hold the two to the same answer: the same values, lines,
problems and refused values, or the same located problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario import yaml_reader
from sim.scenario.problems import ScenarioError
from sim.scenario.yaml_reader import parse_yaml

ROOT = Path(__file__).parent.parent
YAML_FILES = sorted(
    [*(ROOT / "scenarios").rglob("*.yaml"), *(ROOT / "tests" / "scenarios").rglob("*.yaml")]
)

needs_libyaml = pytest.mark.skipif(not yaml_reader.LIBYAML, reason="PyYAML without libyaml")


def outcome(text: str) -> tuple[Any, ...]:
    """What a caller of :func:`parse_yaml` can see: the document, or the problems raised."""
    try:
        document = parse_yaml(text, "x.yaml")
    except ScenarioError as error:
        return ("refused", [str(problem) for problem in error.problems])
    # repr: a NaN is not equal to itself, and 1 == 1.0 == True would hide a wrong type
    return (
        repr(document.value),
        sorted(document.lines.items(), key=repr),
        [str(problem) for problem in document.problems],
        document.refused,
    )


def outcome_by_pyyaml(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    with monkeypatch.context() as patch:
        patch.setattr(yaml_reader, "LIBYAML", False)
        return outcome(text)


@needs_libyaml
@pytest.mark.parametrize("path", YAML_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_both_parsers_read_every_scenario_file_alike(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    assert outcome(text) == outcome_by_pyyaml(text, monkeypatch)


@needs_libyaml
def test_shipped_scenarios_are_read_by_libyaml() -> None:
    """The fast path is taken for the files planners write (else validate is slow again)."""
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        read, root = yaml_reader._compose_fast(path.read_text(encoding="utf-8"))
        assert read, path.name
        assert root is not None, path.name


@pytest.mark.parametrize(
    "text",
    [
        "a:\tb\n",  # libyaml accepts tabs that PyYAML refuses
        "a: |2#\n  x\n",  # a comment right after a block scalar's header
        "? a\n: b\n",  # explicit keys: empty values on other lines
        "--- \n",  # a document marker
        "%YAML 1.1\n---\na: 1\n",  # a directive
        "a: !!str 1\n",  # tags
        "a: 1\r\nb: 2\r\n",  # line breaks other than \n
        "\ufeffa: 1\n",  # a byte order mark
    ],
)
def test_text_where_the_parsers_differ_is_read_by_pyyaml(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert yaml_reader._compose_fast(text) == (False, None)
    assert outcome(text) == outcome_by_pyyaml(text, monkeypatch)


def test_broken_and_hostile_text_is_worded_by_pyyaml() -> None:
    """libyaml's own messages never reach a planner."""
    assert outcome("a: [1, 2\n") == (
        "refused",
        ["x.yaml:2: not valid YAML: expected ',' or ']', but got '<stream end>'"],
    )
    assert outcome("a: &x [*x]\n") == (
        "refused",
        ["x.yaml:1: an alias refers to a value that contains it"],
    )
    deep = "a: " + "[" * 100 + "]" * 100 + "\n"
    assert outcome(deep) == ("refused", ["x.yaml:1: nesting is deeper than 64 levels"])


def test_a_plain_merge_key_is_refused_by_either_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml gives a plain scalar the style ``""``, PyYAML ``None``: both are plain."""
    text = "<<: {a: 1}\n'<<': 2\n"
    expected: tuple[Any, ...] = (
        repr({"<<": 2}),
        [(("<<",), 2)],
        ["x.yaml:1: merge keys (<<) are not supported; use extends"],
        [],
    )
    assert outcome(text) == expected
    assert outcome_by_pyyaml(text, monkeypatch) == expected


# Pieces of YAML, valid and not, that random texts are made of.
PIECES = [
    "a", "b c", "1", "-1", "0.5", "1e3", "1_000", ".inf", "-.inf", ".nan", "~", "null", "true",
    "no", "0o7", "0x1F", "2024-06-07", "12:30", ":", ": ", "- ", "-", ",", "[", "]", "{", "}",
    "&x ", "*x", "'", '"', "'a''b'", '"a\\tb"', '"\\u00e9"', "#", " # c", "\n", "\n  ", "\n    ",
    "\n- ", "\n  - ", " ", "|", "|-", ">", ">+", "|2", "x: |\n  a\n   b\n\n  c\n",
    "x: >-\n  a\n  b\n\n", "key: value\n", "k:\n  - x\n  - y\n", "- a: b\n  c: d\n", "<<",
    "http://x", "a:b", "é", "😀", "\x07", "\x1b", "\u00a0", "@", "`", "=", "\\",
]  # fmt: skip


def check_alike(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert outcome(text) == outcome_by_pyyaml(text, monkeypatch), repr(text)


@needs_libyaml
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(pieces=st.lists(st.sampled_from(PIECES), min_size=1, max_size=30))
def test_both_parsers_agree_on_random_text(
    pieces: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    check_alike("".join(pieces), monkeypatch)


@needs_libyaml
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_both_parsers_agree_on_edited_scenario_files(
    data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = data.draw(st.sampled_from(YAML_FILES))
    lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        column = data.draw(st.integers(0, len(lines[index])))
        line = lines[index]
        edit = data.draw(st.sampled_from(["insert", "delete", "duplicate", "indent"]))
        if edit == "insert":
            lines[index] = line[:column] + data.draw(st.sampled_from(PIECES)) + line[column:]
        elif edit == "delete":
            lines[index] = line[:column] + line[column + data.draw(st.integers(1, 5)) :]
        elif edit == "duplicate":
            lines.insert(index, data.draw(st.sampled_from(lines)))
        else:
            lines[index] = " " * data.draw(st.integers(0, 4)) + line.lstrip()
    check_alike("\n".join(lines), monkeypatch)
