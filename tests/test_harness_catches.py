"""The harness itself: each document and notebook check fails on a bad example.

A check that cannot fail protects nothing, so every check of the test suite is run here once on
a small course that breaks its rule.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import nbformat
import pytest

import nbtools
import test_structure as structure


def _notebook(cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = cells
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
    return nb


@pytest.fixture
def tiny_course(tmp_path, monkeypatch):
    """A one-chapter course that breaks several structure rules; returns its chapter folder."""
    monkeypatch.setattr(nbtools, "ROOT", tmp_path)
    monkeypatch.setattr(structure, "ROOT", tmp_path)
    (tmp_path / "README.md").write_text("# Course\n", encoding="utf-8")
    ch = tmp_path / "01_single_variable_derivatives"
    (ch / "figures").mkdir(parents=True)
    (ch / "figures" / "unused.png").write_bytes(b"\x89PNG")
    (ch / "theory.md").write_text("# T\n\n## 1. Nudges\n\n## 2. Tangents\n", encoding="utf-8")
    (ch / "exercises.md").write_text(
        "# E\n\n[Course home](../README.md)\n\n## E1 ★ · One\n\n## E2 ★★ (code) · Two\n\n## E4 ★★★★ · Four\n",
        encoding="utf-8",
    )
    (ch / "solutions.md").write_text("# S\n\n[Course home](../README.md)\n\n## S1 · Uno\n", encoding="utf-8")
    checker = nbformat.v4.new_code_cell("def check_e3(fn):\n    print('E3: correct')", metadata={"tags": ["checkers"]})
    nb = _notebook([
        nbformat.v4.new_markdown_cell("# T\n\n## 1. Nudges\n\n## 3. Rules"),
        checker,
        nbformat.v4.new_code_cell("check_e3(print)"),
    ])
    nbformat.write(nb, ch / "single_variable_derivatives.ipynb")
    return ch


def _fails(test, *args, match):
    with pytest.raises(AssertionError) as info:
        test(*args)
    assert match in str(info.value), f"expected {match!r} in:\n{info.value}"


def test_structure_checks_fail_on_a_broken_chapter(tiny_course):
    ch = "01"
    _fails(structure.test_theory_and_notebook_share_one_spine, ch, match="same numbered sections")
    _fails(structure.test_exercises_and_solutions_correspond, ch, match="exercises numbered [1, 2, 4]")
    (tiny_course / "exercises.md").write_text(
        "".join(f"## E{n} ★ · T{n}\n\n" for n in range(1, 4)), encoding="utf-8")
    _fails(structure.test_exercises_and_solutions_correspond, ch, match="has 3 exercises")
    _fails(structure.test_exercises_are_graded_and_include_code, ch, match="from ★ to ★★★")
    _fails(structure.test_coding_exercises_have_self_checks, ch, match="checkers for [3]")
    _fails(structure.test_navigation_links, ch, match="theory.md does not link to README.md")
    _fails(structure.test_every_figure_is_shown, ch, match="unused.png")
    (tiny_course / "solutions.md").unlink()
    _fails(structure.test_chapter_files, ch, match="missing solutions.md")


def test_lint_fails_on_bad_code(tmp_path):
    bad = _notebook([nbformat.v4.new_code_cell("import os\nx = 1")])
    nbformat.write(bad, tmp_path / "bad.ipynb")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "bad.ipynb"],
                            cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode != 0 and "F401" in result.stdout


def test_nbval_fails_on_stale_output_and_on_errors(tmp_path):
    """The notebook run catches a stale tagged output and a cell that raises."""
    stale = _notebook([nbformat.v4.new_code_cell("print(f'{2 + 2}')", metadata={"tags": ["nbval-check-output"]})])
    stale.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="5\n")]
    fresh = _notebook([nbformat.v4.new_code_cell("print(f'{2 + 2}')", metadata={"tags": ["nbval-check-output"]})])
    fresh.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="4\n")]
    raises = _notebook([nbformat.v4.new_code_cell("raise ValueError('broken cell')")])
    for name, nb in {"stale": stale, "fresh": fresh, "raises": raises}.items():
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:xdist",
         "-p", "no:cacheprovider", "-q", "-rf", "stale.ipynb", "fresh.ipynb", "raises.ipynb"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    report = result.stdout
    assert result.returncode == 1, report
    assert "FAILED stale.ipynb::Cell 0" in report and "FAILED raises.ipynb::Cell 0" in report, report
    assert "fresh.ipynb" not in report.split("short test summary")[-1], report



def test_a_run_that_changes_the_working_tree_fails(tmp_path):
    """The session check in conftest.py: a test run may not leave a tracked file changed."""
    shutil.copy(nbtools.ROOT / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "figure.txt").write_text("committed\n", encoding="utf-8")
    (tmp_path / "test_writes.py").write_text(
        "import os\n\n\ndef test_writes():\n    if os.environ.get('WRITE'):\n"
        "        open('figure.txt', 'w').write('rewritten')\n", encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("__pycache__/\n", encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(git + ["init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(git + ["add", "."], cwd=tmp_path, check=True)
    subprocess.run(git + ["commit", "-qm", "tree"], cwd=tmp_path, check=True)
    command = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-q", "test_writes.py"]
    clean = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert clean.returncode == 0, clean.stdout
    dirty = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False,
                           env={**os.environ, "WRITE": "1"})
    assert dirty.returncode == 1 and "changed the working tree" in dirty.stdout and "figure.txt" in dirty.stdout, (
        dirty.stdout)
