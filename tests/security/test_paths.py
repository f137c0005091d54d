"""Paths from content never leave their place, and nothing is written outside output/."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from newsarchive.content.article import unsafe_relative_path
from newsarchive.output import OutputError, StagedOutput
from tests.conftest import BASIC_ARTICLE

BAD_PATHS = [
    "../secret.jpg", "images/../../secret.jpg", "/etc/passwd", "images\\photo.jpg", "..\\..\\x.jpg",
    "images/photo.jpg\x00.png", "%2e%2e/secret.jpg", "images/%2E%2E/%2e%2e/x.jpg", "..%2fsecret.jpg",
    "file:///etc/passwd", "https://evil.example/x.jpg", "//evil.example/x.jpg", "C:\\x.jpg", "C:/x.jpg",
]


@pytest.mark.parametrize("value", BAD_PATHS)
def test_unsafe_relative_paths_are_named(value):
    assert unsafe_relative_path(value)


@pytest.mark.parametrize("value", ["images/photo.jpg", "photo.jpg", "a/b/c.png", "photo..jpg"])
def test_ordinary_relative_paths_pass(value):
    assert unsafe_relative_path(value) == ""


@pytest.mark.parametrize("value", BAD_PATHS)
def test_image_src_that_leaves_its_folder_is_an_error(site, value):
    (site.root / "secret.jpg").write_bytes(b"secret")
    site.article("a", BASIC_ARTICLE + f"images:\n  - caption: C\n    src: {json.dumps(value)}\n")
    result = site.run()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "articles/a.md:8: images.0.src:" in result.stderr, result.stderr
    assert not site.output.exists()


@pytest.mark.parametrize("value", ["../up", "a/b", "/abs", "a\\b", "%2e%2e", "a\x00b", "..", ".", "a b", "UPPER/.."])
def test_slug_that_is_not_a_plain_name_is_an_error(site, value):
    site.article("a", BASIC_ARTICLE + f"slug: {json.dumps(value)}\n")
    result = site.run()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "articles/a.md:6: slug:" in result.stderr
    assert not site.output.exists()


def test_page_slug_is_checked_too(site):
    site.write("content/pages/p.md", '---\ntitle: P\nslug: "../../etc"\n---\nx\n')
    result = site.run()
    assert result.returncode == 1 and "pages/p.md:3: slug:" in result.stderr, result.stderr


@pytest.mark.parametrize("name", ["..%2f..%2fx.md", "%2e%2e.md", "a\\..\\b.md", "..md", "...md", " .md", "-.md"])
def test_odd_file_names_stay_inside_output(site, name):
    path = site.content / "articles" / name
    path.write_text("---\n" + BASIC_ARTICLE.strip() + "\n---\nx\n", encoding="utf-8")
    before = snapshot(site.root.parent)
    result = site.run()
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert_only_output_changed(site, before)


def snapshot(root: Path) -> set[Path]:
    return {Path(d) / n for d, _dirs, files in os.walk(root) for n in files}


def assert_only_output_changed(site, before: set[Path]) -> None:
    """Every file the build added lies under output/, the build cache (.cache/ beside the
    config) or the spare copy of the previous output beside output/ (and the lock file)."""
    allowed = [site.output.resolve(), (site.root / ".cache").resolve(),
               (site.output.parent / f".spare-{site.output.name}").resolve()]
    for path in snapshot(site.root.parent) - before:
        if path.name == f".{site.output.name}.lock":
            continue
        assert any(path.resolve().is_relative_to(folder) for folder in allowed), f"written outside output/: {path}"


def test_symlinked_article_outside_content_is_refused(site, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("---\n" + BASIC_ARTICLE.strip() + "\n---\nsecret\n", encoding="utf-8")
    (site.content / "articles" / "link.md").symlink_to(outside)
    result = site.run()
    assert result.returncode == 1
    assert "articles/link.md:1: is a link to a file outside the content folder" in result.stderr


def test_symlinked_folder_outside_content_is_refused(site, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.md").write_text("---\n" + BASIC_ARTICLE.strip() + "\n---\nsecret\n", encoding="utf-8")
    (site.content / "articles" / "linked").symlink_to(tmp_path / "elsewhere")
    result = site.run()
    assert result.returncode == 1
    assert "articles/linked:1: is a link to a folder outside the content folder" in result.stderr


def test_symlink_loop_in_content_is_an_error_not_a_hang(site):
    site.article("a", BASIC_ARTICLE)
    (site.content / "articles" / "loop").symlink_to(".")
    result = site.run()
    assert result.returncode == 1
    assert "articles/loop:1: is a link to articles/, which is already read" in result.stderr
    assert result.stderr.count("\n") == 2


def test_symlinked_image_outside_content_is_refused(site, tmp_path):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"private")
    (site.content / "articles" / "images").mkdir()
    (site.content / "articles" / "images" / "p.jpg").symlink_to(secret)
    site.article("a", BASIC_ARTICLE + "images:\n  - caption: C\n    src: images/p.jpg\n")
    result = site.run()
    assert result.returncode == 1
    assert "articles/a.md:8: images.0.src: 'images/p.jpg' is a link to a file outside the content folder" in result.stderr


def test_symlinks_inside_content_are_followed(site):
    (site.content / "shared").mkdir()
    (site.content / "shared" / "p.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (site.content / "articles" / "p.png").symlink_to(site.content / "shared" / "p.png")
    site.article("a", BASIC_ARTICLE + "images:\n  - caption: C\n    src: p.png\n")
    site.build()
    assert (site.output / "2020" / "01" / "a" / "p.png").read_bytes() == b"\x89PNG\r\n\x1a\n"


def test_image_containment_matches_resolving_the_whole_path(tmp_path):
    """_inside (folders' real paths looked up once per build) says what Path.resolve says,
    for links at every level: the file, its folder, the article's folder, the content root."""
    from newsarchive.config import Config
    from newsarchive.content.article import _inside

    outside = tmp_path / "outside"
    (outside / "pics").mkdir(parents=True)
    (outside / "x.png").write_bytes(b"x")
    real_root = tmp_path / "real"
    (real_root / "articles" / "2020" / "images").mkdir(parents=True)
    (real_root / "articles" / "2020" / "images" / "p.png").write_bytes(b"p")
    (real_root / "articles" / "2020" / "images" / "out.png").symlink_to(outside / "x.png")
    (real_root / "articles" / "2020" / "images" / "in.png").symlink_to(real_root / "articles" / "2020" / "images" / "p.png")
    (real_root / "articles" / "2020" / "pics").symlink_to(outside / "pics")
    (real_root / "articles" / "2020" / "same").symlink_to(real_root / "articles" / "2020" / "images")
    (real_root / "articles" / "2021").symlink_to(real_root / "articles" / "2020")
    (real_root / "articles" / "away").symlink_to(outside)
    (tmp_path / "root-link").symlink_to(real_root)
    sources = ["images/p.png", "images/out.png", "images/in.png", "pics/x.png", "same/p.png", "missing/q.png",
               "images/missing.png", "x.png", "images//p.png", "./images/p.png"]
    for root in (real_root, tmp_path / "root-link"):
        config = Config()
        for folder in ("articles/2020", "articles/2021", "articles/away", "articles"):
            for src in sources:
                expected = (root / folder / src).resolve().is_relative_to(root.resolve())
                assert _inside(root / folder, src, root, config) == expected, (root, folder, src)
                assert _inside(root / folder, src, root, None) == expected, (root, folder, src)


@pytest.mark.parametrize("rel", ["../x", "/etc/x", "a/../../x", "a\x00b", "", "."])
def test_staged_output_refuses_paths_outside(tmp_path, rel):
    with StagedOutput(tmp_path / "output") as out:
        with pytest.raises(OutputError):
            out.write(rel, b"x")


def test_a_symlink_planted_in_output_is_not_written_through(site, tmp_path):
    site.article("a", BASIC_ARTICLE)
    site.build()
    victim = tmp_path / "victim"
    victim.mkdir()
    (site.output / "2020").rename(site.root / "moved")
    (site.output / "2020").symlink_to(victim)
    site.build()
    assert list(victim.iterdir()) == []
    assert (site.output / "2020").is_dir() and not (site.output / "2020").is_symlink()
    assert (site.output / "2020" / "01" / "a" / "index.html").is_file()


@pytest.mark.parametrize("alias", ["../../etc/x/", "/a/../../etc/", "/a\\b/", "/%2e%2e/x/", "/a\x00b/", "//evil.example/x/",
                                   "javascript:alert(1)", "https://evil.example/x/", "/./x/", "/a//b/", "relative/path/",
                                   "/x/?q=1", "/"])
def test_alias_that_is_not_a_plain_site_path_is_an_error(site, alias):
    site.article("a", BASIC_ARTICLE + f"aliases: [{json.dumps(alias)}]\n")
    before = snapshot(site.root.parent)
    result = site.run()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "articles/a.md:6: aliases.0:" in result.stderr, result.stderr
    assert_only_output_changed(site, before)
    assert not site.output.exists()


def test_plain_aliases_become_redirects_inside_output(site):
    site.article("a", BASIC_ARTICLE + 'aliases: ["/old/story/", "/legacy/story.html"]\n')
    site.build()
    assert (site.output / "old" / "story" / "index.html").is_file()
    assert (site.output / "legacy" / "story.html").is_file()


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares a size without holding the pixels (what a decompression bomb does)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


@pytest.mark.parametrize("width, height", [(100_000, 100_000), (10_000, 10_000)])
def test_decompression_bomb_image_is_an_error(site, width, height):
    (site.content / "articles" / "bomb.png").write_bytes(png_header(width, height))
    site.article("a", BASIC_ARTICLE + "images:\n  - caption: C\n    src: bomb.png\n")
    result = site.run()
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr
    assert f"articles/a.md:8: images.0.src: 'bomb.png' is {width * height / 1e6:,.0f} million pixels, too large to publish" in result.stderr
