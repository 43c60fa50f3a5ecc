"""The examples users copy must run: every public docstring's doctest and the README."""

import ast
import contextlib
import doctest
import importlib
import io
import re
import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import wfmath
from wfmath import kpi

matplotlib.use("Agg")  # plot examples draw off screen

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = [(module, name) for module in (wfmath, kpi) for name in module.__all__ if callable(getattr(module, name))]


def public_id(item):
    module, name = item
    return f"{module.__name__}.{name}"


@pytest.mark.parametrize("item", PUBLIC, ids=public_id)
def test_public_api_is_documented(item):
    module, name = item
    doc = getattr(module, name).__doc__
    assert doc and len(doc) > 60, f"{name} lacks a docstring"


def run_examples(tests):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
    assert runner.summarize(verbose=False).attempted > 0


@pytest.mark.parametrize("name", [n for m, n in PUBLIC if m is wfmath and ">>>" in (getattr(m, n).__doc__ or "")])
def test_docstring_examples_run(name):
    parser = doctest.DocTestParser()
    run_examples([parser.get_doctest(getattr(wfmath, name).__doc__, {**vars(wfmath), "np": np}, name, None, 0)])


KPI_MODULES = sorted({getattr(kpi, name).__module__ for name in kpi.__all__ if callable(getattr(kpi, name))})


@pytest.mark.parametrize("module_name", KPI_MODULES)
def test_kpi_examples_run(module_name):
    """Every docstring of the kpi modules, methods and properties included, in the kpi namespace."""
    finder = doctest.DocTestFinder(exclude_empty=True)
    run_examples(finder.find(importlib.import_module(module_name), globs={**vars(kpi), "np": np}))


@pytest.mark.parametrize("module_name", ["wfmath.plots", "wfmath.dask"])
def test_module_examples_run(module_name):
    """The modules imported on their own, for their optional dependencies."""
    module = pytest.importorskip(module_name)
    run_examples(doctest.DocTestFinder(exclude_empty=True).find(module))


def test_every_kpi_function_has_an_example():
    for module, name in PUBLIC:
        if module is kpi and not isinstance(getattr(kpi, name), type):
            assert ">>>" in getattr(kpi, name).__doc__, name


def test_stubs_cover_the_public_api():
    stub = (ROOT / "python" / "wfmath" / "_wfmath.pyi").read_text()
    from_extension = [n for n in wfmath.__all__ if n in vars(wfmath._wfmath)]
    for name in from_extension:
        assert re.search(rf"\b(def|class) {name}\b|^{name}:", stub, re.M), name
    assert (ROOT / "python" / "wfmath" / "py.typed").exists()


def readme_statements():
    """Each top-level statement of the README's Python blocks, with the output its line promises
    in a trailing `# -> ...` comment (None where it promises none)."""
    for block in re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S):
        lines = block.splitlines()
        for node in ast.parse(block).body:
            promise = re.search(r"#\s*->\s*(.*)$", lines[node.end_lineno - 1])
            yield ast.Module([node], []), promise.group(1).strip() if promise else None


def test_readme_examples_run_and_print_what_they_say(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the examples save figures
    namespace, promised = {}, 0
    for module, promise in readme_statements():
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(module, "README.md", "exec"), namespace)
        if promise is not None:
            promised += 1
            assert out.getvalue().strip() == promise, ast.unparse(module)
    assert promised >= 3
    assert (tmp_path / "staffing_curve.png").stat().st_size > 0


def test_example_job_prints_the_daily_rollup_of_a_week():
    done = subprocess.run([sys.executable, "-m", "wfmath", "plan", "--example"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "daily roll-up of example_week.csv" in done.stdout
    days = [line for line in done.stdout.splitlines() if re.search(r"\b2026-11-2\d\b", line)]
    assert len(days) == 3 * 7  # three queues, a week
    assert "sized 1,008 intervals" in done.stderr
