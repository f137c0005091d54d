"""`aliases:` in front matter: redirect pages from an article's old addresses."""

from __future__ import annotations

from conftest import BASIC_ARTICLE


def test_aliases_become_redirect_pages(site):
    site.article("a", BASIC_ARTICLE + "aliases:\n  - /2019/old-slug/\n  - /legacy/story.html\n  - https://example.org/news/a\n")
    site.build()
    target = "https://example.org/2020/01/a/"
    for rel in ("2019/old-slug/index.html", "legacy/story.html", "news/a/index.html"):
        page = site.read(rel)
        assert f'<meta http-equiv="refresh" content="0; url={target}">' in page
        assert f'<link rel="canonical" href="{target}">' in page
        assert f'<a href="{target}">A basic article</a>' in page
        assert 'name="robots" content="noindex"' in page
    # Redirects are not pages of the site: not in the sitemap.
    sitemap = site.read("sitemap.xml") if (site.output / "sitemap.xml").exists() else ""
    assert "old-slug" not in sitemap


def test_aliases_under_a_sub_path(site):
    site.config(base_url="https://example.org/archive/")
    site.article("a", BASIC_ARTICLE + "aliases: [/old/, 'https://example.org/archive/older/']\n")
    site.build()
    assert 'url=https://example.org/archive/2020/01/a/"' in site.read("old/index.html")
    assert (site.output / "older" / "index.html").exists()


def test_bad_aliases_are_errors(site):
    site.article("a", BASIC_ARTICLE + """aliases:
  - old/no-slash/
  - /x/../etc/
  - https://elsewhere.example/a/
  - /q/?id=3
  - /topics/politics/
  - /2020/01/b/
  - /2020/01/a/
  - /dup/
  - /dup
""")
    site.article("b", BASIC_ARTICLE + "aliases: [/dup/, /2020/01/a/]\n".replace("/2020/01/a/", "/shared/"))
    site.article("c", BASIC_ARTICLE + "aliases: /single/\n")
    site.article("d", BASIC_ARTICLE + "aliases: [/shared/]\n")
    result = site.run()
    assert result.returncode == 1
    err = result.stderr
    # Front-matter problems: each on its own line of the file.
    assert "articles/a.md:7: aliases.0: 'old/no-slash/' must be a path from the site's root, starting with /" in err
    assert "articles/a.md:8: aliases.1: '/x/../etc/' is not a plain path (no '..'" in err
    assert "articles/a.md:9: aliases.2: 'https://elsewhere.example/a/' is not an address of this site (https://example.org)" in err
    assert "articles/a.md:10: aliases.3: '/q/?id=3' has a query or fragment" in err
    assert "articles/a.md:15: aliases.8: '/dup' is listed twice" in err
    assert "articles/c.md:6: aliases: expected a list of addresses, found a single text (write aliases: [/single/])" in err
    assert not site.output.exists()

    # Collisions are found once the front matter is valid.
    site.article("a", BASIC_ARTICLE + "aliases:\n  - /topics/politics/\n  - /2020/01/b/\n  - /2020/01/a/\n  - /dup/\n")
    site.article("c", BASIC_ARTICLE)
    result = site.run()
    assert result.returncode == 1
    err = result.stderr
    assert "articles/a.md:7: aliases: '/topics/politics/' is under /topics/, which the site itself uses" in err
    assert "articles/a.md:8: aliases: '/2020/01/b/' is the address of a page the site has" in err
    assert "articles/a.md:9: aliases: '/2020/01/a/' is the article's own address" in err
    assert "articles/b.md:6: aliases: '/dup/' is already an alias of articles/a.md" in err
    assert "articles/d.md:6: aliases: '/shared/' is already an alias of articles/b.md" in err
