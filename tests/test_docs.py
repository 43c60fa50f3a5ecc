"""The examples users copy must run: every public docstring's doctest and the README."""

import doctest
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import wfmath

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = [name for name in wfmath.__all__ if callable(getattr(wfmath, name))]


@pytest.mark.parametrize("name", PUBLIC)
def test_public_api_is_documented(name):
    doc = getattr(wfmath, name).__doc__
    assert doc and len(doc) > 60, f"{name} lacks a docstring"


@pytest.mark.parametrize("name", [n for n in PUBLIC if ">>>" in (getattr(wfmath, n).__doc__ or "")])
def test_docstring_examples_run(name):
    func = getattr(wfmath, name)
    parser = doctest.DocTestParser()
    test = parser.get_doctest(func.__doc__, {**vars(wfmath), "np": np}, name, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
    assert runner.summarize(verbose=False).attempted > 0


def test_stubs_cover_the_public_api():
    stub = (ROOT / "python" / "wfmath" / "_wfmath.pyi").read_text()
    from_extension = [n for n in wfmath.__all__ if n in vars(wfmath._wfmath)]
    for name in from_extension:
        assert re.search(rf"\b(def|class) {name}\b|^{name}:", stub, re.M), name
    assert (ROOT / "python" / "wfmath" / "py.typed").exists()


def test_readme_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert blocks
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {})


def test_example_job_prints_a_plan():
    out = subprocess.run([sys.executable, "-m", "wfmath"], capture_output=True, text=True, check=True).stdout
    assert "calls-weighted SL" in out
    assert len(out.splitlines()) > 96  # a header, 96 intervals and the day's totals
