"""Shared plumbing for the tests: find chapters, read notebooks, run solutions and self-checks."""

from __future__ import annotations

import contextlib
import io
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def strict_warnings():
    """Inside: every warning is an error, except known deprecations inside libraries we do not control.

    matplotlib 3.8 (the oldest version the course supports) calls pyparsing functions that
    pyparsing 3.3 renamed; that warning is raised in matplotlib, on import, not by course code.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", message=r".* deprecated - use ", module=r"matplotlib\.")
        yield

# The course, in order: folder name -> notebook file name.
CURRICULUM = {
    "01_single_variable_derivatives": "single_variable_derivatives.ipynb",
    "02_multivariable_derivatives": "multivariable_derivatives.ipynb",
    "03_directional_derivatives": "directional_derivatives.ipynb",
    "04_matrix_calculus": "matrix_calculus.ipynb",
    "05_neural_network_training": "neural_network_training.ipynb",
    "06_data_fitting": "data_fitting.ipynb",
}
CHAPTER_FILES = ("theory.md", "exercises.md", "solutions.md")


def chapters() -> list[str]:
    """The chapter folders that exist, in course order."""
    return [name for name in CURRICULUM if (ROOT / name).is_dir()]


def chapter_dir(chapter: str) -> Path:
    """The folder of a chapter, given its full name or its number ('03')."""
    for name in CURRICULUM:
        if name == chapter or name.startswith(f"{chapter}_"):
            return ROOT / name
    raise KeyError(f"no chapter {chapter!r}; known: {', '.join(CURRICULUM)}")


def notebook_path(chapter: str) -> Path:
    """The path of a chapter's notebook."""
    folder = chapter_dir(chapter)
    return folder / CURRICULUM[folder.name]


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a notebook as nbformat v4 without validating outputs."""
    return nbformat.read(path, as_version=4)


def markdown_files() -> list[Path]:
    """Every Markdown file the repository ships (not hidden folders, not virtual environments)."""
    skip = {".git", ".venv", "venv", "node_modules", ".ipynb_checkpoints", ".pytest_cache", ".ruff_cache"}
    found = []
    for path in sorted(ROOT.rglob("*.md")):
        parts = path.relative_to(ROOT).parts
        if any(p in skip or (p.startswith(".") and p not in {".github"}) for p in parts[:-1]):
            continue
        found.append(path)
    return found


def notebooks() -> list[Path]:
    """Every chapter notebook that exists."""
    return [notebook_path(ch) for ch in chapters() if notebook_path(ch).exists()]


def rel(path: Path) -> str:
    """A path relative to the repository, for messages and test ids."""
    if not isinstance(path, (str, Path)):
        return str(path)
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- python blocks in Markdown
@dataclass
class CodeBlock:
    path: Path
    line: int  # 1-based line of the first line of code
    source: str


_MD = MarkdownIt("commonmark")


def python_blocks(path: Path) -> list[CodeBlock]:
    """The ```python fenced blocks of a Markdown file, with the line their code starts on."""
    tokens = _MD.parse(path.read_text(encoding="utf-8"))
    blocks = []
    for tok in tokens:
        if tok.type == "fence" and tok.info.strip().split(" ")[0].lower() in {"python", "py"}:
            blocks.append(CodeBlock(path, tok.map[0] + 2, tok.content))
    return blocks


def run_blocks(blocks: list[CodeBlock], namespace: dict | None = None, cwd: Path | None = None) -> dict:
    """Execute code blocks in order in one namespace, warnings as errors, from ``cwd``.

    Line numbers in tracebacks are those of the Markdown file, so a failure names file:line.
    """
    ns = {"__name__": "__solutions__"} if namespace is None else namespace
    old = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        for block in blocks:
            code = compile("\n" * (block.line - 1) + block.source, str(block.path), "exec")
            with strict_warnings(), contextlib.redirect_stdout(io.StringIO()):
                exec(code, ns)  # noqa: S102 - running the course's own solutions is the test
    finally:
        os.chdir(old)
    return ns


def solution_namespace(chapter: str) -> dict:
    """Run every ```python block of a chapter's solutions.md; return the names it defined."""
    folder = chapter_dir(chapter)
    return run_blocks(python_blocks(folder / "solutions.md"), cwd=folder)


# ---------------------------------------------------------------- self-checks ("Your turn")
def checker_cells(chapter: str) -> list[str]:
    """Sources of the notebook cells tagged ``checkers``."""
    nb = read_notebook(notebook_path(chapter))
    return [
        c.source
        for c in nb.cells
        if c.cell_type == "code" and "checkers" in c.get("metadata", {}).get("tags", [])
    ]


def load_checkers(chapter: str) -> dict:
    """Execute the notebook's ``checkers`` cell on its own; return its namespace (check_e1, ...)."""
    ns: dict = {"__name__": "__checkers__"}
    cells = checker_cells(chapter)
    if not cells:
        raise AssertionError(f"{rel(notebook_path(chapter))}: no code cell tagged 'checkers'")
    for i, src in enumerate(cells):
        code = compile(src, f"{rel(notebook_path(chapter))} [checkers cell {i + 1}]", "exec")
        with strict_warnings():
            exec(code, ns)  # noqa: S102
    return ns


def checker_calls(chapter: str) -> list[tuple[int, str]]:
    """(exercise number, function name) for each ``check_eN(function)`` call in the notebook."""
    import ast

    calls = []
    nb = read_notebook(notebook_path(chapter))
    for cell in nb.cells:
        if cell.cell_type != "code" or "checkers" in cell.metadata.get("tags", []):
            continue
        try:
            tree = ast.parse("\n".join(ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and re.fullmatch(r"check_e\d+", node.func.id) and len(node.args) == 1
                    and isinstance(node.args[0], ast.Name)):
                calls.append((int(node.func.id[7:]), node.args[0].id))
    return calls


def load_interface(chapter: str) -> dict:
    """Execute a notebook's first code cell after the Colab setup cell, and its cells tagged ``interface``.

    These cells define the functions the chapter promises (e.g. ``central_difference``), so the
    tests can check their behaviour directly. They define functions only: no plots, no long runs.
    Call the functions from the chapter folder (``monkeypatch.chdir(chapter_dir(...))``) when they
    read data files.
    """
    nb = read_notebook(notebook_path(chapter))
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    first = next(c for c in code_cells if "setup" not in c.metadata.get("tags", []))
    chosen = [c for c in code_cells if c is first or "interface" in c.metadata.get("tags", [])]
    ns: dict = {"__name__": "__interface__"}
    for cell in chosen:
        src = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        code = compile(src, f"{rel(notebook_path(chapter))} [cell {code_cells.index(cell) + 1}]", "exec")
        with strict_warnings():
            exec(code, ns)  # noqa: S102
    return ns


def run_check(check, fn) -> str:
    """Call a checker on a candidate function; return the one line it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), strict_warnings():
        result = check(fn)
    text = out.getvalue().strip()
    assert result is None, f"{check.__name__} returned {result!r}; checkers print and return None"
    assert text.count("\n") == 0, f"{check.__name__} printed {text.count(chr(10)) + 1} lines: {text!r}"
    return text


def verdict(text: str) -> str:
    """'correct', 'not attempted' or 'wrong', from a checker's line 'E4: ...'."""
    body = re.sub(r"^E\d+:\s*", "", text)
    if body.startswith("correct"):
        return "correct"
    if body.startswith("not attempted yet"):
        return "not attempted"
    if body.startswith("not yet"):
        return "wrong"
    raise AssertionError(f"checker line does not follow the protocol: {text!r}")


def wrong(check, fn, *fragments) -> str:
    """Assert a checker rejects a wrong answer ('not yet') with a message containing each fragment."""
    line = run_check(check, fn)
    assert verdict(line) == "wrong", line
    for fragment in fragments:
        assert fragment in line, f"expected {fragment!r} in {line!r}"
    return line


# ---------------------------------------------------------------- executing a notebook headless
def notebook_client(nb: nbformat.NotebookNode, folder: Path, timeout: int = 120):
    """An nbclient runner for ``nb`` in ``folder`` that does not stall after slider cells.

    An ``Interactive`` (ipywidgets' ``interactive``) draws its first figure inside an Output widget.
    nbclient stands in for the front end that widget needs, and its stand-in answers that figure by
    sending a comm message to the kernel on the shell socket in the middle of the cell. That send
    goes through a blocking copy of the socket, which clears ZeroMQ's pending-message signal: when
    the kernel's execute_reply has just arrived, nbclient is never woken to read it and waits until
    the cell timeout (about one run in ten; without a timeout, forever). The quiet stand-in below
    still catches the figure, so the stored outputs are the same, but sends nothing: a one-shot run
    never reads the widget's outputs back in the kernel.

    Where jupyter_client and pyzmq support it, the kernel's loopback sockets are also encrypted
    (CurveZMQ), which is what ipykernel's "Kernel is running over TCP without encryption" asks for.
    """
    import zmq
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.output_widget import OutputWidget
    from traitlets.config import Config

    class QuietOutputWidget(OutputWidget):
        def sync_state(self):
            """Keep the caught outputs here; sending them to the kernel mid-cell can stall nbclient."""

    config = Config()
    if "transport_encryption" in KernelManager.class_trait_names() and zmq.has("curve"):
        config.KernelManager.transport_encryption = "auto"
    client = NotebookClient(nb, config=config, timeout=timeout, record_timing=False, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}})
    client.widget_registry = {"@jupyter-widgets/output": {"OutputModel": QuietOutputWidget}}
    return client


def execute_in_place(path: Path, timeout: int = 120) -> None:
    """Run a notebook top to bottom in its own folder and store its outputs (the refresh step's first pass)."""
    path = Path(path)
    nb = read_notebook(path)
    notebook_client(nb, path.resolve().parent, timeout).execute()
    nbformat.write(nb, path)
