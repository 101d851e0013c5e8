"""The package's shape: no import cycles anywhere in ``sim/``.

Every ``import`` statement counts, at module level or inside a function, and
type-only imports under ``TYPE_CHECKING`` too: a cycle that only the type
checker sees is still two modules that cannot be understood one without the
other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sim"


def module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module → the package's modules it imports (a package's own parents excluded)."""
    modules = {module_name(path, package): path for path in package.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                # `import sim.x.y` from inside sim.x runs sim/x/__init__ first: not an edge back
                if target in modules and target != name and not name.startswith(target + "."):
                    graph[name].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path ``[a, b, ..., a]``, or None (depth-first search, three colours)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for successor in sorted(graph[node]):
            if state.get(successor) == 1:
                return [*path[path.index(successor) :], successor]
            if successor not in state and (cycle := visit(successor)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_finds_a_cycle_when_there_is_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize(
    "source", ["import sim.b\n", "from sim import b\n", "from sim.b import f\n"]
)
def test_every_import_form_is_an_edge(tmp_path: Path, source: str) -> None:
    package = tmp_path / "sim"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text(source)
    (package / "b.py").write_text("def f() -> None:\n    from sim import a\n")
    graph = import_graph(package)
    assert find_cycle(graph) == ["sim.a", "sim.b", "sim.a"]


def test_sim_has_no_import_cycle() -> None:
    cycle = find_cycle(import_graph(PACKAGE))
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


# --- presentation never simulates ---------------------------------------------------------

MODEL_MODULES = ("sim.replication.drawdown", "sim.actors")
"""What runs the model: presentation may read its results, never import these."""


def model_uses(source: str) -> list[str]:
    """The imports of the model and the calls of ``simulate`` in one module's source."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.Call):
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else None
            name = function.id if isinstance(function, ast.Name) else name
            if name is not None and name.startswith("simulate"):
                found.append(f"line {node.lineno}: calls {name}")
            continue
        else:
            continue
        for target in targets:
            if target == "sim.simulate" or any(
                target == model or target.startswith(model + ".") for model in MODEL_MODULES
            ):
                found.append(f"line {node.lineno}: imports {target}")
    return found


def presentation_modules() -> list[Path]:
    plots = PACKAGE / "plots"
    paths = [*sorted((PACKAGE / "render").rglob("*.py"))]
    paths += sorted(plots.rglob("*.py")) if plots.is_dir() else [PACKAGE / "plots.py"]
    return paths


@pytest.mark.parametrize(
    "source",
    [
        "from sim.replication.drawdown import simulate\n",
        "import sim.actors.airlift\n",
        "from sim.actors import weather\n",
        "from sim.replication import drawdown\n",
        "from sim import simulate\n",
        "def f(sim):\n    return sim.simulate(1, 2)\n",
        "def f(run):\n    return run.simulate_chunk(1)\n",
    ],
)
def test_finds_every_way_to_run_the_model(source: str) -> None:
    assert model_uses(source)


def test_reading_results_is_not_running_the_model() -> None:
    source = (
        "from sim.replication.trace import Kind\nfrom sim.replication.outcome import Counters\n"
    )
    assert model_uses(source) == []


def test_presentation_never_simulates() -> None:
    """Renderers and figures draw what a run carries; they never run the model again."""
    modules = presentation_modules()
    assert len(modules) >= 4  # render/{html,text,timeline}.py and the figures
    offences = [
        f"{path.relative_to(PACKAGE.parent)}: {use}"
        for path in modules
        for use in model_uses(path.read_text(encoding="utf-8"))
    ]
    assert offences == []
