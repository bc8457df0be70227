"""Pictures first: every chapter shows animations that play on GitHub, and folds its long proofs.

* Each theory.md shows at least two animated GIFs from its own figures/ folder, each animated
  (8 frames or more), at most 1 MB, at most 1400 px wide, with alt text that says what moves,
  and made by a ``show_animation(..., "name")`` call in the chapter's notebook. (That the
  notebook really makes it, with this size and frame count, is checked by tests/test_routes.py.)
* Folded blocks (``<details><summary>…</summary>`` … ``</details>``) have a blank line after the
  summary and before the end, without which GitHub does not render the math inside.
* Each theory.md ends its numbered sections with a "Key ideas" cheat-sheet.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from mdtools import links
from nbtools import chapter_dir, chapters, notebook_path, read_notebook, rel
from PIL import Image

MIN_ANIMATIONS = 2
MIN_FRAMES = 8
MAX_BYTES = 1024 * 1024
MAX_WIDTH = 1400


def shown_gifs(text: str) -> list[tuple[str, str, int]]:
    """(target, alt text, line) of each GIF image in Markdown text."""
    found = []
    for m in re.finditer(r"!\[([^\]]*)\]\(([^)\s]+\.gif)\)", text):
        found.append((m.group(2), m.group(1).strip(), text.count("\n", 0, m.start()) + 1))
    targets = {t for t, _, _ in found}
    for link in links(text):  # <img src="…gif"> as well
        if link.kind == "image" and link.target.endswith(".gif") and link.target not in targets:
            found.append((link.target, "", link.line))
    return found


def animations_made_by(nb_path: Path) -> set[str]:
    """The names passed to show_animation(...) in a notebook's code."""
    names = set()
    for cell in read_notebook(nb_path).cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "show_animation":
                args = list(node.args) + [k.value for k in node.keywords if k.arg == "name"]
                names |= {a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return names


def gif_problems(folder: Path, text: str, made: set[str], where: str) -> list[str]:
    problems = []
    for target, alt, line in shown_gifs(text):
        path = (folder / target).resolve()
        at = f"{where}:{line}: {target}"
        if not path.is_file():
            problems.append(f"{at}: no such file (run bash .ci/refresh-notebooks {folder.name})")
            continue
        with Image.open(path) as im:
            frames, width = getattr(im, "n_frames", 1), im.size[0]
        if frames < MIN_FRAMES:
            problems.append(f"{at}: {frames} frame(s); an animation needs at least {MIN_FRAMES}")
        if path.stat().st_size > MAX_BYTES:
            problems.append(f"{at}: {path.stat().st_size / 1e6:.2f} MB; keep it under 1 MB (fewer frames or pixels)")
        if width > MAX_WIDTH:
            problems.append(f"{at}: {width} px wide; at most {MAX_WIDTH}")
        if len(alt.split()) < 4:
            problems.append(f"{at}: alt text {alt!r} should say in words what moves")
        if path.parent != folder / "figures" or path.stem not in made:
            problems.append(f"{at}: not made by the chapter's notebook (no show_animation(..., {path.stem!r}))")
    return problems


def theory(chapter: str) -> tuple[Path, str]:
    """A chapter's folder and the text of its theory.md."""
    folder = chapter_dir(chapter)
    return folder, (folder / "theory.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("chapter", chapters())
def test_theory_shows_animations_made_by_its_notebook(chapter):
    folder, text = theory(chapter)
    gifs = {t for t, _, _ in shown_gifs(text)}
    problems = gif_problems(folder, text, animations_made_by(notebook_path(chapter)), f"{folder.name}/theory.md")
    assert len(gifs) >= MIN_ANIMATIONS, f"{folder.name}/theory.md shows {len(gifs)} animation(s); at least 2"
    assert not problems, "\n".join(problems)


def details_problems(text: str, where: str) -> list[str]:
    """Folded blocks that GitHub would not render math in, or that never close."""
    problems = []
    lines = text.splitlines()
    depth = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("<details"):
            depth += 1
            if "</summary>" not in stripped:
                problems.append(f"{where}:{i + 1}: put <details><summary>…</summary> on one line")
            elif i + 1 < len(lines) and lines[i + 1].strip():
                problems.append(f"{where}:{i + 1}: blank line needed after the <summary> line (math will not render)")
        if stripped.startswith("</details>"):
            depth -= 1
            if i > 0 and lines[i - 1].strip():
                problems.append(f"{where}:{i + 1}: leave a blank line before </details>")
    if depth:
        problems.append(f"{where}: {depth} <details> block(s) never closed")
    return problems


@pytest.mark.parametrize("chapter", chapters())
def test_long_proofs_are_folded_so_that_github_renders_them(chapter):
    folder, text = theory(chapter)
    assert "<details>" in text, f"{folder.name}/theory.md folds nothing: put long proofs in <details> blocks"
    problems = details_problems(text, f"{folder.name}/theory.md")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("chapter", chapters())
def test_theory_has_key_ideas(chapter):
    folder, text = theory(chapter)
    where = f"{rel(folder)}/theory.md"
    assert re.search(r"^## Key ideas\s*$", text, flags=re.M), f"{where}: no '## Key ideas' cheat-sheet"


def test_gif_checks_catch_bad_examples(tmp_path):
    folder = tmp_path / "01_x"
    (folder / "figures").mkdir(parents=True)
    frame = Image.new("RGB", (1500, 100), "white")
    frame.save(folder / "figures" / "still.gif")  # one frame, too wide
    frame.resize((100, 100)).save(folder / "figures" / "moving.gif", save_all=True,
                                  append_images=[Image.new("RGB", (100, 100), c) for c in ("red", "blue") * 5])
    text = "![a](figures/still.gif)\n\n![the dot moves right](figures/moving.gif)\n\n![x y z w](figures/none.gif)\n"
    problems = "\n".join(gif_problems(folder, text, {"still"}, "t.md"))
    assert "still.gif: 1 frame(s)" in problems and "1500 px wide" in problems and "alt text 'a'" in problems
    assert "moving.gif: not made by the chapter's notebook" in problems
    assert "none.gif: no such file" in problems
    assert "moving.gif: 11 frame" not in problems


def test_details_checks_catch_bad_examples():
    bad = "<details><summary>Proof</summary>\n$x$\n</details>\n\n<details>\n<summary>Open</summary>\n"
    problems = "\n".join(details_problems(bad, "t.md"))
    assert "t.md:1: blank line needed after" in problems and "t.md:3: leave a blank line before" in problems
    assert "t.md:5: put <details><summary>" in problems and "never closed" in problems
    good = "<details><summary>Proof: the chain rule</summary>\n\n$x$\n\n</details>\n"
    assert details_problems(good, "t.md") == []
