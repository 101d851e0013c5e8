"""Loading scenarios: strict YAML, ``extends``, ``--set`` overrides and located problems.

The invalid-file folder ``tests/scenarios/invalid`` drives most of the error
tests: each ``NAME.yaml`` has a ``NAME.expected`` holding the exact lines that
``drawdown validate`` prints for it, and optionally a ``NAME.set`` with one
``--set`` override per line.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario import yaml_reader
from sim.scenario.distributions import Triangular, Uniform
from sim.scenario.problems import Problem, ScenarioError
from sim.scenario.reading import (
    MAX_EXTENDS_DEPTH,
    NOT_INHERITED,
    explain,
    load_scenario,
    load_scenario_text,
    resolve,
    scenario_digest,
)
from sim.scenario.yaml_reader import parse_yaml

HERE = Path(__file__).parent
VALID = HERE / "scenarios" / "valid"
INVALID = HERE / "scenarios" / "invalid"
# The two files of a cycle each have an expectation; everything else is one case.
INVALID_CASES = sorted(path.stem for path in INVALID.glob("*.yaml"))

MINIMAL = """\
schema_version: 1
start: 2024-05-20T00:00
deadline: 2024-09-15
base: {parking: 2, loading_teams: 1}
personnel:
  - {name: everyone, count: 50}
airlift: {tails: 1, payload_kg: 45000, leg_hours: 5, load_hours: 3, turnaround_hours: 10}
"""


def problems_of(text: str, overrides: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "x.yaml", overrides)
    return [str(problem) for problem in caught.value.problems]


# --- the invalid folder -------------------------------------------------------


def test_every_invalid_file_has_its_expected_messages() -> None:
    """A bad file without an ``.expected`` file would test nothing."""
    missing = [name for name in INVALID_CASES if not (INVALID / f"{name}.expected").exists()]
    assert missing == []
    assert len(INVALID_CASES) >= 20


@pytest.mark.parametrize("name", INVALID_CASES)
def test_invalid_file_reports_exactly_the_expected_problems(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every problem is reported, each as ``file:line: field: message (got value)``."""
    monkeypatch.chdir(INVALID)
    set_file = INVALID / f"{name}.set"
    overrides = set_file.read_text().splitlines() if set_file.exists() else []
    expected = (INVALID / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    with pytest.raises(ScenarioError) as caught:
        load_scenario(f"{name}.yaml", overrides)
    assert [str(problem) for problem in caught.value.problems] == expected


# --- valid files --------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(VALID.glob("*.yaml")), ids=lambda path: path.name)
def test_valid_file_round_trips_through_explain(path: Path) -> None:
    """``explain`` prints what will run; loading that text again gives the same scenario."""
    scenario = load_scenario(path)
    again = load_scenario_text(explain(scenario), path.name)
    # explain leaves out `extends` (the base is already merged in).
    assert again == scenario.model_copy(update={"extends": None})
    assert scenario_digest(again) == scenario_digest(scenario.model_copy(update={"extends": None}))


def test_full_file_uses_every_dist_form() -> None:
    text = (VALID / "full.yaml").read_text()
    for kind in ("uniform", "triangular", "normal", "lognormal", "exponential", "choice"):
        assert f"dist: {kind}" in text


def test_name_defaults_to_the_file_stem() -> None:
    assert load_scenario(VALID / "minimal.yaml").name == "minimal"
    assert load_scenario_text(MINIMAL, "scenarios/what-if.yaml").name == "what-if"


def test_text_without_a_file_name_must_name_itself() -> None:
    with pytest.raises(ScenarioError, match="name: required field is missing"):
        load_scenario_text(MINIMAL)
    assert load_scenario_text("name: mine\n" + MINIMAL).name == "mine"


def test_yaml_12_scalars() -> None:
    """``1e3`` is a number, ``010`` is ten, ``no`` and dates stay text (the models decide)."""
    text = "a: 1e3\nb: 010\nc: 2024-06-07\nd: 1_000\ne: TRUE\nf: ~\ng: 12:30\nh: .5\ni: no\n"
    document = parse_yaml(text, "t.yaml")
    assert document.problems == []
    assert document.value == {
        "a": 1000.0, "b": 10, "c": "2024-06-07", "d": 1000, "e": True,
        "f": None, "g": "12:30", "h": 0.5, "i": "no",
    }  # fmt: skip
    assert document.lines[("i",)] == 9
    infinite = parse_yaml("x: -.inf\n", "t.yaml").value
    assert math.isinf(infinite["x"])
    assert infinite["x"] < 0


# --- extends ------------------------------------------------------------------


def test_extends_merges_mappings_and_replaces_lists() -> None:
    base = load_scenario(VALID / "full.yaml")
    overlay = load_scenario(VALID / "overlay.yaml")
    assert overlay.airlift is not None
    assert base.airlift is not None
    assert overlay.airlift.tails == 5
    # Merged key by key: the rest of airlift comes from the base.
    assert overlay.airlift.leg_hours == base.airlift.leg_hours
    assert overlay.commercial == []  # a list replaces
    assert overlay.extends == "full.yaml"


def test_extends_does_not_inherit_name_title_description_expect() -> None:
    overlay = load_scenario(VALID / "overlay.yaml")
    assert set(NOT_INHERITED) == {"name", "title", "description", "expect"}
    assert overlay.name == "overlay"
    assert overlay.title == "Full, with five tails"
    assert overlay.description == ""
    assert overlay.expect is None


def test_an_overlay_distribution_replaces_the_base_distribution(tmp_path: Path) -> None:
    """A mapping that names its ``dist`` is one value: switching kinds drops the base's keys,
    while a mapping without ``dist`` still adjusts the base's parameters."""
    base = MINIMAL.replace(
        "leg_hours: 5", "leg_hours: {dist: triangular, low: 5, mode: 6, high: 8}"
    )
    (tmp_path / "base.yaml").write_text(base)
    (tmp_path / "uniform.yaml").write_text(
        "extends: base.yaml\nairlift: {leg_hours: {dist: uniform, low: 5, high: 7}}\n"
    )
    (tmp_path / "longer.yaml").write_text("extends: base.yaml\nairlift: {leg_hours: {high: 9}}\n")
    uniform = load_scenario(tmp_path / "uniform.yaml")
    longer = load_scenario(tmp_path / "longer.yaml")
    assert uniform.airlift is not None
    assert longer.airlift is not None
    assert uniform.airlift.leg_hours == Uniform(dist="uniform", low=5, high=7)
    assert longer.airlift.leg_hours == Triangular(dist="triangular", low=5, mode=6, high=9)


def test_a_problem_in_a_base_points_at_the_base_file(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(MINIMAL.replace("loading_teams: 1", "loading_teams: 0"))
    (tmp_path / "overlay.yaml").write_text("extends: base.yaml\nairlift: {tails: -1}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "overlay.yaml")
    assert [(Path(p.file or "").name, p.line, p.field) for p in caught.value.problems] == [
        ("overlay.yaml", 2, "airlift.tails"),
        ("base.yaml", 4, "base.loading_teams"),
    ]


def test_resolve_returns_the_merged_mapping_before_defaults() -> None:
    data = resolve(VALID / "overlay.yaml", ["simulation.seed=7"])
    assert data["airlift"]["tails"] == 5
    assert data["simulation"]["seed"] == 7
    assert "name" not in data
    assert "expect" not in data


# --- overrides ----------------------------------------------------------------


def test_overrides_apply_after_extends() -> None:
    scenario = load_scenario(
        VALID / "overlay.yaml",
        [
            "airlift.tails=4",
            "personnel[0].count=10",
            "clearance.lead_days={dist: uniform, low: 1, high: 3}",
            "commercial=[]",
        ],
    )
    assert scenario.airlift is not None
    assert scenario.airlift.tails == 4
    assert scenario.personnel[0].count == 10
    assert scenario.clearance is not None
    lead_days = scenario.clearance.lead_days
    assert isinstance(lead_days, Uniform)
    assert lead_days.model_dump() == {"dist": "uniform", "low": 1, "high": 3}


def test_override_creates_missing_mappings() -> None:
    scenario = load_scenario_text(
        "name: s\n" + MINIMAL, overrides=["clearance.opens=2024-05-19T00:00"]
    )
    assert scenario.clearance is not None


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("airlift.tails=-2", "airlift.tails: must be ≥ 0 (got -2)"),
        ("airlift.tails=two", "airlift.tails: must be an integer (got 'two')"),
        ("airlift.tails", "must be KEY=VALUE, e.g. airlift.tails=4 or personnel[0].count=10"),
        ("personnel[3].count=1", "no item [3] (personnel has 1)"),
        ("policy.sensitive_first=no", "policy.sensitive_first: must be true or false (got 'no')"),
        ("airlift.tails={a: 1", "not valid YAML: expected ',' or '}', but got '<stream end>'"),
    ],
)
def test_bad_override_is_reported_like_a_file_problem(override: str, expected: str) -> None:
    """The ``--set`` item takes the place of ``file:line``."""
    assert problems_of("name: s\n" + MINIMAL, (override,)) == [f"--set {override}: {expected}"]


def test_unknown_override_key_suggests_the_right_one() -> None:
    (problem,) = problems_of("name: s\n" + MINIMAL, ("airlift.tial=3",))
    assert problem.startswith(
        "--set airlift.tial=3: unknown field 'tial' (allowed: aircraft, tails"
    )
    assert problem.endswith("did you mean 'tails'?")


# --- hostile input ------------------------------------------------------------


def test_recursive_alias_is_refused() -> None:
    assert problems_of("a: &a [*a]\n") != []
    with pytest.raises(ScenarioError, match="alias refers to a value that contains it"):
        load_scenario_text("a: &a [1, *a]\n")


def test_files_that_are_not_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="file does not exist"):
        load_scenario(tmp_path / "nope.yaml")
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario(tmp_path)


def problem_lines(path: Path, **options: Any) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, **options)
    return [str(problem) for problem in caught.value.problems]


def test_special_files_are_refused_without_being_opened(tmp_path: Path) -> None:
    """A FIFO would block the reader forever and /dev/zero never ends: both are looked at first."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert problem_lines(fifo) == [f"{fifo}: is not a regular file"]
    if Path("/dev/zero").exists():
        assert problem_lines(Path("/dev/zero")) == ["/dev/zero: is not a regular file"]
    (tmp_path / "overlay.yaml").write_text("extends: pipe.yaml\n")
    assert problem_lines(tmp_path / "overlay.yaml") == [
        f"{tmp_path / 'overlay.yaml'}:1: extends: base scenario is not a regular file "
        "(got 'pipe.yaml')"
    ]


def test_broken_paths_say_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "loop-a.yaml").symlink_to("loop-b.yaml")
    (tmp_path / "loop-b.yaml").symlink_to("loop-a.yaml")
    (tmp_path / "dangling.yaml").symlink_to("gone.yaml")
    long_name = tmp_path / ("x" * 300 + ".yaml")
    assert problem_lines(tmp_path / "loop-a.yaml") == [f"{tmp_path}/loop-a.yaml: is a symlink loop"]
    assert problem_lines(tmp_path / "dangling.yaml") == [
        f"{tmp_path}/dangling.yaml: is a broken symbolic link"
    ]
    assert problem_lines(long_name) == [f"{long_name}: has a name too long for the file system"]
    nul = str(tmp_path / "a\0b.yaml")
    assert problem_lines(Path(nul)) == [f"{nul}: is not a usable path: it contains a NUL byte"]


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("loop-a.yaml", "base scenario is a symlink loop"),
        ("x" * 300 + ".yaml", "base scenario has a name too long for the file system"),
        ('"a\\0b.yaml"', "base scenario is not a usable path: it contains a NUL byte"),
    ],
)
def test_broken_extends_paths_are_located_problems(
    tmp_path: Path, target: str, reason: str
) -> None:
    (tmp_path / "loop-a.yaml").symlink_to("loop-b.yaml")
    (tmp_path / "loop-b.yaml").symlink_to("loop-a.yaml")
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(f"extends: {target}\n")
    (line,) = problem_lines(overlay)
    assert line.startswith(f"{overlay}:1: extends: {reason} (got ")


def test_extends_stays_in_the_top_scenarios_folder_tree(tmp_path: Path) -> None:
    """Absolute paths, ../ chains and links out of the tree are refused, unless allowed."""
    shared = tmp_path / "shared"
    project = tmp_path / "project"
    (project / "variants").mkdir(parents=True)
    shared.mkdir()
    (shared / "base.yaml").write_text(MINIMAL)
    (project / "base.yaml").write_text(MINIMAL)
    (project / "link.yaml").symlink_to(shared / "base.yaml")
    refusal = (
        "extends: base scenario is outside the top scenario's folder; "
        "allow its folder with --allow-extends-from DIR"
    )
    for target in (str(shared / "base.yaml"), "../shared/base.yaml", "link.yaml"):
        (project / "overlay.yaml").write_text(f"extends: {target}\n")
        (line,) = problem_lines(project / "overlay.yaml")
        assert line.startswith(f"{project / 'overlay.yaml'}:1: {refusal} (got ")
        allowed = load_scenario(project / "overlay.yaml", allow_extends_from=[shared])
        assert allowed.base.parking == 2
    # Inside the tree, a base may be anywhere below the top file's folder; the top
    # file's folder bounds the whole chain, so a variant may reach its parent folder
    # only when the variant is not the top file.
    (project / "variants" / "v.yaml").write_text("extends: ../base.yaml\n")
    (project / "top.yaml").write_text("extends: variants/v.yaml\n")
    assert load_scenario(project / "top.yaml").base.parking == 2
    assert problem_lines(project / "variants" / "v.yaml")[0].endswith(
        "allow its folder with --allow-extends-from DIR (got '../base.yaml')"
    )


def test_extends_chains_are_bounded(tmp_path: Path) -> None:
    """32 files may extend each other (the top file and 31 bases); the 33rd link is refused."""

    def chain(length: int) -> Path:
        folder = tmp_path / f"chain{length}"
        folder.mkdir()
        for index in range(length - 1):
            (folder / f"c{index}.yaml").write_text(f"extends: c{index + 1}.yaml\n")
        (folder / f"c{length - 1}.yaml").write_text(MINIMAL)
        return folder / "c0.yaml"

    assert load_scenario(chain(MAX_EXTENDS_DEPTH + 1), [], allow_extends_from=()).name == "c0"
    lines = problem_lines(chain(MAX_EXTENDS_DEPTH + 2))
    assert lines == [
        f"{tmp_path}/chain34/c32.yaml:1: extends: extends chain is longer than 32 files"
    ]


def test_a_huge_plain_list_is_too_many_values_not_an_alias_bomb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading stops at the first value over the limit (1,000 here, 100,000 in use).

    Line 1 is ``values:``, item k is on line k + 1. Nodes composed: the mapping
    (1), its key (2), the list (3), then the items; the 1,001st node is item 998,
    on line 999. A short file whose aliases expand past the limit is still an
    alias bomb.
    """
    monkeypatch.setattr(yaml_reader, "MAX_NODES", 1_000)
    path = tmp_path / "list.yaml"
    path.write_text("values:\n" + "- 1\n" * 5_000)
    assert problem_lines(path) == [f"{path}:999: has more than 1,000 values (too many values)"]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
                    "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n")  # fmt: skip
    (line,) = problem_lines(bomb)
    assert "through aliases (an alias bomb?)" in line


def test_many_problems_are_each_reported_once() -> None:
    """2,000 unknown keys (MINIMAL has 7 lines): 2,000 problems, in file order, none twice."""
    text = MINIMAL + "".join(f"extra_{index}: 1\n" for index in range(2_000))
    problems = problems_of(text)
    assert len(problems) == len(set(problems)) == 2_000
    assert problems[0].startswith("x.yaml:8: extra_0: unknown field 'extra_0'")
    assert problems[-1].startswith("x.yaml:2007: extra_1999: unknown field")


def test_huge_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("w") as stream:
        stream.write("name: s\n" + "# padding\n" * 600_000)
    with pytest.raises(ScenarioError, match="is larger than 5 MB"):
        load_scenario(big)


def test_problem_format() -> None:
    """``file:line: field: message (got value)``, leaving out what does not apply."""
    assert str(Problem("x.yaml", 3, "airlift.tails", "must be ≥ 0", -2)) == (
        "x.yaml:3: airlift.tails: must be ≥ 0 (got -2)"
    )
    assert str(Problem("x.yaml", None, "", "is empty")) == "x.yaml: is empty"
    error = ScenarioError([Problem("a", 1, "f", "m"), Problem("b", 2, "g", "n", "v")])
    assert str(error) == "a:1: f: m\nb:2: g: n (got 'v')"


# --- nothing but ScenarioError ------------------------------------------------

VALID_TEXT = (VALID / "full.yaml").read_text(encoding="utf-8")


JUNK = [
    "", ":", "-", "{", "[", "]", "&a ", "*a", "!x ", "\n", " ", "no", "1e999", "-5", "'", '"',
    "\t", "x", "0", "999999999999999999999", "~", ",",
]  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_valid_file_loads_or_reports_located_problems(data: st.DataObject) -> None:
    """Random edits of a valid file never raise anything but ScenarioError."""
    text = VALID_TEXT
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(text)))
        kind = data.draw(st.sampled_from(["delete", "insert", "replace"]))
        junk = data.draw(st.sampled_from(JUNK))
        if kind == "delete":
            text = text[:position] + text[position + data.draw(st.integers(1, 20)) :]
        elif kind == "insert":
            text = text[:position] + junk + text[position:]
        else:
            text = text[:position] + junk + text[position + 1 :]
    check_loads_or_locates(text)


yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10))
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
scenario_keys = st.sampled_from(
    ["schema_version", "name", "start", "deadline", "base", "personnel", "cargo", "airlift",
     "clearance", "commercial", "weather", "policy", "simulation", "expect", "observed", "x"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(scenario_keys, yaml_values, max_size=8))
def test_generated_mappings_load_or_report_located_problems(mapping: dict[str, object]) -> None:
    text = yaml.safe_dump(mapping, allow_unicode=True)
    check_loads_or_locates(text)


def check_loads_or_locates(text: str) -> None:
    problems: list[Problem] = []
    try:
        load_scenario_text(text, "mutant.yaml")
    except ScenarioError as error:
        problems = error.problems
    for problem in problems:
        assert problem.file == "mutant.yaml"
        assert problem.message
        assert "\n" not in str(problem)
