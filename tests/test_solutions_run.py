"""Every ```python block in solutions.md and theory.md runs: per file, in order, one namespace.

Blocks run from the chapter folder with warnings turned into errors. A failure names file:line
(the traceback's line numbers are the Markdown file's).
"""

from __future__ import annotations

import traceback

import pytest
from nbtools import chapter_dir, chapters, python_blocks, rel, run_blocks

FILES = [(ch, name) for ch in chapters() for name in ("solutions.md", "theory.md")
         if (chapter_dir(ch) / name).exists()]


def run_file(path):
    """Run a Markdown file's python blocks; return None or a message naming file:line."""
    blocks = python_blocks(path)
    try:
        run_blocks(blocks, cwd=path.parent)
    except Exception as exc:  # report where, in Markdown terms
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
        where = f"{rel(path)}:{frames[-1].lineno}" if frames else rel(path)
        return f"{where}: {type(exc).__name__}: {exc}"
    return None


@pytest.mark.parametrize(("chapter", "name"), FILES, ids=[f"{c}/{n}" for c, n in FILES])
def test_python_blocks_run(chapter, name):
    path = chapter_dir(chapter) / name
    if name == "solutions.md":
        assert python_blocks(path), f"{rel(path)} has no ```python block; coding solutions are checked by running them"
    problem = run_file(path)
    assert problem is None, problem


def test_failures_name_file_and_line(tmp_path):
    md = tmp_path / "solutions.md"
    md.write_text(
        "# S\n\n```python\nimport numpy as np\nx = np.ones(3)\n```\n\ntext\n\n"
        "```python\nassert x.sum() == 3\nassert x.sum() == 4, 'sum is wrong'\n```\n",
        encoding="utf-8",
    )
    assert run_file(md) == f"{rel(md)}:12: AssertionError: sum is wrong"


def test_warnings_are_errors(tmp_path):
    md = tmp_path / "theory.md"
    md.write_text("```python\nimport numpy as np\nnp.log(0.0)\n```\n", encoding="utf-8")
    assert "RuntimeWarning" in run_file(md)
