"""The repository's address is written in _config.yml; every other copy must be that one.

A Colab notebook has to install the package before it can import anything, so its first cell
carries the address itself, and so do pyproject.toml and the pages that tell a reader where
to clone from. Moving the repository means changing ``repository.url`` in ``_config.yml``;
this test then lists every copy still pointing elsewhere.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
GITHUB = re.compile(r"https://github\.com/([\w.-]+/[\w.-]+?)(?:\.git)?(?=[/\"'\s)]|$)")


def configured() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"]


def copies() -> list[Path]:
    """Files that name the course's own repository (not other projects' addresses)."""
    return [ROOT / "pyproject.toml", ROOT / "README.md",
            *sorted((ROOT / "chapters").glob("*.ipynb")),
            *sorted((ROOT / "book").glob("*.md"))]


def test_every_copy_of_the_repository_url_is_the_configured_one():
    url = configured()
    owner_repo = url.removeprefix("https://github.com/")
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", owner_repo), url
    course = owner_repo.split("/")[1]
    wrong = []
    for path in copies():
        for found in GITHUB.findall(path.read_text(encoding="utf-8")):
            # another address of the course (a fork, an old name) rather than a cited project
            if found.split("/")[1] == course and found != owner_repo:
                wrong.append(f"{path.relative_to(ROOT)}: {found}")
    assert not wrong, f"these name another repository than _config.yml's {url}: {wrong}"
    installs = [p for p in (ROOT / "chapters").glob("*.ipynb")
                if f"git+{url}" in p.read_text(encoding="utf-8")]
    assert len(installs) == len(list((ROOT / "chapters").glob("*.ipynb")))
    assert f'Homepage = "{url}"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
