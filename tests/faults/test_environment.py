"""The output depends on the input only: not on locale, time zone, hash seed or the order
in which the file system lists a folder. Each variant builds the same site into its own
folder; the trees must be identical byte for byte."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.faults.faultlib import tree

# Lists every folder in reverse (and shuffled) order, as another file system might.
REORDERED_LISTINGS = """
import os, random
_scandir, _listdir = os.scandir, os.listdir
class _Entries:
    def __init__(self, it):
        self._items = list(it)
        random.Random(len(self._items)).shuffle(self._items)
        self._items.reverse()
        self._it = iter(self._items)
    def __iter__(self):
        return self
    def __next__(self):
        return next(self._it)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return False
    def close(self):
        pass
os.scandir = lambda path=".": _Entries(_scandir(path))
os.listdir = lambda path=".": list(reversed(_listdir(path)))
"""


def multilingual_site(site) -> None:
    site.config('timezone = "Asia/Tehran"\n')
    topics = ["Économie", "Syria", "سوريا", "Ölpreis", "İstanbul", "zebra", "Zebra crossings", "ß-Frage", "日本"]
    for i in range(24):
        site.article(f"{2015 + i % 3}/{i:02d}-story", f"""
            title: "Story {i}: {topics[i % len(topics)]} — “quoted”"
            date: 201{5 + i % 3}-{1 + i % 12:02d}-{1 + i % 27:02d}T{i % 24:02d}:30:00{'+04:30' if i % 2 else ''}
            outlet: {['Press TV', 'Al Jazeera', 'Le Monde', 'Der Spiegel', 'BBC'][i % 5]}
            topics: [{topics[i % len(topics)]}, {topics[(i * 7 + 1) % len(topics)]}]
            language: {['en', 'ar', 'fr', 'de', 'en'][i % 5]}
            """, f"Paragraph about {topics[i % len(topics)]}.\n\nMore text, {i}.\n")
    site.write("content/pages/about.md", "---\ntitle: About\n---\n\nAbout this archive.\n")


VARIANTS = {
    "reference": ({}, ""),
    "C locale, UTC, seed 1": ({"LC_ALL": "C", "LANG": "C", "TZ": "UTC", "PYTHONHASHSEED": "1"}, ""),
    "UTF-8 locale, far time zone, seed 12345": (
        {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "TZ": "Pacific/Kiritimati", "PYTHONHASHSEED": "12345"}, ""),
    "negative offset, random seed": ({"TZ": "America/St_Johns", "PYTHONHASHSEED": "random", "LC_ALL": "POSIX"}, ""),
    "reordered folder listings": ({"PYTHONHASHSEED": "987"}, REORDERED_LISTINGS),
}


def build_variant(site, out, env_changes: dict[str, str], prelude: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LANG", "TZ", "PYTHONHASHSEED")}
    env.update(env_changes)
    code = f"import sys\nsys.path.insert(0, {str(REPO)!r})\n{prelude}\nfrom newsarchive.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    result = subprocess.run([sys.executable, "-c", code, "--config", str(site.root / "config.toml"), "--output", str(out)],
                            capture_output=True, text=True, env=env, cwd=site.root, timeout=300)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_output_is_independent_of_the_environment(site, tmp_path):
    multilingual_site(site)
    trees = {}
    for name, (env, prelude) in VARIANTS.items():
        out = tmp_path / name.replace(" ", "_").replace(",", "")
        build_variant(site, out, env, prelude)
        trees[name] = tree(out)
    reference = trees.pop("reference")
    assert len(reference) > 40
    for name, files in trees.items():
        assert files.keys() == reference.keys(), name
        differing = [rel for rel in reference if files[rel] != reference[rel]]
        assert not differing, f"{name}: {differing[:5]}"


def test_reordered_listings_really_reorder(tmp_path):
    """The listing-order variant must change what the build sees, or it tests nothing."""
    for name in ("a", "b", "c", "d"):
        (tmp_path / name).write_text(name)
    code = REORDERED_LISTINGS + f"\nprint(','.join(e.name for e in os.scandir({str(tmp_path)!r})))\n"
    plain = sorted(e.name for e in os.scandir(tmp_path))
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert sorted(shown.split(",")) == plain
    assert shown.split(",") != [e.name for e in os.scandir(tmp_path)]
