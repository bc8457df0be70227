"""GitHub math lint: every Markdown file and notebook markdown cell; each rule shown on a bad and a good example."""

from __future__ import annotations

import pytest
from mathlint import lint_text
from nbtools import markdown_files, notebooks, read_notebook, rel


@pytest.mark.parametrize("path", markdown_files(), ids=rel)
def test_math_renders_on_github(path):
    problems = lint_text(path.read_text(encoding="utf-8"), rel(path))
    assert not problems, f"{len(problems)} math problem(s):\n" + "\n".join(map(str, problems))


@pytest.mark.parametrize("path", notebooks(), ids=rel)
def test_notebook_math_renders_in_jupyter_and_on_github(path):
    """Notebook markdown is rendered by Jupyter for the learner and by GitHub for the reader: both must work."""
    problems = []
    for number, cell in enumerate(read_notebook(path).cells, start=1):
        if cell.cell_type == "markdown":
            problems += lint_text(cell.source, f"{rel(path)} [markdown cell {number}]", notebook=True)
    assert not problems, f"{len(problems)} math problem(s):\n" + "\n".join(map(str, problems))


# rule -> (bad Markdown that breaks on GitHub, good Markdown saying the same)
CASES = {
    "inline-space": ("The slope is $ f'(x)$ here.", "The slope is $f'(x)$ here."),
    "inline-escape": (
        "The set $\\{x : x > 0\\}$ is open.",
        "The set $`\\{x : x > 0\\}`$ is open.",
    ),
    "emphasis": (
        "Here $\\mathbf{x}_i$ and $\\sum_{j} w_j$ appear.",
        "Here $`\\mathbf{x}_i`$ and $`\\sum_{j} w_j`$ appear.",
    ),
    "unsupported": (
        "The $\\operatorname{softmax}(\\mathbf{z})$ function.",
        "The $\\mathrm{softmax}(\\mathbf{z})$ function.",
    ),
    "braces": ("A typo $\\frac{1}{2$ here.", "No typo $\\frac{1}{2}$ here."),
    "less-than": ("When $a<b$ holds.", "When $a \\lt b$ holds."),
    "table-pipe": (
        "| norm | value |\n|---|---|\n| $|x|$ | 1 |\n",
        "| norm | value |\n|---|---|\n| $\\vert x \\vert$ | 1 |\n",
    ),
    "display-fence": (
        "Text.\n\n$$\nA = \\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}\n$$\n\nMore.\n",
        "Text.\n\n```math\nA = \\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}\n```\n\nMore.\n",
    ),
    "display-blank-lines": (
        "Text before.\n\n$$\nf(x) = x^2\n$$\nText right after.\n",
        "Text before.\n\n$$\nf(x) = x^2\n$$\n\nText after.\n",
    ),
    "display-inline": (
        "Text right before\n$$\nf(x) = x^2\n$$\nand right after.\n",
        "Inline math $f(x) = x^2$ in a sentence.",
    ),
    "heading": ("## 3. The rule $f'(x)$\n", "## 3. The derivative rule\n"),
    "glued": ("The shaded area$A$ grows.", "The shaded area $A$ grows."),
}
# rule -> (bad notebook markdown that Jupyter or GitHub breaks, good markdown saying the same)
NOTEBOOK_CASES = {
    "inline-escape": ("The product $f\\,g$ here.", "The product $f\\thinspace g$ here."),
    "display-fence": ("Text.\n\n$$\n\\{a \\\\ b\\}\n$$\n", "Text.\n\n$$\n\\lbrace a \\cr b\\rbrace\n$$\n"),
    "notebook-backtick": ("Sets $`\\{x\\}`$ here.", "Sets $\\lbrace x\\rbrace$ here."),
    "notebook-fence": ("Text.\n\n```math\nx^2\n```\n", "Text.\n\n$$\nx^2\n$$\n"),
    "emphasis": ("Here $\\mathbf{x}_i$ and $\\sum_{j} w_j$ appear.", "Here $x_i$ and $w_j$ appear."),
}
MORE_BAD = {
    "inline-escape": ["The norm $\\|x\\|$ is eaten.", "Spacing $a\\;b$ and $a\\!b$."],
    "display-fence": ["Text.\n\n$$\n\\|x\\|_2 = 1\n$$\n\nMore.\n"],
}
ENV_CASES = [
    "```math\n\\begin{pmatrix} 1 \\\\ 2 \\end{bmatrix}\n```\n",
    "```math\n\\begin{aligned} a &= b\n```\n",
    "```math\n\\end{aligned}\n```\n",
]


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_catches_bad_example(rule):
    bad, _ = CASES[rule]
    problems = lint_text(bad, "example.md")
    assert rule in {p.rule for p in problems}, f"rule {rule!r} missed {bad!r}; found {problems}"
    hit = next(p for p in problems if p.rule == rule)
    assert str(hit).startswith("example.md:"), f"message must name file:line: {hit}"
    assert hit.expr, "message must show the expression"


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_passes_good_example(rule):
    _, good = CASES[rule]
    problems = lint_text(good, "example.md")
    assert not problems, f"good example for {rule!r} was flagged: {[str(p) for p in problems]}"


@pytest.mark.parametrize("bad", ENV_CASES)
def test_environments_must_match(bad):
    assert "braces" in {p.rule for p in lint_text(bad)}


def test_line_numbers_point_at_the_formula():
    text = "# Title\n\nFirst line.\nSecond line with $ x$.\n"
    (problem,) = lint_text(text, "t.md")
    assert problem.line == 4 and problem.rule == "inline-space"


def test_math_in_code_is_not_math():
    text = "Code `$ not math$` and\n\n```python\nx = '$ also not $'\n```\n"
    assert lint_text(text) == []


@pytest.mark.parametrize(("rule", "bad"), [(r, b) for r, bads in MORE_BAD.items() for b in bads])
def test_every_escaped_punctuation_is_caught(rule, bad):
    assert rule in {p.rule for p in lint_text(bad)}, f"{rule!r} missed {bad!r}"


@pytest.mark.parametrize("rule", sorted(NOTEBOOK_CASES))
def test_notebook_rule_catches_bad_and_passes_good(rule):
    bad, good = NOTEBOOK_CASES[rule]
    problems = lint_text(bad, "nb.ipynb [markdown cell 3]", notebook=True)
    assert rule in {p.rule for p in problems}, f"rule {rule!r} missed {bad!r}; found {problems}"
    assert str(next(p for p in problems if p.rule == rule)).startswith("nb.ipynb [markdown cell 3]:")
    assert lint_text(good, notebook=True) == [], f"good notebook example for {rule!r} was flagged"


def test_notebook_hint_spells_out_the_command():
    (problem,) = lint_text("Spacing $a\\,b$.", notebook=True)
    assert "\\thinspace" in problem.message and "backtick" not in problem.message
