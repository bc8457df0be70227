"""The routes a learner takes: Colab in one click, GitHub's view of a notebook, a clean working tree.

* Colab opens a notebook alone in an empty folder. Each notebook's setup cell then fetches the
  course and moves into the chapter folder. Here every notebook is run that way, top to bottom,
  in an empty folder with a stand-in ``google.colab`` module and ``COURSE_REPO`` pointing at this
  repository, so the test needs no network. The run is also the refresh step's
  (``COURSE_WRITE_FIGURES=1``), inside the temporary clone: the figures and animations it makes
  must be the committed ones (same files, same sizes in pixels, same number of frames), and it
  must leave the clone's tracked files otherwise untouched.
* The repository's GitHub ``owner/name`` is written in one place (pyproject.toml); the Colab
  links and the setup cells must agree with it.
* GitHub cannot run widgets: no stored output may show a widget's raw text form.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import nbformat
import pytest
from markdown_it import MarkdownIt
from nbtools import ROOT, chapters, markdown_files, notebook_client, notebook_path, notebooks, read_notebook, rel
from PIL import Image

COLAB = re.compile(r"https://colab\.research\.google\.com/github/([^/\s)]+/[^/\s)]+)/blob/main/([^\s)#?]+)")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def course_repository() -> str:
    """The course's GitHub owner/name, from its one home: [tool.course] in pyproject.toml."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    table = re.search(r"^\[tool\.course\]\s*$(.*?)(?=^\[|\Z)", text, flags=re.M | re.S)
    assert table, "pyproject.toml has no [tool.course] table with the course's GitHub repository"
    found = re.search(r'^github\s*=\s*"([\w.-]+/[\w.-]+)"\s*$', table.group(1), flags=re.M)
    assert found, 'pyproject.toml [tool.course] needs github = "owner/name"'
    return found.group(1)


def setup_cell(nb) -> str:
    cells = [c for c in nb.cells if c.cell_type == "code" and "setup" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"expected one code cell tagged 'setup', found {len(cells)}"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0] is cells[0], "the setup cell must be the first code cell (Colab runs it before anything else)"
    return cells[0].source


# ---------------------------------------------------------------- one name for the repository
def test_colab_links_and_setup_cells_name_the_same_repository():
    repo = course_repository()
    links = []
    for path in markdown_files():
        for owner_name, target in COLAB.findall(path.read_text(encoding="utf-8")):
            links.append((rel(path), owner_name, target))
            assert owner_name == repo, f"{rel(path)}: Colab link to {owner_name}, but pyproject.toml says {repo}"
            assert (ROOT / target).is_file(), f"{rel(path)}: Colab link to {target}, which does not exist"
    linked = {target for _, _, target in links}
    for nb_path in notebooks():
        assert rel(nb_path) in linked, f"README.md has no Colab link for {rel(nb_path)}"
        source = setup_cell(read_notebook(nb_path))
        assert f'COURSE = "{repo}"' in source, f"{rel(nb_path)}: the setup cell must clone {repo}"
        assert f'CHAPTER = "{nb_path.parent.name}"' in source, f"{rel(nb_path)}: the setup cell names another chapter"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"github.com/{repo}" in readme, f"README.md should show the clone URL https://github.com/{repo}"


# ---------------------------------------------------------------- GitHub shows no raw widgets
def widget_repr_problems(nb, name: str) -> list[str]:
    """Stored outputs whose plain-text form (what GitHub shows) is a widget's raw repr."""
    problems = []
    for number, cell in enumerate(nb.cells, start=1):
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            if re.match(r"\s*[A-Za-z]+\((children|value|description)=", text):
                problems.append(f"{name} cell {number}: GitHub shows the raw widget {text[:60]!r}")
            elif WIDGET_VIEW in out.get("data", {}) and not text.strip():
                problems.append(f"{name} cell {number}: a widget with no plain-text line for GitHub")
    return problems


@pytest.mark.parametrize("path", notebooks(), ids=rel)
def test_no_raw_widget_repr_is_stored(path):
    problems = widget_repr_problems(read_notebook(path), rel(path))
    assert not problems, "\n".join(problems) + "\nshow sliders with Interactive(...) (first code cell), not interact()"


def test_raw_widget_repr_is_caught():
    nb = nbformat.v4.new_notebook()
    raw = "interactive(children=(FloatSlider(value=0.5, description='x0', max=2.0, min=-2.0, step=0.05), …"
    good = "[Sliders: run the notebook in Jupyter, VS Code or Colab to move them; above is the default figure.]"
    nb.cells = [nbformat.v4.new_code_cell("Interactive(plot, x0=FloatSlider())") for _ in range(2)]
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data={"text/plain": raw, WIDGET_VIEW: {}})]
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={"text/plain": good, WIDGET_VIEW: {}})]
    assert widget_repr_problems(nb, "nb") == ["nb cell 1: GitHub shows the raw widget " + repr(raw[:60])]


# ---------------------------------------------------------------- Colab: a notebook alone in a folder
def image_facts(path):
    """(width, height, frames) of a PNG or GIF."""
    with Image.open(path) as im:
        return im.size[0], im.size[1], getattr(im, "n_frames", 1)


def committed_figures(chapter: str) -> dict[str, tuple[int, int, int]]:
    tracked = subprocess.run(["git", "ls-files", f"{chapter}/figures"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    return {p.rsplit("/", 1)[-1]: image_facts(ROOT / p) for p in tracked}


def figure_problems(made: dict, committed: dict, chapter: str) -> list[str]:
    """How the figures a notebook made differ from the committed ones: files, pixel sizes, frames.

    Width and height may differ by one pixel between matplotlib versions, which round size x dpi
    differently (4.6 in x 100 dpi is 459.99999999999994); anything more, or another frame count, is real.
    """
    def same(a, b):
        return a[2] == b[2] and abs(a[0] - b[0]) <= 1 and abs(a[1] - b[1]) <= 1

    problems = [f"{chapter}: committed figure the notebook no longer makes (delete it): {name}"
                for name in sorted(set(committed) - set(made))]
    problems += [f"{chapter}: the notebook makes a figure that is not committed (refresh and add it): {name}"
                 for name in sorted(set(made) - set(committed))]
    problems += [f"{chapter}: {name}: committed {committed[name]}, made {made[name]} (width, height, frames); "
                 f"refresh with bash .ci/refresh-notebooks {chapter}"
                 for name in sorted(set(made) & set(committed)) if not same(made[name], committed[name])]
    return problems


def test_figure_comparison_catches_missing_extra_and_resized_figures():
    committed = {"a.png": (700, 400, 1), "b.gif": (700, 400, 24), "c.png": (460, 420, 1), "gone.png": (10, 10, 1)}
    made = {"a.png": (700, 400, 1), "b.gif": (700, 400, 23), "c.png": (459, 420, 1), "new.gif": (5, 5, 9)}
    problems = "\n".join(figure_problems(made, committed, "01_x"))
    assert "no longer makes (delete it): gone.png" in problems
    assert "not committed (refresh and add it): new.gif" in problems
    assert "b.gif: committed (700, 400, 24), made (700, 400, 23)" in problems
    assert "a.png" not in problems and "c.png" not in problems  # identical, and a one-pixel rounding difference
    assert figure_problems({"a.png": (702, 400, 1)}, {"a.png": (700, 400, 1)}, "01_x")


def run_alone_like_colab(chapter: str, tmp_path, monkeypatch) -> None:
    nb_path = notebook_path(chapter)
    fake = tmp_path / "fake_colab"
    (fake / "google" / "colab").mkdir(parents=True)
    (fake / "google" / "colab" / "__init__.py").write_text('"""Stands in for Colab\'s module in the tests."""\n')
    empty = tmp_path / "content"  # Colab's working folder, empty but for the notebook
    empty.mkdir()
    shutil.copy(nb_path, empty / nb_path.name)
    monkeypatch.setenv("PYTHONPATH", str(fake))
    monkeypatch.setenv("COURSE_REPO", str(ROOT))
    monkeypatch.setenv("COURSE_WRITE_FIGURES", "1")
    nb = read_notebook(empty / nb_path.name)
    clone = empty / course_repository().split("/")[1]
    client = notebook_client(nb, empty, timeout=120)
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
            if "setup" in cell.metadata.get("tags", []):
                assert (clone / chapter).is_dir(), f"the setup cell did not fetch the course into {clone}"
                # Start from no figures, so that what exists at the end is exactly what the notebook makes.
                shutil.rmtree(clone / chapter / "figures", ignore_errors=True)

    made = {p.name: image_facts(p) for p in sorted((clone / chapter / "figures").glob("*"))}
    problems = figure_problems(made, committed_figures(chapter), chapter)
    assert not problems, "\n".join(problems)
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=clone,
                            capture_output=True, text=True, check=True).stdout
    changed = [line for line in status.splitlines() if "/figures/" not in line]
    assert not changed, f"{chapter}: running the notebook changed tracked files: {changed}"


def _colab_test(self, tmp_path, monkeypatch):
    run_alone_like_colab(self.chapter, tmp_path, monkeypatch)


# One class per chapter, so that pytest-xdist (--dist=loadscope) spreads the runs over the workers.
for _chapter in chapters():
    _name = f"TestRunsAloneLikeColab{_chapter[:2]}"
    globals()[_name] = type(_name, (), {"chapter": _chapter, "test_notebook_runs_alone_in_an_empty_folder": _colab_test,
                                        "__doc__": f"{_chapter}: the notebook alone in a folder, as Colab opens it."})


# ---------------------------------------------------------------- the README's links to Colab
def test_every_colab_link_is_found_by_the_pattern():
    """The pattern above reads the README's links as GitHub renders them (so the checks above see them all)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rendered = MarkdownIt("commonmark").enable("table").render(readme)
    hrefs = [h for h in re.findall(r'href="([^"]+)"', rendered) if "colab.research.google.com" in h]
    assert hrefs and all(COLAB.fullmatch(h) for h in hrefs), hrefs


def test_headless_runner_catches_widget_outputs_without_messaging_the_kernel():
    """The stall fix: the runner's Output-widget stand-in keeps a slider's figure but sends nothing mid-cell."""
    client = notebook_client(nbformat.v4.new_notebook(), ROOT)
    widget_class = client.widget_registry["@jupyter-widgets/output"]["OutputModel"]

    class Recorder:
        sent: list = []
        session = type("S", (), {"msg": staticmethod(lambda *a, **k: {"a": a, "k": k})})()
        shell_channel = type("C", (), {"send": lambda self, msg: Recorder.sent.append(msg)})()

    widget = widget_class("comm-1", {"outputs": []}, Recorder(), executor=object())
    figure = {"header": {"msg_type": "display_data"}, "parent_header": {},
              "content": {"data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}, "metadata": {}}}
    widget.output([], figure, None, 0)
    assert [o["output_type"] for o in widget.outputs] == ["display_data"], "the figure must still be caught"
    assert Recorder.sent == [], "the stand-in sent a message to the kernel mid-cell (nbclient's stall)"
