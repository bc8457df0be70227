"""Every chapter follows the template: files, one spine, exercises matching solutions, navigation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mdtools import headings, links, notebook_markdown
from nbtools import (
    CHAPTER_FILES,
    CURRICULUM,
    ROOT,
    chapter_dir,
    chapters,
    load_checkers,
    notebook_path,
    read_notebook,
    rel,
)

NUMBERED = re.compile(r"^(\d+)\.\s+(.+)$")
EXERCISE = re.compile(r"^([ES])(\d+)\b\s*(.*)$")
MIN_EXERCISES, MIN_CODING = 10, 3

pytestmark = pytest.mark.parametrize("chapter", chapters())


def spine_of_markdown(text: str) -> list[tuple[int, str]]:
    """The numbered level-2 sections ('## 3. Title') of a Markdown text."""
    return [(int(m[1]), m[2].strip()) for h in headings(text) if h.level == 2 and (m := NUMBERED.match(h.text))]


def notebook_spine(path: Path) -> list[tuple[int, str]]:
    spine = []
    for _, source in notebook_markdown(path):
        spine += spine_of_markdown(source)
    return spine


def exercise_headings(path: Path, letter: str) -> dict[int, str]:
    """{number: rest of heading} for '## E4 ...' (letter 'E') or '## S4 ...' (letter 'S')."""
    found: dict[int, str] = {}
    for h in headings(path.read_text(encoding="utf-8")):
        m = EXERCISE.match(h.text)
        if h.level == 2 and m and m[1] == letter:
            number = int(m[2])
            assert number not in found, f"{rel(path)}:{h.line}: {letter}{number} appears twice"
            found[number] = m[3]
    return found


def title_of(rest: str) -> str:
    """The title in '★★ (code) · Title' or '· Title'."""
    return rest.split("·", 1)[1].strip() if "·" in rest else rest.strip()


def link_targets(text: str, base: Path) -> set[Path]:
    """Resolved local link targets of Markdown text (anchors dropped)."""
    out = set()
    for link in links(text):
        target = link.target.split("#", 1)[0]
        if target and "://" not in target and not target.startswith("mailto:"):
            out.add((base / target).resolve())
    return out


def neighbours(chapter: str) -> list[str]:
    names = list(CURRICULUM)
    i = names.index(chapter_dir(chapter).name)
    return [n for n in (names[i - 1] if i else None, names[i + 1] if i + 1 < len(names) else None) if n]


def test_chapter_files(chapter):
    folder = chapter_dir(chapter)
    missing = [name for name in (*CHAPTER_FILES, CURRICULUM[folder.name]) if not (folder / name).is_file()]
    assert not missing, f"{folder.name}/ is missing {', '.join(missing)} (see CONTRIBUTING.md, 'The chapter template')"
    extra = sorted(p.name for p in folder.glob("*.ipynb") if p.name != CURRICULUM[folder.name])
    assert not extra, f"{folder.name}/ has more than one notebook: {extra}; keep exactly {CURRICULUM[folder.name]}"
    if (folder / "data").is_dir():
        assert (folder / "data" / "README.md").is_file(), (
            f"{folder.name}/data/ needs a README.md with source, licence and columns of the data"
        )


def test_theory_and_notebook_share_one_spine(chapter):
    folder = chapter_dir(chapter)
    theory = spine_of_markdown((folder / "theory.md").read_text(encoding="utf-8"))
    notebook = notebook_spine(notebook_path(chapter))
    assert theory, f"{folder.name}/theory.md has no numbered sections ('## 1. Title')"
    numbers = [n for n, _ in theory]
    assert numbers == list(range(1, len(theory) + 1)), f"{folder.name}/theory.md sections are numbered {numbers}"
    assert theory == notebook, (
        f"{folder.name}: theory.md and the notebook must have the same numbered sections "
        "(the 'Your turn' section included)\n"
        f"  theory.md: {theory}\n  notebook:  {notebook}"
    )


def test_exercises_and_solutions_correspond(chapter):
    folder = chapter_dir(chapter)
    ex = exercise_headings(folder / "exercises.md", "E")
    sol = exercise_headings(folder / "solutions.md", "S")
    assert sorted(ex) == list(range(1, len(ex) + 1)), f"{folder.name}/exercises.md: exercises numbered {sorted(ex)}"
    assert len(ex) >= MIN_EXERCISES, f"{folder.name}/exercises.md has {len(ex)} exercises; at least {MIN_EXERCISES}"
    assert sorted(sol) == sorted(ex), (
        f"{folder.name}: exercises {sorted(set(ex) - set(sol))} have no solution; "
        f"solutions {sorted(set(sol) - set(ex))} have no exercise"
    )
    mismatched = [f"E{n}: {title_of(ex[n])!r} vs S{n}: {title_of(sol[n])!r}"
                  for n in ex if title_of(ex[n]) != title_of(sol[n])]
    assert not mismatched, f"{folder.name}: exercise and solution titles differ:\n" + "\n".join(mismatched)


def test_exercises_are_graded_and_include_code(chapter):
    folder = chapter_dir(chapter)
    ex = exercise_headings(folder / "exercises.md", "E")
    grades = {}
    for n, rest in ex.items():
        stars = rest.split("·", 1)[0].count("★")
        assert 1 <= stars <= 3, f"{folder.name}/exercises.md: E{n} needs a grade of one to three ★, got {stars}"
        grades[n] = stars
    assert {1, 3} <= set(grades.values()), f"{folder.name}: exercises should range from ★ to ★★★, got {grades}"
    coding = [n for n, rest in ex.items() if "(code)" in rest]
    assert len(coding) >= MIN_CODING, (
        f"{folder.name}: {len(coding)} coding exercises marked (code); at least {MIN_CODING}"
    )


def test_coding_exercises_have_self_checks(chapter):
    folder = chapter_dir(chapter)
    coding = {n for n, rest in exercise_headings(folder / "exercises.md", "E").items() if "(code)" in rest}
    checkers = {int(k[7:]) for k in load_checkers(chapter) if re.fullmatch(r"check_e\d+", k)}
    assert coding == checkers, (
        f"{folder.name}: coding exercises {sorted(coding)} but checkers for {sorted(checkers)} "
        "(each (code) exercise needs a check_eN in the notebook's 'checkers' cell, and only those)"
    )
    nb = read_notebook(notebook_path(chapter))
    for cell in nb.cells:
        if cell.cell_type == "code" and "checkers" in cell.metadata.get("tags", []):
            assert cell.metadata.get("jupyter", {}).get("source_hidden"), (
                f"{rel(notebook_path(chapter))}: collapse the checkers cell (metadata jupyter.source_hidden)"
            )
    for n in sorted(coding):
        calls = [c for c in nb.cells if c.cell_type == "code" and f"check_e{n}(" in c.source
                 and "checkers" not in c.metadata.get("tags", [])]
        assert calls, f"{rel(notebook_path(chapter))}: no cell calls check_e{n}(...) in 'Your turn'"
        printed = "".join(o.get("text", "") for c in calls for o in c.get("outputs", []))
        assert f"E{n}: not attempted yet" in printed, (
            f"{rel(notebook_path(chapter))}: the stored output of check_e{n} should say "
            f"'E{n}: not attempted yet' (ship the stub, not the answer); it says {printed.strip()!r}"
        )


def test_navigation_links(chapter):
    folder = chapter_dir(chapter)
    nb = notebook_path(chapter)
    files = {name: folder / name for name in CHAPTER_FILES}
    texts = {name: path.read_text(encoding="utf-8") for name, path in files.items()}
    first_md = next((src for _, src in notebook_markdown(nb)), "")
    targets = {name: link_targets(text, folder) for name, text in texts.items()}
    targets["notebook"] = link_targets(first_md, folder)
    home = (ROOT / "README.md").resolve()
    need = {
        "theory.md": {home, nb.resolve()},
        "notebook": {home, files["theory.md"].resolve()},
        "exercises.md": {home, files["solutions.md"].resolve(), files["theory.md"].resolve(), nb.resolve()},
        "solutions.md": {home, files["exercises.md"].resolve()},
    }
    for other in neighbours(chapter):
        if (ROOT / other / "theory.md").exists():
            for name in ("theory.md", "notebook"):
                need[name].add((ROOT / other / "theory.md").resolve())
    problems = []
    for name, required in need.items():
        where = f"{folder.name}/{name}" if name != "notebook" else f"{rel(nb)} (first markdown cell)"
        for target in sorted(required - targets[name]):
            problems.append(f"{where} does not link to {rel(target)}")
    assert not problems, "navigation links missing:\n" + "\n".join(problems)
    for name, text in texts.items():
        head = [line for line in text.splitlines() if line.strip()][:3]
        assert any("../README.md" in line for line in head), (
            f"{folder.name}/{name}: the navigation line (with a link to ../README.md) must be among the first lines"
        )


def test_every_figure_is_shown(chapter):
    folder = chapter_dir(chapter)
    figures = {p.resolve() for p in (folder / "figures").glob("*") if p.suffix in {".png", ".gif"}}
    shown = link_targets((folder / "theory.md").read_text(encoding="utf-8"), folder)
    for _, src in notebook_markdown(notebook_path(chapter)):
        shown |= link_targets(src, folder)
    unused = sorted(rel(p) for p in figures - shown)
    assert not unused, f"figures nobody shows (delete them or show them in theory.md): {unused}"
