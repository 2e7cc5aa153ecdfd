"""Trial 31: a new user checked README.md and docs/*.md against what segmix does.

Each test here pins a statement of the documentation that the trial found untrue, so that it
stays true.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start:end if end >= 0 else None]


def test_readme_layout_lists_every_module_of_segmix():
    """README's Layout gave no line to snapcut.py (the default boundary refinement),
    transparency.py, clicks.py and five more modules, and its Layers picture left out
    snapcut, mark_settings and transparency, which tests/test_layering.py places among the
    workflows."""
    layout = _section(README, "## Layout")
    block = layout.split("```")[1]
    listed = set(re.findall(r"^  (\w+)(?:\.py|/)", block, re.M))
    modules = {p.stem for p in (ROOT / "segmix").iterdir()
               if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists())) and not p.stem.startswith("__")}
    assert modules - listed == set()


def test_readme_layers_picture_names_every_workflow():
    import importlib.util

    spec = importlib.util.spec_from_file_location("test_layering", ROOT / "tests" / "test_layering.py")
    layering = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(layering)
    picture = _section(README, "### Layers").split("```")[1]
    row = picture[picture.index(" workflows"):picture.index(" models")]
    named = set(re.findall(r"[a-z_]+", row)) - {"workflows"}
    assert set(layering.WORKFLOWS) - named == set()


@pytest.mark.parametrize("doc", sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"], ids=lambda p: p.name)
def test_relative_links_of_the_docs_reach_a_file(doc):
    """Paragraphs moved from README into docs/ kept README's links (docs/performance.md from
    docs/clicks_development.md is docs/docs/performance.md)."""
    broken = []
    for link in re.findall(r"\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8")):
        if link.startswith(("http://", "https://", "#", "mailto:")):
            continue
        target = (doc.parent / link.partition("#")[0]).resolve()
        if not target.exists():
            broken.append(link)
    assert broken == []
