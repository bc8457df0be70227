"""Reading Markdown as GitHub does: links, images, headings and their anchors.

Everything here goes through a real Markdown parser (markdown-it-py, CommonMark with GitHub's
tables) and the standard library's HTML parser; no regular expressions over Markdown source.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from nbtools import read_notebook


def markdown_parser() -> MarkdownIt:
    """CommonMark + GitHub tables + dollar math, so math is never mistaken for links or emphasis."""
    return (
        MarkdownIt("commonmark", {"html": True})
        .enable("table")
        .enable("strikethrough")
        .use(dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=True)
    )


MD = markdown_parser()


@dataclass(frozen=True)
class Link:
    target: str  # href or src as written
    line: int  # 1-based line in the Markdown text
    kind: str  # "link" or "image"


class _HtmlRefs(HTMLParser):
    """Collects href/src attributes and id/name anchors from HTML fragments."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str]] = []
        self.anchors: list[str] = []

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if value is None:
                continue
            if key == "href":
                self.refs.append(("link", value))
            elif key == "src":
                self.refs.append(("image", value))
            elif key in {"id", "name"}:
                self.anchors.append(value)


def _walk(tokens):
    for tok in tokens:
        yield tok
        if tok.children:
            yield from _walk(tok.children)


def links(text: str) -> list[Link]:
    """Every link and image in Markdown text (HTML <a>/<img> included), with its line."""
    found: list[Link] = []
    last_line = 1
    for block in MD.parse(text):
        if block.map:
            last_line = block.map[0] + 1
        line = last_line
        if block.type == "html_block":
            parser = _HtmlRefs()
            parser.feed(block.content)
            found += [Link(ref, line, kind) for kind, ref in parser.refs]
        for tok in _walk(block.children or []):
            if tok.type == "softbreak" or tok.type == "hardbreak":
                line += 1
            elif tok.type == "link_open":
                found.append(Link(tok.attrGet("href") or "", line, "link"))
            elif tok.type == "image":
                found.append(Link(tok.attrGet("src") or "", line, "image"))
            elif tok.type == "html_inline":
                parser = _HtmlRefs()
                parser.feed(tok.content)
                found += [Link(ref, line, kind) for kind, ref in parser.refs]
    return found


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  # the rendered text, as GitHub builds the anchor from it
    line: int


def _inline_text(inline) -> str:
    parts = []
    for tok in _walk(inline.children or []):
        if tok.type in {"text", "code_inline", "math_inline", "math_inline_double"}:
            parts.append(tok.content)
        elif tok.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
        elif tok.type == "image":
            parts.append(tok.content)
    return "".join(parts)


def headings(text: str) -> list[Heading]:
    """The headings of Markdown text, in order."""
    tokens = MD.parse(text)
    found = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            found.append(Heading(int(tok.tag[1]), _inline_text(tokens[i + 1]).strip(), tok.map[0] + 1))
    return found


def github_slug(text: str) -> str:
    """The anchor GitHub gives a heading: lower case, spaces to '-', punctuation and symbols dropped.

    Letters, digits, combining marks, '-', '_' and spaces are kept; everything else (·, ★, —,
    punctuation, emoji) is removed. Repeated headings get -1, -2, ... (see ``anchors``).
    """
    kept = (ch for ch in text.lower() if ch in "-_ " or unicodedata.category(ch)[0] in "LNM")
    return "".join(kept).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every anchor a Markdown text offers: heading slugs (with -1, -2 for repeats) and HTML ids."""
    seen: dict[str, int] = {}
    result = set()
    for h in headings(text):
        slug = github_slug(h.text)
        if slug in seen:
            seen[slug] += 1
            result.add(f"{slug}-{seen[slug]}")
        else:
            seen[slug] = 0
            result.add(slug)
    parser = _HtmlRefs()
    for tok in _walk(MD.parse(text)):
        if tok.type in {"html_block", "html_inline"}:
            parser.feed(tok.content)
    result.update(parser.anchors)
    return result


@lru_cache(maxsize=None)
def anchors_of(path: Path) -> frozenset[str]:
    """Anchors of a Markdown file (cached)."""
    return frozenset(anchors(path.read_text(encoding="utf-8")))


def notebook_markdown(path: Path) -> list[tuple[int, str]]:
    """(cell number, source) of each markdown cell of a notebook; cells numbered from 1."""
    nb = read_notebook(path)
    return [(i + 1, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]
