"""Malformed content is an error naming the file and line: never a traceback, never a crash."""

from __future__ import annotations

import re
import subprocess

import pytest

ERROR_LINE = re.compile(r"^(articles|pages)/\S+\.md:\d+: \S")


def assert_clean_failure(result: subprocess.CompletedProcess[str], *expected: str) -> list[str]:
    """Exit 1, every error as `path:line: …`, the last line the summary; returns the error lines."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Build failed:"), lines
    for line in lines[:-1]:
        assert ERROR_LINE.match(line), line
    for text in expected:
        assert text in result.stderr, (text, result.stderr)
    return lines[:-1]


def write_raw(site, name: str, data: bytes) -> None:
    path = site.content / "articles" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


GOOD = b"---\ntitle: T\ndate: 2020-01-02\noutlet: O\ntopics: [A]\n---\n\nBody.\n"


@pytest.mark.parametrize("data, expected", [
    (b"---\ntitle: [unclosed\n---\nBody\n", "articles/bad.md:3: invalid YAML"),
    (b"---\n- a\n- b\n---\nBody\n", "articles/bad.md:2: the front matter must be fields"),
    (b"---\njust a string\n---\nBody\n", "articles/bad.md:2: the front matter must be fields"),
    (b"---\ntitle: T\ntitle: U\ndate: 2020-01-02\noutlet: O\ntopics: [A]\n---\n", "bad.md:3: title: written twice (first on line 2)"),
    (b"", "bad.md:1: the file is empty"),
    (b"   \n\n", "bad.md:1: the file is empty"),
    (b"no front matter here\n", "bad.md:1: the file does not start with front matter"),
    (b"---\ntitle: T\n", "bad.md:1: the front matter is never closed"),
    (b"---\n---\nBody\n", "bad.md:1: the front matter is empty"),
    (b"---\ntitle: T\xff\n---\n", "bad.md:2: not valid UTF-8 (byte 0xff)"),
    (b"---\ntitle: T\ndate: 2016-02-30\noutlet: O\ntopics: [A]\n---\n", "bad.md:3: date: '2016-02-30' is not a real date"),
    (b"---\ntitle: T\ndate: 0000-01-01\noutlet: O\ntopics: [A]\n---\n", "bad.md:3: date: '0000-01-01' is not a real date"),
    (b"---\ntitle: T\ndate: 2020-13-01T25:00:00\noutlet: O\ntopics: [A]\n---\n", "bad.md:3: date:"),
    (b"---\ntitle: T\ndate: 0001-01-01T00:30:00+01:00\noutlet: O\ntopics: [A]\n---\n", "bad.md:3: date: '0001-01-01T00:30:00+01:00' is too close to the year 1 or 9999"),
    (b"---\ntitle: T\ndate: 9999-12-31\noutlet: O\ntopics: [A]\n---\n", "bad.md:3: date: '9999-12-31' is too close"),
    (b"---\ntitle: T\ndate: 2020-01-01\nupdated: 9999-12-31T23:59:59-12:00\noutlet: O\ntopics: [A]\n---\n", "bad.md:4: updated:"),
    (b"---\ntitle: T\ndate: 2020-01-02\noutlet: O\ntopics: [A]\ndraft: maybe\n---\n", "bad.md:6: draft: expected true or false"),
    (b"---\ntitle: {a: 1}\ndate: 2020-01-02\noutlet: O\ntopics: A\n---\n", "bad.md:2: title: expected text"),
    (b"---\ntopics:\n\t- A\n---\n", "bad.md:3: invalid YAML"),
    (b"---\n? [a, b]\n: c\n---\n", "bad.md:2: a field name must be plain text"),
    (b'---\ntitle: "T\\x01 x"\ndate: 2020-01-02\noutlet: O\ntopics: [A]\n---\n', "bad.md:2: title: contains the invisible control character U+0001"),
    (b'---\ntitle: T\ndate: 2020-01-02\noutlet: O\ntopics: [A, "B\\x0cC"]\n---\n', "bad.md:5: topics.1: contains the invisible control character U+000C"),
    (b'---\ntitle: T\ndate: 2020-01-02\noutlet: O\ntopics: [A]\nsource_url: "https://e.org/?q=\\"><script>"\n---\n',
     "bad.md:6: source_url: '\"' is not allowed in an address"),
    (b"---\ntitle: T\ndate: 2020-01-02\noutlet: O\ntopics: [A]\nsource_url: javascript:alert(1)//https://x\n---\n",
     "bad.md:6: source_url: expected an absolute http(s) address"),
    (b"---\n&a [1]\n---\n", "bad.md:2: the front matter must be fields"),
])
def test_malformed_file_is_a_located_error(site, data, expected):
    write_raw(site, "bad.md", data)
    result = site.run()
    assert_clean_failure(result, expected)
    assert not site.output.exists()


@pytest.mark.parametrize("tag", [
    "!!python/object/apply:os.system ['touch PWNED']",
    "!!python/object/new:os.system ['touch PWNED']",
    "!!python/name:os.system",
    "!!python/object:__main__.X {}",
    "!ruby/object {}",
])
def test_yaml_tags_never_execute(site, tag):
    write_raw(site, "bad.md", f"---\ntitle: {tag}\ndate: 2020-01-02\noutlet: O\ntopics: [A]\n---\n".encode())
    result = site.run()
    assert_clean_failure(result, "bad.md:2:", "YAML tags are not allowed")
    assert not (site.root / "PWNED").exists()


def test_yaml_billion_laughs_is_refused_quickly(site):
    # Aliases expand to a huge structure only if something walks it; the title must be text.
    lol = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8))
    write_raw(site, "bad.md", f"---\n{lol}title: *i\ndate: 2020-01-02\noutlet: O\ntopics: [A]\n---\n".encode())
    result = site.run()
    assert_clean_failure(result, "bad.md:", "YAML anchors and aliases (&name, *name) are not supported")


def test_bom_and_windows_line_endings_are_accepted(site):
    write_raw(site, "bom.md", b"\xef\xbb\xbf" + GOOD.replace(b"\n", b"\r\n").replace(b"title: T", b"title: With BOM"))
    write_raw(site, "cr.md", GOOD.replace(b"\n", b"\r").replace(b"title: T", b"title: Old Mac"))
    site.build()
    assert "With BOM" in site.read("2020/01/bom/index.html")
    assert "Old Mac" in site.read("2020/01/cr/index.html")


def test_windows_line_endings_keep_line_numbers(site):
    write_raw(site, "crlf.md", b"---\r\ntitle: T\r\ndate: 2020-02-30\r\noutlet: O\r\ntopics: [A]\r\n---\r\n")
    assert_clean_failure(site.run(), "crlf.md:3: date:")


def test_a_huge_file_is_refused_before_it_is_read(site):
    big = GOOD + b"word " * (11 * 1024 * 1024)  # ~55 MB
    write_raw(site, "huge.md", big)
    result = site.run()
    assert_clean_failure(result, "huge.md:1: the file is 57.", "more than the limit of 5 MB", "max_file_mb")


def test_the_size_limit_is_configurable(site):
    write_raw(site, "big.md", GOOD + b"word " * 300_000)  # 1.5 MB
    site.config("max_file_mb = 1\n")
    assert_clean_failure(site.run(), "big.md:1: the file is 1.5 MB, more than the limit of 1 MB")
    site.config("max_file_mb = 2\n")
    site.build()


def test_ten_thousand_topics_are_a_clear_error(site):
    topics = ", ".join(f"Topic {i}" for i in range(10_000))
    write_raw(site, "many.md", f"---\ntitle: T\ndate: 2020-01-02\noutlet: O\ntopics: [{topics}]\n---\n".encode())
    assert_clean_failure(site.run(), "many.md:5: topics: 10000 topics, more than the limit of 100", "max_topics")


def test_the_topic_limit_is_configurable(site):
    topics = ", ".join(f"Topic {i}" for i in range(150))
    write_raw(site, "many.md", f"---\ntitle: T\ndate: 2020-01-02\noutlet: O\ntopics: [{topics}]\n---\n".encode())
    site.config("max_topics = 200\n")
    site.build()
    assert (site.output / "topics" / "topic-149" / "index.html").is_file()


def test_deeply_nested_body_is_not_a_crash(site):
    write_raw(site, "deep.md", GOOD + b">" * 5000 + b" quote\n\n" + b"<div>" * 5000 + b"\n")
    result = site.run()
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 1), result.stderr
    if result.returncode == 1:
        assert_clean_failure(result, "deep.md")


def test_every_error_of_the_tree_is_reported_at_once(site):
    write_raw(site, "a.md", b"---\ntitle: [\n---\n")
    write_raw(site, "b.md", b"\xff\xfe")
    write_raw(site, "c.md", b"---\ntitle: T\ndate: 2016-02-30\noutlet: O\ntopics: [A]\n---\n")
    lines = assert_clean_failure(site.run())
    assert [line.split(":")[0] for line in lines] == [
        "articles/a.md", "articles/b.md", "articles/c.md"]


def test_config_errors_are_clean(site):
    site.write("config.toml", 'title = "x"\nallow_iframes = "youtube.com"\nmax_file_mb = 0\ntrust_html = "yes"\n')
    result = site.run()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "allow_iframes: expected a list of strings" in result.stderr
    assert "max_file_mb: expected a number of at least 1" in result.stderr
    assert "trust_html: expected true or false" in result.stderr
    site.write("config.toml", 'allow_iframes = ["https://www.youtube.com/embed"]\n')
    assert "allow_iframes: expected a host name, found 'https://www.youtube.com/embed'" in site.run().stderr
