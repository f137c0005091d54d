"""End to end: real builds of small content trees through the command line."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from PIL import Image as PILImage

from conftest import REPO, Site
from sitecheck import broken_links, links_of, tree, tree_digest


def fill(site: Site) -> None:
    """Several articles, outlets and topics; an Arabic one; one without images; one with a file."""
    site.article("2016/06/kerry-meets-diplomats", """
        title: "Kerry meets 'dissent' diplomats"
        date: 2016-06-22
        outlet: Press TV
        topics: [Syria, US foreign policy]
        source_url: https://www.presstv.ir/Detail/2016/06/22/471574/x
        byline: Staff
        images:
          - caption: US Secretary of State John Kerry
            credit: AFP photo
          - caption: An F-15E over Iraq
            credit: via AFP
            src: images/f15.png
        """, "First paragraph.\n\n[[figure 2]]\n\nSecond paragraph.\n")
    img_dir = site.content / "articles/2016/06/images"
    img_dir.mkdir(parents=True)
    PILImage.new("RGB", (120, 80), "gray").save(img_dir / "f15.png")
    site.article("2016/07/ceasefire-talks", """
        title: Ceasefire talks resume in Geneva
        date: 2016-07-01T10:00:00+02:00
        outlet: Example Times
        topics: [Syria, Diplomacy]
        """, "Talks resumed.\n")
    site.article("2017/01/arabic", """
        title: "محادثات السلام في جنيف"
        date: 2017-01-15
        outlet: الجزيرة
        topics: [سوريا, Diplomacy]
        language: ar
        """, "نص المقال.\n")
    site.article("2017/02/economy", """
        title: Économie en berne
        date: 2017-02-03
        outlet: Le Monde
        topics: [Économie]
        language: fr
        """, "Texte.\n")
    site.write("content/pages/about.md", "---\ntitle: About\n---\n\nAbout this archive.\n")


EXPECTED_PAGES = [
    "index.html",
    "404.html",
    "2016/06/kerry-meets-diplomats/index.html",
    "2016/06/kerry-meets-diplomats/images/f15.png",
    "2016/07/ceasefire-talks/index.html",
    "2017/01/arabic/index.html",
    "topics/index.html",
    "topics/syria/index.html",
    "topics/us-foreign-policy/index.html",
    "topics/سوريا/index.html",
    "topics/economie/index.html",
    "outlets/index.html",
    "outlets/press-tv/index.html",
    "outlets/الجزيرة/index.html",
    "archive/index.html",
    "archive/2016/index.html",
    "archive/2016/06/index.html",
    "archive/2017/02/index.html",
    "about/index.html",
    "static/css/site.css",
]


def test_every_page_kind_exists_and_links_resolve(site: Site):
    fill(site)
    result = site.build()
    assert "Built 4 articles" in result.stdout
    for rel in EXPECTED_PAGES:
        assert (site.output / rel).is_file(), rel
    assert broken_links(site.output, "https://example.org/") == []

    article = site.read("2016/06/kerry-meets-diplomats/index.html")
    assert re.search(r'<time datetime="2016-06-22"[^>]*>June 22, 2016</time>', article)
    assert 'href="/outlets/press-tv/"' in article
    assert 'href="/topics/us-foreign-policy/"' in article
    assert 'href="https://www.presstv.ir/Detail/2016/06/22/471574/x"' in article
    assert article.count("<figure") == 2 and article.count("<figcaption>") == 2
    assert 'width="120" height="80"' in article
    # The in-body figure sits between the two paragraphs.
    assert article.index("First paragraph") < article.index("An F-15E") < article.index("Second paragraph")
    # Related: the Geneva article shares Syria.
    assert "Ceasefire talks resume in Geneva" in article

    arabic = site.read("2017/01/arabic/index.html")
    assert 'lang="ar" dir="rtl"' in arabic
    topics = site.read("topics/index.html")
    assert "Syria" in topics and re.search(r"2(<[^>]+>)* articles", topics)


def test_pagination(site: Site):
    site.config("per_page = 2\n")
    for i in range(5):
        site.article(f"a{i}", f"title: Article {i}\ndate: 2020-01-0{i + 1}\noutlet: O\ntopics: [T]\n")
    site.build()
    assert (site.output / "page/3/index.html").is_file()
    assert not (site.output / "page/4").exists()
    assert (site.output / "topics/t/page/3/index.html").is_file()
    home = site.read("index.html")
    assert home.index("Article 4") < home.index("Article 3")  # newest first
    assert 'href="/page/2/"' in home
    assert broken_links(site.output, "https://example.org/") == []


def test_home_pages_stop_at_home_pages_and_point_to_the_archive(site: Site):
    """`home_pages = 2` with 2 per page: the 4 newest on the home pages, the 5th by date,
    topic and outlet only; adding an older article leaves every home page as it was."""
    site.config("per_page = 2\nhome_pages = 2\n")
    for i in range(5):
        site.article(f"a{i}", f"title: Article {i}\ndate: 2020-01-0{i + 2}\noutlet: O\ntopics: [T]\n")
    site.build()
    assert (site.output / "page/2/index.html").is_file()
    assert not (site.output / "page/3").exists()
    last = site.read("page/2/index.html")
    assert "Article 1" in last and "Article 0" not in last
    assert 'Older articles are in the <a href="/archive/">archive</a>' in last
    assert "Older articles are in" not in site.read("index.html")
    assert "Article 0" in site.read("archive/2020/page/3/index.html") and "Article 0" in site.read("topics/t/page/3/index.html")
    assert broken_links(site.output, "https://example.org/") == []
    before = {p: p.stat().st_mtime_ns for p in [site.output / "index.html", site.output / "page/2/index.html"]}
    site.article("older", "title: Older\ndate: 2019-12-31\noutlet: O\ntopics: [T]\n")
    site.build()
    assert {p: p.stat().st_mtime_ns for p in before} == before
    site.config("per_page = 2\nhome_pages = 0\n")
    site.build()
    assert (site.output / "page/3/index.html").is_file() and "Older articles are in" not in site.read("page/3/index.html")


def test_base_url_with_sub_path(site: Site):
    site.config(base_url="https://example.org/archive")
    fill(site)
    site.build()
    assert broken_links(site.output, "https://example.org/archive/") == []
    home = site.read("index.html")
    internal = [link for link in links_of(home) if not link.startswith(("https://", "#"))]
    assert internal and all(link.startswith("/archive/") for link in internal)
    assert '<link rel="canonical" href="https://example.org/archive/">' in home


def test_builds_are_byte_identical(site: Site, tmp_path):
    fill(site)
    site.build()
    first = tree(site.output)
    site.build("--output", str(tmp_path / "second"))
    assert tree(tmp_path / "second") == first
    shutil.rmtree(site.output)
    site.build()
    assert tree(site.output) == first


def test_failed_build_leaves_output_untouched(site: Site):
    fill(site)
    site.build()
    before = tree_digest(site.output)
    site.article("broken", "title: Broken\ndate: 2016-13-01\noutlet: X\ntopics: [Y]\ntitel: z\n")
    result = site.run()
    assert result.returncode == 1
    assert "articles/broken.md:3: date:" in result.stderr
    assert "articles/broken.md:6: titel: unknown field" in result.stderr  # every error at once
    assert "output/ was left as it was" in result.stderr
    assert tree_digest(site.output) == before
    assert [p.name for p in site.root.iterdir() if p.name.startswith(".staging")] == []


def test_template_error_midway_leaves_output_untouched(site: Site):
    fill(site)
    site.build()
    before = tree_digest(site.output)
    # The article template fails at render time, after other pages were already written.
    article = site.root / "templates/article.html"
    article.write_text(article.read_text().replace("{{ article.title }}", "{{ article.no_such_field.x }}", 1))
    result = site.run()
    assert result.returncode == 1
    assert "article.html" in result.stderr
    assert tree_digest(site.output) == before


def test_unchanged_files_keep_their_mtime(site: Site):
    fill(site)
    site.build()
    css = site.output / "static/css/site.css"
    home = site.output / "index.html"
    stamp = (css.stat().st_mtime_ns, home.stat().st_mtime_ns)
    site.article("2018/new", "title: New one\ndate: 2018-01-01\noutlet: O\ntopics: [T]\n")
    site.build()
    assert css.stat().st_mtime_ns == stamp[0]
    assert "New one" in home.read_text()


def test_removed_article_disappears_from_output(site: Site):
    fill(site)
    site.build()
    (site.content / "articles/2016/07/ceasefire-talks.md").unlink()
    site.build()
    assert not (site.output / "2016/07").exists()
    assert broken_links(site.output, "https://example.org/") == []


def test_drafts_only_with_flag(site: Site):
    site.article("d", "title: Draft piece\ndate: 2020-01-01\noutlet: O\ntopics: [T]\ndraft: true\n")
    site.article("p", "title: Published\ndate: 2020-01-01\noutlet: O\ntopics: [T]\n")
    result = site.build("--verbose")
    assert "articles/d.md: draft, skipped" in result.stderr
    assert "Draft piece" not in site.read("index.html")
    site.build("--drafts")
    assert "Draft piece" in site.read("index.html")


def test_site_wide_collisions_are_errors(site: Site):
    site.article("2020/a", "title: A\ndate: 2020-01-01\noutlet: O\ntopics: [Middle East]\nid: urn:uuid:3f1c7a52-9a7e-4c57-9b1e-2b8e0d6f0a11\n")
    site.article("2020/b", "title: B\ndate: 2020-01-02\noutlet: O\ntopics: [middle-east]\nslug: a\nid: urn:uuid:3f1c7a52-9a7e-4c57-9b1e-2b8e0d6f0a11\n")
    site.write("content/pages/topics.md", "---\ntitle: Clash\n---\n")
    result = site.run()
    assert result.returncode == 1
    err = result.stderr
    assert "articles/2020/b.md:6: slug: '/2020/01/a/' is already the URL of articles/2020/a.md" in err
    assert "articles/2020/b.md:7: id:" in err and "already the id of articles/2020/a.md" in err
    assert "articles/2020/b.md:5: topics: 'middle-east' and 'Middle East'" in err
    assert "pages/topics.md:1: slug: 'topics' is a URL the site itself uses" in err


def test_config_errors(site: Site):
    site.write("config.toml", 'titel = "x"\nbase_url = "example.org"\nper_page = "ten"\ntimezone = "Mars/Olympus"\n')
    result = site.run()
    assert result.returncode == 1
    assert "titel: unknown setting (did you mean 'title'?)" in result.stderr
    assert "base_url: expected an absolute http(s) address" in result.stderr
    assert "per_page: expected a whole number" in result.stderr
    assert "timezone: unknown time zone" in result.stderr


def test_help_documents_the_options():
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for option in ("--config", "--content", "--output", "--drafts", "--quiet", "--verbose"):
        assert option in result.stdout


def test_real_content_builds_without_warnings(tmp_path):
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--config", str(REPO / "config.toml"),
         "--output", str(tmp_path / "out"), "--verbose"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = tmp_path / "out"
    page = (out / "2016/06/kerry-meets-dissent-diplomats-urging-strikes-on-syria/index.html").read_text()
    assert "Kerry meets &#39;dissent&#39; diplomats urging strikes on Syria" in page
    assert "US Secretary of State John Kerry" in page and "AFP photo" in page
    assert "F-15E Strike Eagle" in page and "via AFP" in page
    assert "SHARE THIS ARTICLE" not in page and "Roku" not in page
    assert broken_links(out, "http://localhost:8000/") == []


@pytest.mark.parametrize("name", ["Économie & Finance", "سوريا", "!!!"])
def test_unicode_slugs(name):
    from newsarchive.slugs import slugify

    slug = slugify(name)
    assert slug and "/" not in slug and " " not in slug
    assert slugify(name) == slug
