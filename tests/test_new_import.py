"""`new` and `import`, end to end through the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO
from newsarchive.config import load_config
from newsarchive.content.article import read_article
from newsarchive.content.frontmatter import parse
from newsarchive.content.markdown import MarkdownRenderer

SEED = Path("/work/shared/seed-articles/000_a54113093b013d4e.txt")
SEED_COPY = REPO / "tests" / "data" / "seed-presstv-kerry.txt"
KERRY = "content/articles/2016/06/kerry-meets-dissent-diplomats-urging-strikes-on-syria.md"
KERRY_URL = "https://www.presstv.ir/Detail/2016/06/22/471574/Kerry-diplomats-Syria-strikes"


@pytest.fixture
def repo_site(site):
    """A site with the repository's configuration (import rules) and registries, no articles."""
    shutil.copy(REPO / "config.toml", site.root / "config.toml")
    for name in ("topics.toml", "outlets.toml"):
        shutil.copy(REPO / "content" / name, site.content / name)
    return site


def _seed_text() -> bytes:
    return SEED.read_bytes() if SEED.exists() else SEED_COPY.read_bytes()


def test_the_seed_copy_in_tests_is_the_shared_seed():
    if not SEED.exists():
        pytest.skip("shared seed folder not present")
    assert SEED_COPY.read_bytes() == SEED.read_bytes()


def _values(text: str) -> tuple[dict, str]:
    fm, errors = parse(text, "x.md")
    assert not errors and fm is not None
    return fm.values, fm.body


def test_import_reproduces_the_archived_seed_article(repo_site):
    seed = repo_site.root / "seed.txt"
    seed.write_bytes(_seed_text())
    result = repo_site.run("import", str(seed), "--source-url", KERRY_URL,
                           "--topics", "Syria, US foreign policy, Diplomacy", check=True)
    assert result.stdout.strip() == KERRY
    imported, imported_body = _values((repo_site.root / KERRY).read_text(encoding="utf-8"))
    archived, archived_body = _values((REPO / KERRY).read_text(encoding="utf-8"))
    # The id import mints is the one the archived seed carries (see README, "Feeds").
    assert imported["id"] == archived["id"] == "tag:example.org,2026:2016-06-22:" + KERRY.rsplit("/", 1)[1][:-3]
    # Apart from fields a person chooses (and writes once), the import is the archived article.
    for chosen in ("id", "topics", "byline", "summary"):
        imported.pop(chosen, None)
        archived.pop(chosen, None)
    assert imported == archived
    assert imported_body == archived_body
    # Every decision is reported: outlet, date, both captions, the boilerplate.
    err = result.stderr
    assert "outlet 'Press TV' recognised by" in err
    assert "date 2016-06-22 taken from the source address" in err
    assert "line 3: lead image (1): caption 'US Secretary of State John Kerry', credit 'AFP photo'" in err
    assert "line 23: image 2, placed with [[figure 2]]" in err
    assert "4 line(s) of trailing boilerplate dropped" in err
    assert "warning" not in err
    # And the site builds from it.
    repo_site.build()
    page = repo_site.read("2016/06/kerry-meets-dissent-diplomats-urging-strikes-on-syria/index.html")
    assert "F-15E Strike Eagle" in page and "SHARE THIS ARTICLE" not in page


def test_import_refuses_to_overwrite_and_to_archive_a_story_twice(repo_site):
    seed = repo_site.root / "seed.txt"
    seed.write_bytes(_seed_text())
    args = ("import", str(seed), "--topics", "Syria", "--date", "2016-06-22")
    repo_site.run(*args, check=True)
    before = (repo_site.root / KERRY).read_bytes()
    again = repo_site.run(*args)
    assert again.returncode == 1
    assert "kerry-meets-dissent-diplomats-urging-strikes-on-syria.md: already exists; it was left as it was" in again.stderr
    assert (repo_site.root / KERRY).read_bytes() == before
    (repo_site.root / KERRY).unlink()
    repo_site.run(*args, "--source-url", KERRY_URL, check=True)
    twice = repo_site.run(*args, "--source-url", KERRY_URL.replace("https://www.", "http://"), "--slug", "copy")
    assert twice.returncode == 1
    assert f"is already archived as {KERRY.removeprefix('content/')}" in twice.stderr


def test_import_reports_what_it_cannot_recognise(repo_site):
    text = ("A headline\n\nFirst paragraph of the story.\n\nA photo nobody has a rule for (Photo: Reuters)\n\n"
            "Second paragraph.\n\nFollow us\n")
    (repo_site.root / "a.txt").write_text(text, encoding="utf-8")
    missing = repo_site.run("import", "a.txt")
    assert missing.returncode == 1
    err = missing.stderr
    assert "a.txt: outlet: not given, and no outlet's import rules recognise the text (pass --outlet \"Press TV\")" in err
    assert "a.txt: date: not in the text (pass --date YYYY-MM-DD" in err
    assert "a.txt: topics: not in the text" in err
    assert not (repo_site.content / "articles" / "2020").exists()

    done = repo_site.run("import", "a.txt", "--outlet", "Example Daily", "--topics", "Syria", "--date", "2020-05-01",
                         "--stdout")
    assert done.returncode == 1  # the outlet is not registered
    assert "outlet: 'Example Daily' is not a registered outlet" in done.stderr
    assert "warning: no import rules for 'Example Daily'" in done.stderr

    ok = repo_site.run("import", "a.txt", "--outlet", "press tv", "--topics", "syrian war", "--date", "2020-05-01",
                       "--stdout", check=True)
    assert "outlet: Press TV\ntopics: [Syria]\n" in ok.stdout
    assert "line 5: warning: kept as text, but it looks like a photo caption" in ok.stderr
    assert "line 9: warning: kept as text, but it looks like page furniture: 'Follow us'" in ok.stderr
    assert "warning: no --source-url" in ok.stderr
    assert not (repo_site.content / "articles" / "2020").exists()  # --stdout writes nothing


def test_import_escapes_markdown_so_text_shows_as_written(repo_site):
    text = "Stars *and* <b>tags</b>\n\n1. Not a list, but a sentence starting with a number.\n\n# Not a heading [sic] a_b\n"
    (repo_site.root / "a.txt").write_text(text, encoding="utf-8")
    out = repo_site.run("import", "a.txt", "--outlet", "Press TV", "--topics", "Syria", "--date", "2020-05-01",
                        "--stdout", check=True).stdout
    config = load_config(repo_site.root / "config.toml")
    article, errors = read_article("articles/2020/05/x.md", out, config, MarkdownRenderer())
    assert not errors and article is not None
    assert article.title == "Stars *and* <b>tags</b>"
    html = article.body_html
    assert "<ol>" not in html and "<h1>" not in html and "<em>" not in html
    assert "1. Not a list" in html and "# Not a heading [sic] a_b" in html


def test_new_scaffolds_an_article_that_builds_as_a_draft(repo_site):
    result = repo_site.run("new", "Iran: talks resume", "--outlet", "Press TV", "--topics", "Diplomacy, syria",
                           "--source-url", "https://www.presstv.ir/Detail/2020/05/01/1/x", "--date", "2020-05-01",
                           check=True)
    rel = "content/articles/2020/05/iran-talks-resume.md"
    assert result.stdout.strip() == rel
    values, body = _values((repo_site.root / rel).read_text(encoding="utf-8"))
    assert values == {"title": "Iran: talks resume", "date": "2020-05-01", "outlet": "Press TV",
                      "topics": ["Diplomacy", "Syria"], "source_url": "https://www.presstv.ir/Detail/2020/05/01/1/x",
                      "id": "tag:example.org,2026:2020-05-01:iran-talks-resume", "draft": True}
    assert "topics: 'syria' is registered as 'Syria'" in result.stderr
    repo_site.build()
    assert not (repo_site.output / "2020").exists()  # a draft
    repo_site.build("--drafts")
    assert (repo_site.output / "2020/05/iran-talks-resume/index.html").exists()

    again = repo_site.run("new", "Iran: talks resume", "--outlet", "Press TV", "--topics", "Diplomacy",
                          "--date", "2020-05-01")
    assert again.returncode == 1
    assert "iran-talks-resume.md: already exists; it was left as it was (edit that file, or pass --slug" in again.stderr


def test_new_defaults_to_today_and_validates_before_writing(repo_site):
    bad = repo_site.run("new", "A title", "--outlet", "Press TB", "--topics", "Diplomcy", "--source-url", "presstv.ir/x")
    assert bad.returncode == 1
    assert "new: outlet: 'Press TB' is not a registered outlet (content/outlets.toml) (did you mean 'Press TV'?)" in bad.stderr
    assert "new: topics: 'Diplomcy' is not a registered topic (content/topics.toml) (did you mean 'Diplomacy'?)" in bad.stderr
    assert "new: source_url: expected an absolute http(s) address, found 'presstv.ir/x'" in bad.stderr
    assert not list((repo_site.content / "articles").rglob("*.md"))
    ok = repo_site.run("new", "A title", "--outlet", "Press TV", "--topics", "Diplomacy", "--no-draft", check=True)
    path = repo_site.root / ok.stdout.strip()
    values, _ = _values(path.read_text(encoding="utf-8"))
    assert "draft" not in values
    assert path.parent.name == values["date"][5:7] and path.parent.parent.name == values["date"][:4]
