"""Every relative link and image in the Markdown files and notebook markdown cells resolves.

External links are not fetched (the tests run offline), except that an "Open in Colab" link must
point at a notebook that exists in this repository.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from mdtools import anchors_of, links, notebook_markdown
from nbtools import ROOT, markdown_files, notebooks, rel

COLAB_PREFIX = "https://colab.research.google.com/github/"


def check_target(source: Path, where: str, target: str) -> str | None:
    """None if a link target from ``source`` resolves, else a message saying what is wrong."""
    if not target:
        return f"{where}: empty link target"
    parts = urlsplit(target)
    if parts.scheme in {"http", "https"}:
        if target.startswith(COLAB_PREFIX):
            # .../github/OWNER/REPO/blob/BRANCH/path/to/notebook.ipynb
            pieces = target[len(COLAB_PREFIX):].split("/")
            if len(pieces) < 6 or pieces[2] != "blob":
                return f"{where}: malformed Colab link {target!r}"
            nb = ROOT.joinpath(*pieces[4:])
            if not nb.is_file() or nb.suffix != ".ipynb":
                return f"{where}: Colab link {target!r} names {'/'.join(pieces[4:])}, which is not a notebook here"
        return None
    if parts.scheme or target.startswith("//"):
        return None  # mailto:, attachment:, ...: nothing to resolve locally
    path_part, anchor = unquote(parts.path), parts.fragment
    if path_part.startswith("/"):
        return f"{where}: {target!r} is absolute; use a path relative to {rel(source)}"
    dest = (source.parent / path_part).resolve() if path_part else source.resolve()
    try:
        dest.relative_to(ROOT)
    except ValueError:
        return f"{where}: {target!r} points outside the repository"
    if not dest.exists():
        return f"{where}: {target!r} does not exist (looked for {rel(dest)})"
    if anchor:
        if dest.suffix == ".ipynb":
            return (f"{where}: {target!r}: GitHub cannot jump to a heading inside a notebook; "
                    "link to the notebook and name the section instead")
        if dest.suffix != ".md":
            return f"{where}: {target!r}: anchor into a {dest.suffix or 'folder'}, which has no headings"
        if anchor not in anchors_of(dest):
            near = sorted(a for a in anchors_of(dest) if a[:4] == anchor[:4])[:5]
            hint = f" (similar anchors there: {', '.join(near)})" if near else ""
            return f"{where}: {target!r}: no heading in {rel(dest)} has the anchor #{anchor}{hint}"
    return None


def _problems_in_markdown(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    problems = []
    for link in links(text):
        msg = check_target(path, f"{rel(path)}:{link.line} ({link.kind})", link.target)
        if msg:
            problems.append(msg)
    return problems


def _problems_in_notebook(path: Path) -> list[str]:
    problems = []
    for cell_no, source in notebook_markdown(path):
        for link in links(source):
            where = f"{rel(path)} cell {cell_no} line {link.line} ({link.kind})"
            msg = check_target(path, where, link.target)
            if msg:
                problems.append(msg)
    return problems


@pytest.mark.parametrize("path", markdown_files(), ids=rel)
def test_markdown_links_resolve(path):
    problems = _problems_in_markdown(path)
    assert not problems, "broken links:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", notebooks(), ids=rel)
def test_notebook_links_resolve(path):
    problems = _problems_in_notebook(path)
    assert not problems, "broken links:\n" + "\n".join(problems)


# ------------------------------------------------------------ the checker itself catches mistakes
def test_link_check_catches_bad_links(tmp_path, monkeypatch):
    import test_links as me

    monkeypatch.setattr(me, "ROOT", tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "theory.md").write_text("# Top\n\n## 2. Layout conventions\n\n## Top\n", encoding="utf-8")
    (tmp_path / "a" / "nb.ipynb").write_text("{}", encoding="utf-8")
    src = tmp_path / "README.md"
    src.write_text(
        "[ok](a/theory.md#2-layout-conventions) [dup](a/theory.md#top-1) [self](#x)\n"
        "[missing](a/nope.md) [bad anchor](a/theory.md#layout) ![img](a/fig.png)\n"
        "[nb anchor](a/nb.ipynb#3-rules) [outside](../elsewhere.md) "
        f"[colab]({COLAB_PREFIX}o/r/blob/main/a/missing.ipynb) [colab ok]({COLAB_PREFIX}o/r/blob/main/a/nb.ipynb)\n"
        "\n# x\n",
        encoding="utf-8",
    )
    found = {m.split(": ", 1)[1].split("'")[1] for m in _problems_in_markdown(src)}
    assert found == {
        "a/nope.md", "a/theory.md#layout", "a/fig.png", "a/nb.ipynb#3-rules", "../elsewhere.md",
        f"{COLAB_PREFIX}o/r/blob/main/a/missing.ipynb",
    }
