"""Stored notebook outputs are honest: from one clean top-to-bottom run, with nothing to hide.

Readers on GitHub see the stored outputs, so they must be what a fresh "Restart & Run All"
produces: execution counts 1, 2, 3, ... without gaps, no errors, nothing on stderr (warnings
included), a figure wherever a cell shows one, and a file small enough to load quickly.
"""

from __future__ import annotations

import nbformat
import pytest
from nbtools import notebooks, read_notebook, rel

MAX_BYTES = 3 * 1024 * 1024  # figures and the GIF animations, stored so GitHub shows them


def stored_output_problems(nb, name: str) -> list[str]:
    """Everything that shows a notebook's outputs did not come from one clean run."""
    problems = []
    code = [(i + 1, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    expected = 1
    for cell_no, cell in code:
        where = f"{name} cell {cell_no}"
        if not cell.source.strip():
            problems.append(f"{where}: empty code cell (delete it; it never gets an execution count)")
            continue
        if cell.execution_count != expected:
            problems.append(
                f"{where}: execution count {cell.execution_count}, expected {expected} "
                "(restart the kernel and run all cells, then save)"
            )
            expected = (cell.execution_count or expected) + 1
        else:
            expected += 1
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append(f"{where}: stores an error: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                problems.append(f"{where}: stores stderr output (a warning?): {out.text.strip()[:120]!r}")
        shows = "plt.show()" in cell.source
        has_image = any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
        if shows and not has_image:
            problems.append(f"{where}: calls plt.show() but stores no figure")
    return problems


@pytest.mark.parametrize("path", notebooks(), ids=rel)
def test_outputs_come_from_a_clean_run(path):
    nb = read_notebook(path)
    problems = stored_output_problems(nb, rel(path))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", notebooks(), ids=rel)
def test_notebook_is_valid_and_small(path):
    nb = read_notebook(path)
    nbformat.validate(nb)
    size = path.stat().st_size
    assert size <= MAX_BYTES, f"{rel(path)} is {size / 1e6:.1f} MB; keep notebooks under 3 MB (smaller figures, fewer frames)"
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    assert kernel == "python3", f"{rel(path)}: kernelspec {kernel!r}; use the default 'python3' kernel"


@pytest.mark.parametrize("path", notebooks(), ids=rel)
def test_no_saved_widget_state_or_timings(path):
    """Saved widget state duplicates every interactive figure; per-cell timings churn every diff."""
    nb = read_notebook(path)
    timed = [i + 1 for i, c in enumerate(nb.cells) if "execution" in c.get("metadata", {})]
    assert "widgets" not in nb.metadata and not timed, (
        f"{rel(path)} stores {'widget state' if 'widgets' in nb.metadata else ''}"
        f"{' and ' if 'widgets' in nb.metadata and timed else ''}"
        f"{f'execution timings in cells {timed[:5]}' if timed else ''}; "
        "refresh it with `bash .ci/refresh-notebooks <chapter>`"
    )


def _cell(source, count, outputs=()):
    cell = nbformat.v4.new_code_cell(source)
    cell.execution_count = count
    cell.outputs = list(outputs)
    return cell


def test_catches_dishonest_outputs():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _cell("x = 1", 1),
        _cell("y = 2", 3),  # a gap: cells were run out of order or re-run
        _cell("1/0", 4, [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero")]),
        _cell("import warnings", 5, [nbformat.v4.new_output("stream", name="stderr", text="UserWarning: x")]),
        _cell("plt.plot([1]); plt.show()", 6),
        _cell("   ", None),
    ]
    problems = "\n".join(stored_output_problems(nb, "nb.ipynb"))
    assert "nb.ipynb cell 2: execution count 3, expected 2" in problems
    assert "cell 3: stores an error: ZeroDivisionError" in problems
    assert "cell 4: stores stderr output" in problems
    assert "cell 5: calls plt.show() but stores no figure" in problems
    assert "cell 6: empty code cell" in problems


def test_accepts_a_clean_run():
    nb = nbformat.v4.new_notebook()
    png = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    nb.cells = [_cell("x = 1", 1), _cell("plt.show()", 2, [png]), _cell("print(x)", 3)]
    assert stored_output_problems(nb, "nb.ipynb") == []
