"""Lint the math in Markdown files for GitHub's renderer.

GitHub runs Markdown first and MathJax second, so some TeX is eaten before MathJax sees it. The
math is found by a real Markdown parser (markdown-it-py with the dollar-math plugin, plus
```math fences); each rule below is one way a formula breaks on GitHub. ``lint_text`` returns
one ``Problem`` per broken rule with file, line and the expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from mdtools import MD

# Markdown without math, as GitHub's first pass sees the text.
PLAIN = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")

UNSUPPORTED = {
    "\\operatorname": "use \\mathrm{...}",
    "\\newcommand": "define nothing; write the expression out",
    "\\renewcommand": "define nothing; write the expression out",
    "\\def": "define nothing; write the expression out",
    "\\mbox": "use \\text{...}",
    "\\phantom": "leave it out",
    "\\boldsymbol": "use \\mathbf{...}",
    "\\tag": "GitHub does not render equation tags reliably; end the formula with \\qquad (12) instead",
}
# Markdown treats a backslash before ASCII punctuation as an escape and eats it before MathJax
# runs: \{ \} \\ \, \; \: \! \| all break in $...$ and $$...$$ (not in ```math or $`...`$).
ESCAPED_PUNCTUATION = re.compile(r"\\[!-/:-@\[-`{-~]")
# What to write instead: commands made of letters, which Markdown leaves alone (Jupyter and GitHub).
SPELLED_OUT = {
    "\\,": "\\thinspace", "\\;": "\\ ", "\\:": "\\ ", "\\!": "\\negthinspace",
    "\\{": "\\lbrace", "\\}": "\\rbrace", "\\|": "\\Vert", "\\\\": "\\cr",
}


def _instead(bad: list[str]) -> str:
    hints = [f"{b} -> {SPELLED_OUT[b]}" for b in bad if b in SPELLED_OUT]
    return f" ({', '.join(hints)})" if hints else ""


@dataclass(frozen=True)
class Problem:
    rule: str
    line: int
    expr: str
    message: str
    path: str = "<text>"

    def __str__(self) -> str:
        expr = self.expr if len(self.expr) <= 120 else self.expr[:117] + "..."
        return f"{self.path}:{self.line}: [{self.rule}] {self.message}: {expr!r}"


@dataclass(frozen=True)
class Math:
    kind: str  # "inline", "inline-backtick", "inline-display", "display", "fence"
    content: str
    line: int
    in_heading: bool = False


def _walk(tokens):
    for tok in tokens:
        yield tok
        if tok.children:
            yield from _walk(tok.children)


def _line_of(lines: list[str], start: int, needle: str) -> int:
    """The 1-based line at or after ``start`` (0-based) where ``needle`` first appears."""
    first = needle.strip().splitlines()[0] if needle.strip() else needle
    for i in range(start, len(lines)):
        if first in lines[i]:
            return i + 1
    return start + 1


def find_math(text: str) -> list[Math]:
    """Every piece of math in a Markdown text, as GitHub would see it."""
    lines = text.splitlines()
    found: list[Math] = []
    tokens = MD.parse(text)
    for i, tok in enumerate(tokens):
        if tok.type == "fence" and tok.info.strip().lower() == "math":
            found.append(Math("fence", tok.content, tok.map[0] + 2))
        elif tok.type == "math_block":
            found.append(Math("display", tok.content, tok.map[0] + 1))
        elif tok.type == "inline":
            in_heading = i > 0 and tokens[i - 1].type == "heading_open"
            start = tok.map[0] if tok.map else 0
            for child in _walk(tok.children or []):
                if child.type not in {"math_inline", "math_inline_double"}:
                    continue
                content = child.content
                kind = "inline-display" if child.type == "math_inline_double" else "inline"
                if kind == "inline" and len(content) >= 2 and content[0] == content[-1] == "`":
                    kind, content = "inline-backtick", content.strip("`")
                found.append(Math(kind, content, _line_of(lines, start, content), in_heading))
    return found


def _check_glued(text: str) -> list[Problem]:
    """Inline math glued to a preceding letter or digit (`area$x$`): GitHub leaves it as text."""
    lines = text.splitlines()
    problems = []
    for tok in MD.parse(text):
        if tok.type != "inline":
            continue
        children = list(_walk(tok.children or []))
        for before, child in zip(children, children[1:], strict=False):
            if (child.type in {"math_inline", "math_inline_double"} and before.type == "text"
                    and before.content[-1:].isalnum()):
                start = tok.map[0] if tok.map else 0
                problems.append(Problem(
                    "glued", _line_of(lines, start, child.content), before.content[-12:] + "$" + child.content + "$",
                    "GitHub does not render math glued to a preceding letter or digit; put a space before the $",
                ))
    return problems


def _braces(expr: str) -> str | None:
    """None if braces balance and environments match, else what is wrong."""
    depth, envs, i = 0, [], 0
    while i < len(expr):
        ch = expr[i]
        if ch == "\\":
            m = re.match(r"\\(begin|end)\s*\{([^{}]*)\}", expr[i:])
            if m:
                kind, name = m.groups()
                if kind == "begin":
                    envs.append(name)
                elif not envs:
                    return f"\\end{{{name}}} without \\begin{{{name}}}"
                elif envs[-1] != name:
                    return f"\\begin{{{envs[-1]}}} is closed by \\end{{{name}}}"
                else:
                    envs.pop()
                i += len(m.group(0))
                continue
            i += 2  # an escaped character such as \{ or \\ is not a group
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return "a '}' closes a group that was never opened"
        i += 1
    if depth:
        return f"{depth} '{{' never closed"
    if envs:
        return f"\\begin{{{envs[-1]}}} without \\end{{{envs[-1]}}}"
    return None


def _emphasis_count(tokens) -> int:
    return sum(t.type in {"em_open", "strong_open"} for t in _walk(tokens))


def _check_emphasis(text: str, notebook: bool = False) -> list[Problem]:
    """Markdown pairing `_` or `*` inside dollar math into emphasis, paragraph by paragraph."""
    problems = []
    math_tokens = MD.parse(text)
    for tok in math_tokens:
        if tok.type != "inline" or not any(
            c.type in {"math_inline", "math_inline_double"} for c in _walk(tok.children or [])
        ):
            continue
        with_math = _emphasis_count(tok.children or [])
        without_math = _emphasis_count(PLAIN.parseInline(tok.content)[0].children or [])
        if without_math > with_math:
            maths = [c.content for c in _walk(tok.children) if c.type == "math_inline" and "`" not in c.content]
            suspects = [m for m in maths if "_" in m or "*" in m] or maths
            line = tok.map[0] + 1 if tok.map else 1
            problems.append(Problem(
                "emphasis", line, " … ".join(suspects[:3]),
                "Markdown pairs '_' or '*' in this paragraph's inline math into emphasis; " + (
                    "rewrite so no two pair up (e.g. a letter before '_', '\\ast' for '*', or split the paragraph)"
                    if notebook else "write the affected formulas in the backtick form $`...`$"),
            ))
    return problems


def _check_tables(text: str) -> list[Problem]:
    """A '|' inside math in a table row splits the cell."""
    problems = []
    lines = text.splitlines()
    for tok in PLAIN.parse(text):
        if tok.type == "table_open" and tok.map:
            for n in range(tok.map[0], tok.map[1]):
                for m in re.finditer(r"\$`?(.+?)`?\$", lines[n]):
                    if "|" in m.group(1):
                        problems.append(Problem(
                            "table-pipe", n + 1, m.group(0),
                            "a '|' in math inside a table cell splits the cell; use \\vert or \\lVert ... \\rVert",
                        ))
    return problems


def _check_display_spacing(text: str) -> list[Problem]:
    """$$ display math needs lines of its own with a blank line before and after."""
    problems = []
    lines = text.splitlines()
    for tok in MD.parse(text):
        if tok.type != "math_block" or not tok.map:
            continue
        first, last = tok.map[0], tok.map[1] - 1
        while last > first and not lines[last].strip():
            last -= 1
        before_ok = first == 0 or not lines[first - 1].strip()
        after_ok = last + 1 >= len(lines) or not lines[last + 1].strip()
        own_lines = lines[first].strip().startswith("$$") and lines[last].strip().endswith("$$")
        if not (before_ok and after_ok and own_lines):
            problems.append(Problem(
                "display-blank-lines", first + 1, tok.content.strip(),
                "$$ display math must stand on lines of its own with a blank line before and after",
            ))
    return problems


def lint_text(text: str, path: str = "<text>", notebook: bool = False) -> list[Problem]:
    """Every GitHub math problem in a Markdown text; ``notebook``: a notebook's markdown cell.

    A notebook's markdown is rendered twice, by Jupyter for the learner and by GitHub for the
    reader of the repository, so it must avoid what either one breaks: GitHub's backtick form
    $`...`$ and ```math fences are not math in Jupyter.
    """
    problems: list[Problem] = []
    for m in find_math(text):
        expr = m.content

        def add(rule, message, m=m, expr=expr):
            problems.append(Problem(rule, m.line, expr.strip(), message))

        if m.in_heading:
            add("heading", "math in a heading breaks its anchor; say it in words or move it to the text")
        for macro, fix in UNSUPPORTED.items():
            if re.search(re.escape(macro) + r"(?![A-Za-z])", expr):
                add("unsupported", f"GitHub's MathJax does not support {macro}: {fix}")
        broken = _braces(expr)
        if broken:
            add("braces", broken)
        if m.kind in {"inline", "inline-display", "display"} and re.search(r"<[A-Za-z]", expr):
            add("less-than", "'<' directly before a letter reads as HTML; write \\lt or put a space after '<'")
        if m.kind == "inline":
            if expr != expr.strip():
                add("inline-space", "no space just inside the $ of inline math (GitHub will not render it)")
            bad = sorted(set(ESCAPED_PUNCTUATION.findall(expr)))
            if bad:
                fix = ("spell it out" if notebook
                       else "spell it out, use the backtick form $`...`$, or move it to a ```math block")
                add("inline-escape", f"Markdown eats {' '.join(bad)} in inline math; {fix}{_instead(bad)}")
        if notebook and m.kind == "inline-backtick":
            add("notebook-backtick", "Jupyter does not read $`...`$ as math; use $...$ with the commands spelled out")
        if notebook and m.kind == "fence":
            add("notebook-fence", "Jupyter does not read a ```math fence as math; use $$ ... $$ with the commands "
                "spelled out")
        if m.kind == "inline-display":
            add("display-inline", "$$ ... $$ inside a paragraph; give it lines of its own or use a ```math block")
        if m.kind == "display":
            bad = sorted(set(ESCAPED_PUNCTUATION.findall(expr)))
            if bad:
                fix = "spell them out" if notebook else "use a ```math fence"
                add("display-fence", f"{' '.join(bad)} in $$ math is eaten by Markdown; {fix}{_instead(bad)}")
    problems += _check_glued(text)
    problems += _check_emphasis(text, notebook)
    problems += _check_tables(text)
    problems += _check_display_spacing(text)
    return sorted((Problem(p.rule, p.line, p.expr, p.message, path) for p in problems), key=lambda p: p.line)
