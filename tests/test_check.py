"""`build.py check`: the build's validation plus links, images, duplicates and registries."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO

REGISTRIES = {
    "content/topics.toml": '[[topic]]\nname = "Politics"\n\n[[topic]]\nname = "Syria"\n',
    "content/outlets.toml": '[[outlet]]\nname = "Example Times"\n',
}


def _curated(site) -> None:
    for rel, text in REGISTRIES.items():
        site.write(rel, text)


def _article(site, name: str, body: str = "Body text.\n", extra: str = "") -> None:
    front = f"title: {name}\ndate: 2020-01-02\noutlet: Example Times\ntopics: [Politics]\n" + extra
    site.article(name, front, body)


def test_the_repository_content_is_clean():
    result = subprocess.run([sys.executable, "build.py", "check"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "no problems" in result.stderr


def test_clean_site_exits_zero_and_writes_nothing(site):
    _curated(site)
    _article(site, "one", "See [the other](/2020/01/two/) and [its page](../two/#top).\n")
    _article(site, "two")
    result = site.run("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 2 articles and 0 pages: no problems" in result.stderr
    assert not site.output.exists()  # check never publishes
    site.run("check")
    # Nor does the cache keep state for the throwaway folders check builds into.
    assert not [p.name for p in (site.root / ".cache").glob("*.pickle") if p.name.startswith(("output-", "build-"))]


def test_one_article_is_one_article(site):
    _curated(site)
    _article(site, "one")
    assert "checked 1 article and 0 pages: no problems" in site.run("check").stderr


def test_every_kind_of_problem_is_reported_at_once(site):
    _curated(site)
    _article(site, "one", "Intro.\n\nA [broken link](/2020/01/tow/) here.\n\n![x](missing.jpg)\n",
             "source_url: https://www.example.org/story/1\n")
    _article(site, "two", extra="source_url: http://example.org/story/1/\n")
    (site.content / "articles" / "stray.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = site.run("check")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "content/articles/one.md:11: body: link '/2020/01/tow/' leads to no page of the site (did you mean '/2020/01/two/'?)" in lines
    assert any(line.startswith("content/articles/one.md:13: body: image 'missing.jpg' is not an image the site publishes") for line in lines)
    assert any(line.startswith("content/articles/two.md:6: source_url: 'http://example.org/story/1/' was already archived as articles/one.md") for line in lines)
    assert "content/articles/stray.png: image file is not used by any article (add it to an article's 'images:' with src, or delete it)" in lines
    assert "4 problems" in result.stderr


def test_missing_registries_and_build_errors_fail_the_check(site):
    _article(site, "one", extra="date_published: 2020\n")
    _article(site, "two")
    result = site.run("check")
    assert result.returncode == 1
    out = result.stdout
    assert "content/articles/one.md:6: date_published: unknown field" in out
    assert "content/topics.toml: there is no topics.toml, so topics are not curated" in out
    assert "in use: 'Politics'" in out


def test_json_format(site):
    _curated(site)
    _article(site, "one", extra="topics_extra: 1\n")
    result = site.run("check", "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["count"] == 1
    error = report["errors"][0]
    assert (error["path"], error["line"], error["field"], error["message"]) == (
        "content/articles/one.md", 6, "topics_extra", "unknown field")
    assert error["hint"] == "did you mean 'topics'?"
    _article(site, "one")
    clean = json.loads(site.run("check", "--format", "json").stdout)
    assert clean == {"ok": True, "count": 0, "summary": "checked 1 article and 0 pages: no problems", "errors": []}


def test_github_annotations(site):
    _curated(site)
    _article(site, "one", extra="outlet_name: x\n")
    result = site.run("check", "--format", "github")
    assert result.stdout.startswith("::error file=content/articles/one.md,line=6,title=outlet_name::unknown field")


def test_file_arguments_limit_the_report_to_those_files(site):
    _curated(site)
    _article(site, "good")
    _article(site, "bad", extra="colour: red\n")
    only_good = site.run("check", "content/articles/good.md")
    assert only_good.returncode == 0, only_good.stdout
    only_bad = site.run("check", "content/articles/bad.md")
    assert only_bad.returncode == 1
    assert "content/articles/bad.md:6: colour: unknown field" in only_bad.stdout


def test_drafts_and_future_articles_are_checked_too(site):
    _curated(site)
    _article(site, "draft", extra="draft: true\nsource: x\n")
    _article(site, "later", extra="updated: 2020-01-01\n")
    result = site.run("check")
    assert "content/articles/draft.md:7: source: unknown field" in result.stdout
    assert "content/articles/later.md:6: updated: is before the article's date" in result.stdout


def test_config_errors_are_reported_in_the_requested_format(site):
    site.write("config.toml", 'title = "x"\nper_pag = 3\n')
    result = site.run("check", "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["errors"][0]["field"] == "per_pag"
    assert "did you mean 'per_page'?" in report["errors"][0]["hint"]
