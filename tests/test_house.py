"""The shape of the house: imports read downward with no circle, every error has one root, and the one
mapping from a failure to what the front ends answer covers every kind."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from index.errors import AssistantError, Failure
from ui.failures import REPLIES, outcome

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("assistant", "index", "ui")
# who may import whom: the core never imports the front ends or the benches
FORBIDDEN = {"assistant": ("ui", "bench"), "index": ("assistant", "ui", "bench")}


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Our modules that ``path`` imports anywhere (at the top or inside a function)."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for n in names:
            while n and n not in known:
                n = n.rpartition(".")[0]
            if n and n != name:
                found.add(n)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, name, known) for name, path in modules.items()}


def test_the_core_never_imports_a_front_end_or_a_bench():
    wrong = [f"{m} imports {d}" for m, deps in _graph().items() for d in deps
             if d.split(".")[0] in FORBIDDEN.get(m.split(".")[0], ())]
    assert not wrong, wrong


def test_no_import_cycle():
    graph = _graph()
    # packages' __init__ re-export their modules: an edge into a package is not a cycle of modules
    graph = {m: {d for d in deps if not (REPO / d.replace(".", "/") / "__init__.py").exists()} for m, deps in graph.items()}
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for dep in graph.get(node, ()):
            if state.get(dep) == "open":
                cycles.append(path[path.index(dep):] + [dep])
            elif dep not in state:
                visit(dep, path + [dep])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, [" → ".join(c) for c in cycles]


def test_a_cycle_is_seen(tmp_path, monkeypatch):
    """The cycle finder itself: two modules that import each other are found."""
    (tmp_path / "a.py").write_text("import b\n")
    (tmp_path / "b.py").write_text("from a import x\n")
    known = {"a", "b"}
    assert _imports(tmp_path / "a.py", "a", known) == {"b"} and _imports(tmp_path / "b.py", "b", known) == {"a"}


def _error_classes() -> list[type]:
    classes = []
    for name in sorted(_modules()):
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__ == name:
                classes.append(obj)
    return classes


def test_every_error_of_ours_has_the_one_root():
    classes = _error_classes()
    assert len(classes) >= 20   # the walk found them
    assert [c.__qualname__ for c in classes if not issubclass(c, AssistantError)] == []


def test_every_failure_has_a_reply_and_a_core_error_keeps_its_message():
    assert set(REPLIES) == set(Failure)
    from index.store import IndexLocked
    from assistant.question import QuestionError

    busy = outcome(IndexLocked("another process is writing /x"))
    assert (busy.reply.status, busy.reply.exit_code, busy.expected) == (409, 1, True)
    refused = outcome(QuestionError("the question is empty"))
    assert (refused.reply.status, refused.reply.openai_status, refused.reply.exit_code) == (422, 400, 2)
    assert refused.message == "the question is empty"


@pytest.mark.parametrize("exc", [ZeroDivisionError("secret"), AssistantError("a bug of ours")])
def test_anything_else_is_internal_without_its_details(exc):
    result = outcome(exc)
    assert not result.expected and result.reply.status == 500 and "secret" not in result.message


def test_no_module_is_over_400_lines():
    """A module that grows past this is two modules (issue 20)."""
    paths = [*(_modules().values()), *(REPO / "bench").glob("*.py")]
    long = {str(p.relative_to(REPO)): n for p in paths if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, long
