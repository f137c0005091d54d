"""Incremental builds: any sequence of changes gives the very output of a cold build.

A seeded random sequence of edits, additions, deletions, renames, image, template and
setting changes; after each step the cached build's output tree is compared byte for byte
with a build of the same input from nothing.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image as PILImage

from conftest import Site
from newsarchive.commands.build import build
from newsarchive.config import Config, load_config
from newsarchive.errors import BuildError
from newsarchive.output import OutputError, StagedOutput
from sitecheck import tree

TOPICS = ["Syria", "Diplomacy", "Économie", "Energy", "Water", "سوريا"]
OUTLETS = ["Press TV", "Le Monde", "Example Times"]
WORDS = "talks resumed in geneva while ministers met officials and observers said the plan".split()


class Archive:
    """A small random archive that can be changed step by step, reproducibly."""

    def __init__(self, site: Site, seed: int):
        self.site, self.rng = site, random.Random(seed)
        self.names: list[str] = []
        self.serial = 0

    def text(self) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(5, 30))).capitalize() + "."

    def write(self, name: str, title: str | None = None) -> None:
        rng = self.rng
        topics = rng.sample(TOPICS, rng.randint(1, 3))
        day = f"20{rng.randint(15, 17)}-0{rng.randint(1, 3)}-1{rng.randint(0, 9)}"
        image = ""
        if rng.random() < 0.4:
            folder = self.site.content / "articles" / Path(name).parent / "images"
            folder.mkdir(parents=True, exist_ok=True)
            src = f"{Path(name).name}.png"
            PILImage.new("RGB", (rng.randint(10, 60), 20), "gray").save(folder / src)
            image = f"images:\n  - caption: A photo\n    src: images/{src}\n"
        front = (f'title: "{title or self.text()}"\ndate: {day}\noutlet: {rng.choice(OUTLETS)}\n'
                 f"topics: [{', '.join(topics)}]\n{image}")
        self.site.article(name, front, "\n\n".join(self.text() for _ in range(rng.randint(1, 4))) + "\n")

    def add(self) -> str:
        self.serial += 1
        name = f"20{self.rng.randint(15, 17)}/story-{self.serial}"
        self.names.append(name)
        self.write(name)
        return f"add {name}"

    def path(self, name: str) -> Path:
        return self.site.content / "articles" / f"{name}.md"

    def step(self) -> str:
        rng, names = self.rng, self.names
        kind = rng.choice(["edit", "edit", "retitle", "rewrite", "add", "add", "delete", "rename",
                           "image", "template", "setting", "noop"])
        name = rng.choice(names)
        path = self.path(name)
        if kind == "edit":
            path.write_text(path.read_text(encoding="utf-8") + "\n" + self.text() + "\n", encoding="utf-8")
        elif kind == "retitle":
            lines = path.read_text(encoding="utf-8").split("\n")
            lines[1] = f'title: "{self.text()}"'
            path.write_text("\n".join(lines), encoding="utf-8")
        elif kind == "rewrite":  # new date, topics, outlet: moves it in every listing
            self.write(name)
        elif kind == "add":
            return self.add()
        elif kind == "delete" and len(names) > 5:
            path.unlink()
            names.remove(name)
        elif kind == "rename":
            self.serial += 1
            new = f"{Path(name).parent}/renamed-{self.serial}"
            path.rename(self.path(new))
            names[names.index(name)] = new
        elif kind == "image":
            images = sorted((self.site.content / "articles").rglob("*.png"))
            if images:
                PILImage.new("RGB", (rng.randint(61, 90), 30), "red").save(rng.choice(images))
        elif kind == "template":
            base = self.site.root / "templates" / "base.html"
            base.write_text(base.read_text(encoding="utf-8") + f"\n<!-- step {rng.random()} -->\n", encoding="utf-8")
        elif kind == "setting":
            self.site.config(f"per_page = {rng.randint(2, 5)}\nrelated_count = {rng.randint(1, 4)}\n")
        return f"{kind} {name}"


def configs(site: Site, tmp_path: Path) -> tuple[Config, Config]:
    config = load_config(site.root / "config.toml")
    warm = replace(config, cache_dir=site.root / ".cache")
    cold = replace(config, cache_dir=None, output_dir=tmp_path / "cold")
    return warm, cold


def built(site: Site, tmp_path: Path, seed: int, articles: int) -> tuple[Archive, Config, Config]:
    """A random archive of `articles`, three a page, built once with a cache; (archive, the
    warm config, a cold one)."""
    site.config("per_page = 3\n")
    archive = Archive(site, seed)
    for _ in range(articles):
        archive.add()
    warm, cold = configs(site, tmp_path)
    build(warm)
    return archive, warm, cold


@pytest.mark.parametrize("seed", [1, 2])
def test_random_changes_match_a_cold_build(site: Site, tmp_path, seed):
    site.config("per_page = 3\n")
    archive = Archive(site, seed)
    for _ in range(30):
        archive.add()
    warm, _ = configs(site, tmp_path)
    build(warm)
    history = []
    for _ in range(14):
        history.append(archive.step())
        warm, cold = configs(site, tmp_path)
        build(warm)
        shutil.rmtree(cold.output_dir, ignore_errors=True)
        build(cold)
        assert tree(site.output) == tree(Path(cold.output_dir)), f"after {history}"


def test_no_op_rebuild_writes_nothing_and_keeps_output(site: Site, tmp_path):
    _, warm, _ = built(site, tmp_path, 3, 12)
    build(warm)  # the second build creates the spare tree
    inode = site.output.stat().st_ino
    stamps = {p: p.stat().st_mtime_ns for p in site.output.rglob("*") if p.is_file()}
    result = build(warm)
    assert result.changed == 0
    assert site.output.stat().st_ino == inode  # not even swapped
    assert {p: p.stat().st_mtime_ns for p in site.output.rglob("*") if p.is_file()} == stamps


def test_a_settled_image_is_kept_unread_and_copied_again_once_replaced(site: Site, tmp_path):
    """An image whose source is the one the last build copied (same size, dates and inode,
    older than a clock tick) is kept without being read; replaced, it is copied again,
    even when its new file carries an old date."""
    photo = site.content / "articles" / "images" / "photo.png"
    photo.parent.mkdir(parents=True, exist_ok=True)

    def save(colour: str) -> None:
        PILImage.new("RGB", (40, 20), colour).save(photo)
        os.utime(photo, (time.time() - 3600,) * 2)

    save("gray")
    story = site.article("story", "title: Story\ndate: 2020-01-02\noutlet: Example Times\ntopics: [Energy]\n"
                         "images:\n  - caption: A photo\n    src: images/photo.png\n", "A body.\n")
    warm, cold = configs(site, tmp_path)
    build(warm)
    published = next(site.output.rglob("photo.png"))
    stamp = published.stat().st_mtime_ns
    story.write_text(story.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    build(warm)
    assert published.stat().st_mtime_ns == stamp
    save("red")
    build(warm)
    assert published.read_bytes() == photo.read_bytes()
    build(cold)
    assert tree(site.output) == tree(Path(cold.output_dir))


def test_editing_one_body_rewrites_only_the_pages_that_show_it(site: Site, tmp_path):
    archive, warm, _ = built(site, tmp_path, 4, 20)
    name = archive.names[7]
    path = archive.path(name)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\nA new closing paragraph.\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in site.output.rglob("*.html")}
    result = build(warm)
    changed = {p.relative_to(site.output).as_posix() for p in site.output.rglob("*.html")
               if before.get(p) != p.read_bytes()}
    slug = Path(name).name
    assert any(slug in rel for rel in changed)
    # The body is on its own page only: listings show the summary (first paragraph).
    assert all(slug in rel or rel.startswith("search") for rel in changed), changed
    assert result.changed <= len(changed) + 40  # + search bundle files


def test_an_older_article_leaves_the_newer_pages_of_its_topic_as_they_were(site: Site, tmp_path):
    """Only a listing's first page shows how many articles it has: an article older than
    the rest of its topic changes that page and the last one, not the pages between (their
    bytes and times stay), and the site is a cold build's."""
    _, warm, cold = built(site, tmp_path, 5, 24)
    counts = {}
    for folder in sorted((site.output / "topics").iterdir()):
        first = folder / "index.html"
        if first.is_file():
            counts[folder.name] = int(re.search(r"(\d+) articles?</p>", first.read_text(encoding="utf-8"))[1])
    # A topic of three pages or more, whose number of pages one more article does not change.
    name = next(name for name in TOPICS if counts.get(name.lower(), 0) >= 7 and counts[name.lower()] % 3)
    slug = name.lower()
    middle = site.output / "topics" / slug / "page" / "2" / "index.html"
    first = site.output / "topics" / slug / "index.html"
    before = (middle.read_bytes(), middle.stat().st_mtime_ns, first.read_bytes())
    site.article("2014/oldest", f'title: "The oldest"\ndate: 2014-01-01\noutlet: {OUTLETS[0]}\ntopics: [{name}]\n')
    build(warm)
    assert (middle.read_bytes(), middle.stat().st_mtime_ns) == before[:2]
    assert first.read_bytes() != before[2]  # its count
    assert f"{counts[slug] + 1} articles</p>" in first.read_text(encoding="utf-8")
    assert "articles</p>" not in middle.read_text(encoding="utf-8")
    build(cold)
    assert tree(site.output) == tree(cold.output_dir)


def test_an_older_article_leaves_the_newer_pages_of_its_year_and_its_other_months_as_they_were(site: Site, tmp_path):
    """Only the first page of a year or month counts its articles (later ones hold a
    YearHead or MonthHead): an article older than the rest of its year changes the year's
    first and last pages and its month's, not the year's pages between nor the other
    months' pages (bytes and times), and the site is a cold build's."""
    _, warm, cold = built(site, tmp_path, 5, 24)
    archive = site.output / "archive"
    counts = {int(folder.name): int(re.search(r"(\d+) articles?</p>", (folder / "index.html").read_text(encoding="utf-8"))[1])
              for folder in archive.iterdir() if folder.name.isdigit()}
    # A year of three pages or more, whose number of pages one more article does not change.
    year = next(year for year, count in sorted(counts.items()) if count >= 7 and count % 3)
    middle = archive / str(year) / "page" / "2" / "index.html"
    others = sorted(p for month in ("02", "03") for p in (archive / str(year) / month).rglob("index.html"))
    assert others
    kept = [middle, *others]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in kept}
    first = (archive / str(year) / "index.html").read_bytes()
    site.article(f"{year}/oldest", f'title: "The oldest"\ndate: {year}-01-01\noutlet: {OUTLETS[0]}\ntopics: [Water]\n')
    build(warm)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in kept} == before
    now = (archive / str(year) / "index.html").read_text(encoding="utf-8")
    assert now.encode() != first and f"{counts[year] + 1} articles</p>" in now
    assert "articles</p>" not in middle.read_text(encoding="utf-8")
    build(cold)
    assert tree(site.output) == tree(cold.output_dir)


@pytest.mark.parametrize("template", ["term.html", "year.html", "month.html"])
def test_a_template_counting_a_listing_on_its_later_pages_fails_the_build(site: Site, tmp_path, template):
    """A later page of a topic, outlet, year or month has no list to count (ListingHead,
    YearHead, MonthHead): a template that counts it there is told so, with its name, rather
    than keeping a count that would go stale."""
    site.config("per_page = 2\n")
    archive = Archive(site, 5)
    for _ in range(24):
        archive.add()
    term = site.root / "templates" / template
    term.write_text(term.read_text(encoding="utf-8").replace(
        "{% if pager.number == 1 %}\n  <p class=\"page-header__count\">", "{% if true %}\n  <p class=\"page-header__count\">"),
        encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        build(configs(site, tmp_path)[1])
    [error] = caught.value.errors
    assert error.path.endswith(template)
    assert "articles" in error.message


def test_failed_build_after_incremental_ones_leaves_output_untouched(site: Site, tmp_path):
    archive = Archive(site, 5)
    for _ in range(8):
        archive.add()
    warm, cold = configs(site, tmp_path)
    build(warm)
    archive.step()
    build(warm)
    before = tree(site.output)
    bad = archive.path(archive.names[0])
    bad.write_text(bad.read_text(encoding="utf-8").replace("date:", "date: 2020-02-30\nx:"), encoding="utf-8")
    with pytest.raises(BuildError):
        build(warm)
    assert tree(site.output) == before
    bad.unlink()
    archive.names.pop(0)
    build(warm)
    shutil.rmtree(cold.output_dir, ignore_errors=True)
    build(cold)
    assert tree(site.output) == tree(Path(cold.output_dir))


def _walked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The addresses of the pages whose context is walked for a fingerprint from now on."""
    from newsarchive.render.fingerprint import Fingerprints

    walked: list[str] = []
    original = Fingerprints.of

    def spying(self, job):  # type: ignore[no-untyped-def]
        walked.append(job.url)
        return original(self, job)

    monkeypatch.setattr(Fingerprints, "of", spying)
    return walked


def test_an_edit_that_keeps_the_structure_walks_only_the_pages_showing_it(site: Site, tmp_path, monkeypatch):
    """Which articles every listing and related list holds is unchanged by a body edit: only
    the pages that show the edited article are looked at. An addition looks at every
    listing page, but only at the article pages whose related list it changed."""
    archive, warm, cold = built(site, tmp_path, 6, 20)
    walked = _walked(monkeypatch)
    name = archive.names[7]
    path = archive.path(name)
    path.write_text(path.read_text(encoding="utf-8") + "\nA new closing paragraph.\n", encoding="utf-8")
    build(warm)
    pages = [p for p in site.output.rglob("index.html")]
    assert any(Path(name).name in url for url in walked)
    assert 0 < len(walked) < len(pages) / 2, walked
    build(cold)
    assert tree(site.output) == tree(Path(cold.output_dir))
    walked.clear()
    before = tree(site.output)
    archive.add()
    build(warm)
    after = tree(site.output)
    # Article pages looked at: exactly the new one and those whose related list changed.
    article = re.compile(r"^20\d\d/\d\d/[^/]+/index\.html$")
    looked = {url.strip("/") + "/index.html" for url in walked}
    assert {rel for rel in looked if article.match(rel)} == {
        rel for rel in after if article.match(rel) and before.get(rel) != after[rel]}
    assert len({rel for rel in looked if article.match(rel)}) < len(archive.names)
    assert len(walked) < len(pages), walked
    build(cold)
    assert tree(site.output) == tree(Path(cold.output_dir))


def test_an_edit_a_failed_build_read_is_still_rendered_by_the_next_one(site: Site, tmp_path):
    """The failed build keeps the edited article in the cache but writes no page: the next
    build compares article keys with the last *successful* build's, not with the cache."""
    archive = Archive(site, 8)
    for _ in range(10):
        archive.add()
    warm, cold = configs(site, tmp_path)
    build(warm)
    edited, broken = archive.path(archive.names[2]), archive.path(archive.names[5])
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA sentence seen by a failed build.\n", encoding="utf-8")
    good = broken.read_text(encoding="utf-8")
    broken.write_text(good.replace("date:", "date: 2020-02-30\nx:"), encoding="utf-8")
    with pytest.raises(BuildError):
        build(warm)
    broken.write_text(good, encoding="utf-8")
    build(warm)
    assert any("A sentence seen by a failed build." in p.read_text(encoding="utf-8")
               for p in site.output.rglob("index.html"))
    build(cold)
    assert tree(site.output) == tree(Path(cold.output_dir))


def test_an_addition_and_a_removal_bring_the_last_index_up_to_date(site: Site, tmp_path, monkeypatch):
    """A build that adds, removes or re-dates a few articles does not make the index
    afresh (site.delta): build_index is not called, and the site is a cold build's."""
    from newsarchive import pipeline

    archive, warm, cold = built(site, tmp_path, 13, 20)

    def warm_build() -> None:
        with monkeypatch.context() as patch:
            patch.setattr(pipeline, "build_index", lambda *a, **k: pytest.fail("the index was made afresh"))
            build(warm)

    archive.add()
    warm_build()
    build(cold)
    assert tree(site.output) == tree(Path(cold.output_dir))
    archive.path(archive.names.pop(3)).unlink()
    archive.write(archive.names[5])  # another date, outlet and topics
    warm_build()
    shutil.rmtree(cold.output_dir)
    build(cold)
    assert tree(site.output) == tree(Path(cold.output_dir))


def test_an_index_a_failed_build_saved_is_not_compared_with(site: Site, tmp_path, monkeypatch):
    """A build that fails at the last step has already kept its new index in the cache. The
    next build must not take that index for the one the pages in output/ were made from:
    related lists the failed build changed would look unchanged."""
    archive, warm, cold = built(site, tmp_path, 11, 16)
    for name in archive.names[2:6]:  # other topics, same dates: other related lists
        path = archive.path(name)
        path.write_text(re.sub(r"topics: \[.*\]", f"topics: [{TOPICS[5]}]", path.read_text(encoding="utf-8")),
                        encoding="utf-8")

    def full_disk(self):  # type: ignore[no-untyped-def]
        raise OutputError("No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(StagedOutput, "commit", full_disk)
        with pytest.raises(OutputError):
            build(warm)
    build(warm)
    build(cold)
    assert tree(site.output) == tree(Path(cold.output_dir))


def test_registry_and_static_page_changes_match_a_cold_build(site: Site, tmp_path):
    """What pages show besides articles: a topic's description and registered name, a static
    page (in every page's navigation)."""
    archive = Archive(site, 9)
    for _ in range(12):
        archive.add()

    def registry(description: str, name: str = "Energy") -> None:
        entries = [(topic, f"About {topic}.") for topic in TOPICS if topic != "Energy"]
        entries.append((name, description))
        site.write("content/topics.toml", "".join(
            f'[[topic]]\nname = "{topic}"\ndescription = "{text}"\naliases = ["Energy"]\n\n' if topic == name != "Energy"
            else f'[[topic]]\nname = "{topic}"\ndescription = "{text}"\n\n' for topic, text in entries))

    steps = [
        lambda: registry("Oil, gas and power."),
        lambda: registry("Oil, gas, power and the grid."),
        lambda: registry("Oil, gas, power and the grid.", name="Energy policy"),
        lambda: site.write("content/pages/about.md", "---\ntitle: About\n---\n\nWho we are.\n"),
        lambda: site.write("content/pages/about.md", "---\ntitle: About us\n---\n\nWho we are, and why.\n"),
    ]
    warm, cold = configs(site, tmp_path)
    build(warm)
    for number, step in enumerate(steps):
        step()
        build(warm)
        shutil.rmtree(cold.output_dir, ignore_errors=True)
        build(cold)
        assert tree(site.output) == tree(Path(cold.output_dir)), f"after step {number}"
