"""The README lists the whole course: written chapters as links, the rest as 'coming'."""

from __future__ import annotations

from mdtools import links
from nbtools import CHAPTER_FILES, CURRICULUM, ROOT

README = ROOT / "README.md"


def _targets():
    return {link.target.split("#", 1)[0] for link in links(README.read_text(encoding="utf-8"))}


def test_curriculum_table_links_every_written_chapter():
    targets = _targets()
    text = README.read_text(encoding="utf-8")
    problems = []
    for folder, notebook in CURRICULUM.items():
        written = (ROOT / folder / "theory.md").exists()
        expected = [f"{folder}/{name}" for name in (*CHAPTER_FILES, notebook)]
        if written:
            problems += [f"README.md does not link {t}" for t in expected if t not in targets]
            colab = [t for t in targets if t.startswith("https://colab.research.google.com/") and t.endswith(notebook)]
            if not colab:
                problems.append(f"README.md has no 'Open in Colab' link for {folder}/{notebook}")
        else:
            row = [line for line in text.splitlines() if line.startswith("|") and folder[:2] in line.split("|")[1]]
            if not row or "coming" not in row[0]:
                problems.append(f"README.md: chapter {folder} is not written yet; its table row must say 'coming'")
    assert not problems, "\n".join(problems)


def test_readme_points_to_the_layout_convention():
    if (ROOT / "04_matrix_calculus" / "theory.md").exists():
        assert "04_matrix_calculus/theory.md#2-layout-conventions" in {
            link.target for link in links(README.read_text(encoding="utf-8"))
        }, "README.md must link the layout convention: 04_matrix_calculus/theory.md#2-layout-conventions"
