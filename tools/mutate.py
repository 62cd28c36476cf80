"""A small mutation check: change one operator or constant of the engine and detectors at a
time, and see whether the tests chosen for that module notice.

Each *mutant* flips one comparison (``<``/``<=``, ``>``/``>=``, ``==``/``!=``), arithmetic or
augmented operator (``+``/``-``, ``*``/``/``), ``and``/``or``, ``min``/``max``, drops a ``not``,
or moves an integer constant by one (``True``/``False`` flipped) — inside a function body. The
checks run in a forked child of a process that has imported everything once: the child swaps
the mutated function's code into the live function object (so every module that imported it
sees the change), clears the memoising caches, and runs the module's checks — the scenario
cases of every pack (or of the packs named) and a few fast pytest files. A mutant survives
when every check passes.

    python tools/mutate.py                         # every target, as in TARGETS below
    python tools/mutate.py zhili.engine.appeals    # one module
    python tools/mutate.py --list zhili.timekit    # the mutants only, without running them
    python tools/mutate.py zhili.timekit --only 30,41@8   # these mutants only (line[@column])

Mutants listed in ``tools/mutation_equivalent.yaml`` (with why no test can tell them apart)
count as equivalent, not as survivors. The summary is written to ``--report``.
"""

from __future__ import annotations

import argparse
import ast
import functools
import gc
import importlib
import inspect
import os
import signal
import sys
import time
import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT_FILE = Path(__file__).with_name("mutation_equivalent.yaml")
# module -> (packs whose scenario cases check it, pytest files that check it)
# (the hypothesis properties of tests/engine/test_properties.py take half a minute a run: too
# slow per mutant on a shared machine; the scenario cases and test_fold carry the check.)
ENGINE_TESTS = ("tests/engine/test_fold.py",)
TARGETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "zhili.engine.effects": (("wechat_channels", "wechat_store", "tmall_global"), ENGINE_TESTS),
    "zhili.engine.clock": (("wechat_channels",), ENGINE_TESTS),
    "zhili.engine.association": (("wechat_channels",), ENGINE_TESTS),
    "zhili.engine.appeals": (("wechat_channels", "pinduoduo_global"), ENGINE_TESTS),
    "zhili.timekit": (("wechat_channels", "pinduoduo_global"),
                      ("tests/engine/test_events_time.py",)),
    # the AliExpress cases fold order tables through DuckDB; the pytest files are pure numpy
    "zhili.detect.orders.families": (("aliexpress",), ("tests/orders/test_families.py",)),
    "zhili.detect.orders.series": (("aliexpress",), ("tests/orders/test_series.py",)),
    "zhili.detect.content.normalize": ((), ("tests/content/test_normalize.py",
                                            "tests/content/test_scanner.py")),
}
SWAP_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
            ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
SWAP_BIN = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
            ast.FloorDiv: ast.Mult}
SWAP_BOOL = {ast.And: ast.Or, ast.Or: ast.And}
SWAP_CALL = {"min": "max", "max": "min"}


@dataclass(frozen=True)
class Mutant:
    module: str
    function: str   # qualified name of the outermost function or method holding it
    index: int      # position among the mutation points of the module
    line: int
    text: str       # the source line, stripped
    what: str       # e.g. "< -> <="

    column: int = 0  # where on the line: one line may hold the same change twice

    @property
    def key(self) -> str:
        """Stable across edits elsewhere in the file: the line's text, not its number."""
        return f"{self.module} | {self.function} | {self.text} | {self.what} @{self.column}"


def _points(tree: ast.Module) -> Iterator[tuple[ast.AST, str, str]]:
    """(node, outermost function qualname, description) of every mutation point, in order."""
    def defs(body: list[ast.stmt], prefix: str) -> Iterator[tuple[ast.AST, str]]:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                yield node, prefix + node.name
            elif isinstance(node, ast.ClassDef):
                yield from defs(node.body, f"{prefix}{node.name}.")

    for fn, qualname in defs(tree.body, ""):
        # the body only: decorators (a cache's size) and defaults are not the function's logic
        for node in (n for stmt in fn.body for n in ast.walk(stmt)):
            if isinstance(node, ast.Compare):
                for i, op in enumerate(node.ops):
                    if type(op) in SWAP_CMP:
                        yield node, qualname, f"cmp[{i}] {type(op).__name__}"
            elif isinstance(node, ast.BinOp) and type(node.op) in SWAP_BIN:
                yield node, qualname, f"binop {type(node.op).__name__}"
            elif isinstance(node, ast.AugAssign) and type(node.op) in SWAP_BIN:
                yield node, qualname, f"augassign {type(node.op).__name__}"
            elif isinstance(node, ast.BoolOp):
                yield node, qualname, f"boolop {type(node.op).__name__}"
            elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
                yield node, qualname, "drop not"
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                  and node.func.id in SWAP_CALL):
                yield node, qualname, f"call {node.func.id}"
            elif isinstance(node, ast.Constant) and type(node.value) in (int, bool):
                yield node, qualname, f"const {node.value!r}"


def _mutate(node: ast.AST, what: str) -> None:
    if what.startswith("cmp["):
        i = int(what[4:what.index("]")])
        node.ops[i] = SWAP_CMP[type(node.ops[i])]()  # type: ignore[attr-defined]
    elif what.startswith(("binop", "augassign")):
        node.op = SWAP_BIN[type(node.op)]()  # type: ignore[attr-defined]
    elif what.startswith("boolop"):
        node.op = SWAP_BOOL[type(node.op)]()  # type: ignore[attr-defined]
    elif what == "drop not":
        node.op = ast.UAdd()  # type: ignore[attr-defined]  # +x of a bool is its truth
    elif what.startswith("call"):
        node.func.id = SWAP_CALL[node.func.id]  # type: ignore[attr-defined]
    elif what.startswith("const"):
        value = node.value  # type: ignore[attr-defined]
        node.value = (not value) if isinstance(value, bool) else value + 1  # type: ignore


def _describe(what: str, node: ast.AST) -> str:
    if what.startswith("cmp["):
        op = node.ops[int(what[4:what.index("]")])]  # type: ignore[attr-defined]
        return f"{type(op).__name__} -> {SWAP_CMP[type(op)].__name__}"
    if what.startswith(("binop", "augassign")):
        op = type(node.op)  # type: ignore[attr-defined]
        return f"{what.split()[0]} {op.__name__} -> {SWAP_BIN[op].__name__}"
    if what.startswith("boolop"):
        op = type(node.op)  # type: ignore[attr-defined]
        return f"{op.__name__} -> {SWAP_BOOL[op].__name__}"
    if what.startswith("call"):
        name = node.func.id  # type: ignore[attr-defined]
        return f"{name} -> {SWAP_CALL[name]}"
    if what.startswith("const"):
        value = node.value  # type: ignore[attr-defined]
        return f"{value!r} -> {(not value) if isinstance(value, bool) else value + 1!r}"
    return what


def mutants(module: str) -> tuple[list[Mutant], str]:
    source = inspect.getsource(importlib.import_module(module))
    lines = source.splitlines()
    tree = ast.parse(source)
    out = []
    for i, (node, qualname, what) in enumerate(_points(tree)):
        line = lines[node.lineno - 1]  # type: ignore[attr-defined]
        indent = len(line) - len(line.lstrip())
        out.append(Mutant(module, qualname, i, node.lineno, line.strip(),  # type: ignore[attr-defined]
                          _describe(what, node), node.col_offset - indent))  # type: ignore[attr-defined]
    return out, source


def _mutated_code(source: str, module: str, mutant: Mutant) -> types.CodeType:
    tree = ast.parse(source)
    for i, (node, _, what) in enumerate(_points(tree)):
        if i == mutant.index:
            _mutate(node, what)
            break
    mod = importlib.import_module(module)
    code = compile(ast.fix_missing_locations(tree), mod.__file__ or module, "exec")

    def find(c: types.CodeType) -> types.CodeType | None:
        if c.co_qualname == mutant.function:
            return c
        for const in c.co_consts:
            if isinstance(const, types.CodeType) and (found := find(const)) is not None:
                return found
        return None

    found = find(code)
    if found is None:
        raise LookupError(f"no code for {mutant.function} in {module}")
    return found


def _live_function(module: str, qualname: str) -> types.FunctionType:
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = inspect.getattr_static(obj, part)
        if isinstance(obj, staticmethod | classmethod):
            obj = obj.__func__
        elif isinstance(obj, property):
            obj = obj.fget
    while hasattr(obj, "__wrapped__"):  # lru_cache and other wrappers
        obj = obj.__wrapped__
    if not isinstance(obj, types.FunctionType):
        raise LookupError(f"{module}.{qualname} is not a function")
    return obj


def _clear_caches() -> None:
    for obj in gc.get_objects():
        if isinstance(obj, functools._lru_cache_wrapper):
            obj.cache_clear()


class Checks:
    """What a module's mutants are tested against: scenario cases loaded once, and pytest."""

    def __init__(self, packs: Sequence[str], pytest_files: Sequence[str]):
        from zhili.rules import pack_dir
        from zhili.scenario import load_cases, scenario_files

        self.cases = [c for code in packs
                      for f in scenario_files([str(pack_dir(code) / "tests")])
                      for c in load_cases(f)]
        self.pytest_files = [str(ROOT / f) for f in pytest_files]

    def run(self) -> bool:
        """True when every check passes (the mutant survives)."""
        from zhili.scenario import run_case

        for case in self.cases:
            try:
                if not run_case(case).passed:
                    return False
            except Exception:
                return False
        if self.pytest_files:
            import pytest

            code = pytest.main(["-q", "-x", "-p", "no:cacheprovider", "--no-header",
                                "-p", "no:randomly", "--hypothesis-profile=mutation",
                                *self.pytest_files])
            return code == 0
        return True


def run_mutant(mutant: Mutant, source: str, checks: Checks, timeout: float) -> str:
    """'killed', 'survived', 'timeout' or 'error' (the mutant would not compile or load)."""
    try:
        code = _mutated_code(source, mutant.module, mutant)
        target = _live_function(mutant.module, mutant.function)
    except (LookupError, SyntaxError, ValueError):
        return "error"
    pid = os.fork()
    if pid == 0:  # the child: swap the code in, run the checks, report by exit status
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            target.__code__ = code
            _clear_caches()
            os._exit(0 if checks.run() else 1)
        except BaseException:
            os._exit(1)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return "survived" if os.waitstatus_to_exitcode(status) == 0 else "killed"
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout"
        time.sleep(0.02)


def load_equivalent() -> dict[str, str]:
    if not EQUIVALENT_FILE.is_file():
        return {}
    doc = yaml.safe_load(EQUIVALENT_FILE.read_text(encoding="utf-8")) or []
    return {str(e["mutant"]): str(e["why"]) for e in doc}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="dotted module names (default: TARGETS)")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant")
    parser.add_argument("--report", help="write the summary (markdown) to this file")
    parser.add_argument("--only", help="run only the mutants at these lines, comma-separated "
                        "LINE or LINE@COLUMN (as --list and the survivors show them)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HYPOTHESIS_PROFILE", "mutation")
    _hypothesis_profile()
    equivalent = load_equivalent()
    totals = {"killed": 0, "survived": 0, "timeout": 0, "error": 0, "equivalent": 0}
    rows: list[str] = []
    survivors: list[Mutant] = []
    for module in args.modules or list(TARGETS):
        found, source = mutants(module)
        if args.only:
            wanted = {w.strip() for w in args.only.split(",")}
            found = [m for m in found if str(m.line) in wanted or f"{m.line}@{m.column}" in wanted]
        if args.list:
            for m in found:
                print(f"{m.line}@{m.column}: {m.what:24} {m.text}")
            continue
        packs, files = TARGETS.get(module, ((), ()))
        checks = Checks(packs, files)
        counts = dict.fromkeys(totals, 0)
        for m in found:
            result = run_mutant(m, source, checks, args.timeout)
            if result == "survived" and m.key in equivalent:
                result = "equivalent"
            counts[result] += 1
            if result == "survived":
                survivors.append(m)
                print(f"SURVIVED {m.module}:{m.line}@{m.column} {m.what}: {m.text}", flush=True)
        for k, v in counts.items():
            totals[k] += v
        rows.append(_row(module, counts))
        print(rows[-1], flush=True)
    if args.list:
        return 0
    rows.append(_row("**all**", totals))
    report = _report(rows, survivors, equivalent)
    print(report)
    if args.report:
        Path(args.report).write_text(report, encoding="utf-8")
    return 1 if survivors else 0


def _rate(c: dict[str, int]) -> float:
    live = c["killed"] + c["timeout"] + c["survived"]
    return 100.0 * (c["killed"] + c["timeout"]) / live if live else 100.0


def _row(name: str, c: dict[str, int]) -> str:
    total = sum(c.values())
    return (f"| {name} | {total} | {c['killed'] + c['timeout']} | {c['survived']} | "
            f"{c['equivalent']} | {c['error']} | {_rate(c):.1f}% |")


def _report(rows: list[str], survivors: list[Mutant], equivalent: dict[str, str]) -> str:
    head = ("| module | mutants | killed | survived | equivalent | not viable | "
            "kill rate (non-equivalent) |\n|---|---|---|---|---|---|---|")
    lines = [head, *rows, ""]
    if survivors:
        lines.append("Survivors:")
        lines += [f"- `{m.module}:{m.line}@{m.column}` {m.what}: `{m.text}`" for m in survivors]
    return "\n".join(lines) + "\n"


def _hypothesis_profile() -> None:
    """Property tests run with few examples per mutant: a mutant is usually caught at once."""
    try:
        from hypothesis import settings
    except ImportError:
        return
    settings.register_profile("mutation", max_examples=30, deadline=None, derandomize=True)

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
