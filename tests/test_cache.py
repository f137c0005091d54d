"""The build cache: reused only when every input matches, ignored when anything differs.

Each test builds once to fill the cache, changes one ingredient of the cache's key, builds
again with the cache, and compares the result with a cold build (no cache) of the same
input, byte for byte.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image as PILImage

from conftest import Site
from newsarchive import cache as cache_module
from newsarchive.commands.build import build
from newsarchive.config import Config, load_config
from newsarchive.content import article as article_module
from newsarchive.content import store as store_module
from newsarchive.content.load import load_content, renderer_for
from newsarchive.errors import BuildError
from sitecheck import tree


def fill(site: Site, count: int = 6) -> None:
    for n in range(count):
        site.article(f"2020/0{1 + n % 3}/story-{n}", f"""
            title: "Story {n}: 'quoted' -- dashes"
            date: 2020-0{1 + n % 3}-1{n}T23:30:00+00:00
            outlet: Outlet {n % 2}
            topics: [Topic {n % 3}, Common]
            images:
              - caption: Picture {n}
                src: images/p{n}.png
            """, f"Story {n} says \"hello\" -- and more.\n\nSecond paragraph of {n}.\n")
        folder = site.content / f"articles/2020/0{1 + n % 3}/images"
        folder.mkdir(parents=True, exist_ok=True)
        PILImage.new("RGB", (40 + n, 30), "gray").save(folder / f"p{n}.png")


def config_of(site: Site, cache: bool = True, **changes: object) -> Config:
    config = load_config(site.root / "config.toml")
    return replace(config, cache_dir=(site.root / ".cache") if cache else None, **changes)


def cold(site: Site, config: Config, tmp: Path) -> dict[str, bytes]:
    """The output of the same input built from nothing, elsewhere."""
    out = tmp / "cold-output"
    shutil.rmtree(out, ignore_errors=True)
    build(replace(config, cache_dir=None, output_dir=out))
    return tree(out)


def warm(site: Site, config: Config) -> dict[str, bytes]:
    build(config)
    return tree(site.output)


@pytest.fixture
def filled(site: Site) -> Site:
    fill(site)
    build(config_of(site))
    return site


def test_warm_build_reuses_every_article(filled: Site, monkeypatch):
    """Nothing changed: not one article is parsed again, and the output is the same."""
    config = config_of(filled)
    before = tree(filled.output)

    def refuse(*args, **kwargs):
        raise AssertionError("read_article called for an unchanged file")

    monkeypatch.setattr("newsarchive.content.load.read_article", refuse)
    assert len(load_content(config).articles) == 6
    assert warm(filled, config) == before


def test_a_store_saved_beside_the_build_is_there_for_the_next(site: Site, monkeypatch):
    """Many articles read afresh: a forked child saves the store while the build goes on;
    the next build parses none of them again."""
    from newsarchive import parallel
    from newsarchive.content import load

    fill(site)
    monkeypatch.setattr(load, "_SAVE_BESIDE_FROM", 2)
    monkeypatch.setattr(parallel, "cpu_count", lambda: 2)
    saves: list[object] = []
    background = parallel.Background.__init__

    def spying(self, fn, *args):  # type: ignore[no-untyped-def]
        saves.extend([fn] if fn is load._save else [])
        background(self, fn, *args)

    monkeypatch.setattr(parallel.Background, "__init__", spying)
    config = config_of(site)
    build(config)
    assert saves == [load._save]

    def refuse(*args, **kwargs):
        raise AssertionError("read_article called for an unchanged file")

    monkeypatch.setattr("newsarchive.content.load.read_article", refuse)
    assert len(load_content(config).articles) == 6


def test_relative_folders_reuse_the_articles_of_absolute_ones(filled: Site, monkeypatch):
    """`--content content` from the site's folder names the same content as its absolute
    path: an edit there reads the edited file only, not every article again."""
    _append(filled, 0, "An edit.")
    read = []
    original = article_module.read_article

    def counting(rel, *args, **kwargs):
        read.append(rel)
        return original(rel, *args, **kwargs)

    monkeypatch.setattr("newsarchive.content.load.read_article", counting)
    monkeypatch.chdir(filled.root)
    relative = replace(config_of(filled), content_dir=Path("content"), cache_dir=Path(".cache"))
    assert len(load_content(relative).articles) == 6
    assert read == ["articles/2020/01/story-0.md"]


def test_edited_file_is_read_again(filled: Site, tmp_path):
    path = filled.content / "articles/2020/01/story-0.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Story 0 says", "Story zero says"), encoding="utf-8")
    config = config_of(filled)
    out = warm(filled, config)
    assert out == cold(filled, config, tmp_path)
    assert b"Story zero says" in out["2020/01/story-0/index.html"]


def test_same_size_edit_within_the_same_second_is_seen(filled: Site, tmp_path):
    """Two edits that keep size and (nearly) the time: the bytes decide, not the stat."""
    path = filled.content / "articles/2020/01/story-0.md"
    text = path.read_text(encoding="utf-8")
    for word in ("Second", "Sec0nd"):
        path.write_text(text.replace("Second", word), encoding="utf-8")
        out = warm(filled, config_of(filled))
    assert b"Sec0nd paragraph" in out["2020/01/story-0/index.html"]
    assert out == cold(filled, config_of(filled), tmp_path)


def test_changed_image_is_measured_again(filled: Site, tmp_path):
    PILImage.new("RGB", (400, 300), "red").save(filled.content / "articles/2020/01/images/p0.png")
    config = config_of(filled)
    out = warm(filled, config)
    assert b'width="400" height="300"' in out["2020/01/story-0/index.html"]
    assert out == cold(filled, config, tmp_path)


@pytest.mark.parametrize("setting, value", [("smarty", True), ("timezone", "Asia/Tehran"), ("max_topics", 1),
                                            ("base_url", "https://other.example/sub/")])
def test_settings_read_article_uses_invalidate(filled: Site, tmp_path, setting, value):
    config = config_of(filled, **{setting: value})
    if setting == "max_topics":  # now every article has too many: both builds fail alike
        with pytest.raises(BuildError) as warm_failure:
            build(config)
        with pytest.raises(BuildError) as cold_failure:
            build(replace(config, cache_dir=None))
        assert warm_failure.value.errors == cold_failure.value.errors != []
        return
    assert warm(filled, config) == cold(filled, config, tmp_path)


def test_other_settings_do_not_change_what_read_article_returns(filled: Site):
    """The cache key holds only CONFIG_FIELDS: prove read_article reads nothing else."""
    config = config_of(filled, cache=False)
    text = (filled.content / "articles/2020/01/story-0.md").read_text(encoding="utf-8")
    renderer = renderer_for(config)
    base, _ = article_module.read_article("articles/2020/01/story-0.md", text, config, renderer)
    others = replace(config, title="Other", description="Else", language="fr", id_authority="other.example",
                     per_page=3, related_count=1, feed_length=2, drafts=True, future=True,
                     output_dir=filled.root / "elsewhere", templates_dir=filled.root / "t",
                     static_dir=filled.root / "s", cache_dir=filled.root / "c")
    again, _ = article_module.read_article("articles/2020/01/story-0.md", text, others, renderer)
    assert again == base


@pytest.mark.parametrize("ingredient", ["generator", "markdown"])
def test_code_and_library_versions_invalidate(filled: Site, tmp_path, monkeypatch, ingredient):
    """A new generator or Python-Markdown version: nothing cached is reused."""
    if ingredient == "generator":
        monkeypatch.setattr(store_module.cache, "generator_digest", lambda: "another version")
    else:
        real = store_module._versions
        monkeypatch.setattr(store_module, "_versions",
                            lambda: tuple((n, "99.0" if n == "Markdown" else v) for n, v in real()))
    calls = []
    original = store_module.make_entry

    def counting(*args, **kwargs):
        calls.append(args[2])
        return original(*args, **kwargs)

    monkeypatch.setattr("newsarchive.content.load.make_entry", counting)
    config = config_of(filled)
    assert warm(filled, config) == cold(filled, config, tmp_path)
    assert len(calls) == 6  # every article read again


@pytest.mark.parametrize("damage", ["garbage", "truncated", "body deleted", "body truncated"])
def test_damaged_cache_is_ignored(filled: Site, tmp_path, damage):
    cache = filled.root / ".cache"
    index = cache / "articles.pickle"
    bodies = sorted((cache / "bodies").rglob("*.pack"))
    assert bodies
    if damage == "garbage":
        index.write_bytes(b"not a pickle at all")
    elif damage == "truncated":
        index.write_bytes(index.read_bytes()[:100])
    elif damage == "body deleted":
        for body in bodies:
            body.unlink()
    else:
        bodies[0].write_text("<p>tampered</p>", encoding="utf-8")
    config = config_of(filled)
    assert warm(filled, config) == cold(filled, config, tmp_path)


def test_renamed_file_and_deleted_file(filled: Site, tmp_path):
    src = filled.content / "articles/2020/01/story-0.md"
    src.rename(src.with_name("story-renamed.md"))
    (filled.content / "articles/2020/02/story-1.md").unlink()
    config = config_of(filled)
    out = warm(filled, config)
    assert "2020/01/story-renamed/index.html" in out and "2020/02/story-1/index.html" not in out
    assert out == cold(filled, config, tmp_path)


def test_packs_of_bodies_nobody_uses_are_deleted_from_the_cache(filled: Site):
    bodies = filled.root / ".cache" / "bodies"
    assert len(list(bodies.rglob("*.pack"))) == 1  # the six articles were read together
    path = next(filled.content.rglob("story-0.md"))
    for n in range(4):
        path.write_text(path.read_text(encoding="utf-8") + f"\nMore {n}.\n", encoding="utf-8")
        build(config_of(filled))
    build(config_of(filled))
    # The first pack still holds five articles' bodies, the last edit's pack the sixth;
    # the packs of the edits between went (one build after they fell out of use).
    assert len(list(bodies.rglob("*.pack"))) == 2
    for other in filled.content.rglob("story-*.md"):
        if other != path:
            other.unlink()
    build(config_of(filled))
    build(config_of(filled))
    assert len(list(bodies.rglob("*.pack"))) == 1


def test_unwritable_cache_folder_still_builds(site: Site, tmp_path):
    fill(site, 2)
    blocker = site.root / "not-a-folder"
    blocker.write_text("a file where the cache folder would go", encoding="utf-8")
    config = replace(config_of(site), cache_dir=blocker / "cache")
    build(config)
    assert tree(site.output) == cold(site, config, tmp_path)


def test_cache_option_on_the_command_line(site: Site):
    fill(site, 2)
    site.build("--cache", str(site.root / "my-cache"))
    assert (site.root / "my-cache" / "articles.pickle").is_file()
    assert not (site.root / ".cache").exists()


def _append(site: Site, n: int, text: str) -> None:
    path = next(site.content.rglob(f"story-{n}.md"))
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_an_edit_writes_only_the_recent_entries(filled: Site, tmp_path):
    """One article changed: the store's whole file stays, the recent file holds the change."""
    cache = filled.root / ".cache"
    whole = (cache / "articles.pickle").stat().st_mtime_ns
    _append(filled, 1, "\nA correction.\n")
    config = config_of(filled)
    assert warm(filled, config) == cold(filled, config, tmp_path)
    assert (cache / "articles.pickle").stat().st_mtime_ns == whole
    recent = store_module.ArticleStore.open(config)
    assert recent is not None and list(recent.recent) == ["articles/2020/02/story-1.md"]
    _append(filled, 2, "\nAnother.\n")
    assert warm(filled, config) == cold(filled, config, tmp_path)  # recent applied, then added to


def test_damaged_or_stale_recent_file_is_ignored(filled: Site, tmp_path):
    cache = filled.root / ".cache"
    config = config_of(filled)
    recent = cache / "articles-recent.pickle"
    store = store_module.ArticleStore.open(config)
    assert store is not None
    # Left from before the whole file was written again: another generation, not applied.
    cache_module.save(recent, store.key, {"generation": store.generation + 1, "trash": [],
                                          "entries": {"articles/2020/02/story-1.md": None}})
    reopened = store_module.ArticleStore.open(config)
    assert reopened is not None and "articles/2020/02/story-1.md" in reopened.entries
    recent.write_bytes(b"\x80garbage")
    _append(filled, 1, "\nA correction.\n")
    assert warm(filled, config) == cold(filled, config, tmp_path)


def test_the_store_loads_a_part_at_a_time_as_it_loads_whole(filled: Site, monkeypatch):
    """OpeningStore.step loads one part of the whole file; the parts make the store that
    opening it at once makes, with one object per term again; a damaged part is as no store."""
    monkeypatch.setattr(store_module, "_RECENT_MIN", 0)
    monkeypatch.setattr(store_module, "_PART", 2)
    config = config_of(filled)
    _append(filled, 1, "\nA correction.\n")
    build(config)  # the whole file written again, in parts of two entries
    whole = store_module.ArticleStore.open(config)
    assert whole is not None and len(whole.entries) == 6
    opening = store_module.OpeningStore.start(config)
    assert opening is not None
    steps = 0
    while opening.step():
        steps += 1
        assert len(opening.store.entries) == 2 * steps
    store = opening.finish()
    assert opening.store.entries == {}  # handed on, not held for the rest of the build
    assert steps == 2 and list(store.entries) == list(whole.entries) and store.generation == whole.generation
    assert {rel: (e.digest, e.article) for rel, e in store.entries.items()} == {
        rel: (e.digest, e.article) for rel, e in whole.entries.items()}
    terms = {id(term) for term in store._terms}
    assert all(id(e.article.outlet) in terms and all(id(t) in terms for t in e.article.topics)
               for e in store.entries.values())

    data = (filled.root / ".cache" / "articles.pickle").read_bytes()
    (filled.root / ".cache" / "articles.pickle").write_bytes(data[:-10])  # the last part cut short
    opening = store_module.OpeningStore.start(config)
    assert opening is not None and opening.step() and opening.step() and not opening.step()
    damaged = opening.finish()
    assert damaged.entries == {} and damaged.generation == 0
    _append(filled, 2, "\nAnother.\n")
    assert warm(filled, config) == cold(filled, config, filled.root.parent / "cold")


def test_recent_entries_fold_into_the_whole_file(filled: Site, monkeypatch):
    monkeypatch.setattr(store_module, "_RECENT_MIN", 2)
    config = config_of(filled)
    for n in range(4):
        _append(filled, n, f"\nEdit {n}.\n")
        build(config)
    store = store_module.ArticleStore.open(config)
    assert store is not None and len(store.recent) <= 2  # folded at least once
    assert len(store.entries) == 6 and store.generation > 1


def test_installed_versions_are_what_importlib_metadata_says():
    """The cache keys name library versions without importing importlib.metadata."""
    import importlib.metadata

    from newsarchive import cache as cache_module
    for name in ("Markdown", "PyYAML", "python-frontmatter", "Pillow", "tzdata", "Jinja2", "MarkupSafe", "Babel"):
        assert cache_module.installed_version(name) == importlib.metadata.version(name)
    assert cache_module.installed_version("no-such-distribution-here") == ""


@pytest.mark.parametrize("rel", ["articles/2020/05/a.md", "a.md", "x/y/z/b.md"])
@pytest.mark.parametrize("src", ["images/a.png", "a.png", "./a.png", "images//a.png", "images/./a.png",
                                 "images/", "images/.", "a/b/c.jpg", ".", "images/.hidden.png"])
def test_image_paths_in_entries_are_joined_as_paths_join_them(rel, src):
    # An image's entry is named as PurePosixPath joins it; the shortcut must agree on every src
    # read_article lets through (relative, no '..').
    from pathlib import PurePosixPath
    expected = (PurePosixPath(rel).parent / src).as_posix()
    assert store_module._joined(rel.rpartition("/")[0], src) == expected
