"""Registries (topics.toml, outlets.toml), future-dated articles: through the command line."""

from __future__ import annotations

from datetime import UTC, datetime

from newsarchive.config import load_config
from newsarchive.content.load import load_content

TOPICS = """
[[topic]]
name = "Syria"
description = "The war in Syria."
aliases = ["Syrian civil war"]

[[topic]]
name = "Diplomacy"
description = "Talks between governments."
"""

OUTLETS = """
[[outlet]]
name = "Press TV"
homepage = "https://www.presstv.ir/"
country = "Iran"
language = "en"
description = "Iran's English-language news network."
"""


def _registries(site) -> None:
    site.write("content/topics.toml", TOPICS)
    site.write("content/outlets.toml", OUTLETS)


def test_registered_names_and_aliases_build_with_descriptions(site):
    _registries(site)
    site.article("a", """
        title: One
        date: 2020-01-02
        outlet: press tv
        topics: [Syrian civil war, Diplomacy]
    """)
    site.build()
    # The alias files the article under its registered topic; case is the registry's.
    assert "The war in Syria." in site.read("topics/syria/index.html")
    assert not (site.output / "topics" / "syrian-civil-war").exists()
    outlet_page = site.read("outlets/press-tv/index.html")
    assert "<h1>Press TV</h1>" in outlet_page
    assert "Iran&#39;s English-language news network." in outlet_page
    assert 'href="https://www.presstv.ir/"' in outlet_page
    assert ">Press TV<" in site.read("2020/01/a/index.html")


def test_unregistered_topic_and_outlet_are_errors_with_suggestions(site):
    _registries(site)
    site.article("a", """
        title: One
        date: 2020-01-02
        outlet: Press  T.V.
        topics:
          - Diplomacy
          - Syira
    """)
    result = site.run()
    assert result.returncode == 1
    err = result.stderr
    assert "articles/a.md:4: outlet: 'Press  T.V.' is not a registered outlet (content/outlets.toml) (did you mean 'Press TV'?)" in err
    assert "articles/a.md:7: topics: 'Syira' is not a registered topic (content/topics.toml) (did you mean 'Syria'?)" in err
    assert not site.output.exists()


def test_a_topic_and_its_alias_in_one_article_is_an_error(site):
    _registries(site)
    site.article("a", """
        title: One
        date: 2020-01-02
        outlet: Press TV
        topics: [Syria, Syrian civil war]
    """)
    result = site.run()
    assert result.returncode == 1
    assert "'Syrian civil war' is the registered topic 'Syria', already listed as 'Syria'" in result.stderr


def test_registry_errors_name_line_and_field(site):
    site.write("content/topics.toml", """
        [[topic]]
        name = "Syria"
        descripton = "typo"

        [[topic]]
        name = "Iraq"
        aliases = ["Syria"]

        [[topic]]
        description = "no name"
    """)
    site.write("content/outlets.toml", """
        [[outlet]]
        name = "Press TV"
        homepage = "presstv.ir"
        language = "English"
    """)
    site.article("a", BASIC)
    result = site.run()
    assert result.returncode == 1
    err = result.stderr
    assert "topics.toml:3: topic[1].descripton: unknown field (did you mean 'description'?)" in err
    assert "topics.toml:7: topic[2].alias: 'Syria' is already registered (as 'Syria')" in err
    assert "topics.toml:9: topic[3]: the name is missing" in err
    assert "outlets.toml:3: outlet[1].homepage: expected an absolute http(s) address, found 'presstv.ir'" in err
    assert "outlets.toml:4: outlet[1].language: 'English' is not a BCP 47 language tag" in err


BASIC = """
    title: One
    date: 2020-01-02
    outlet: Press TV
    topics: [Syria]
"""


def test_future_articles_are_skipped_with_a_notice_unless_future(site):
    site.article("past", BASIC)
    site.article("later", BASIC.replace("2020-01-02", "2031-05-01"))
    env_now = {"NEWSARCHIVE_NOW": "2030-01-01T00:00:00+00:00"}
    import os
    env = {**os.environ, **env_now}
    import subprocess
    import sys

    from conftest import REPO
    cmd = [sys.executable, str(REPO / "build.py"), "--config", str(site.root / "config.toml")]
    result = subprocess.run(cmd + ["-v"], env=env, capture_output=True, text=True, check=True)
    assert "articles/later.md: dated 2031-05-01T00:00:00+00:00, in the future; skipped (build with --future" in result.stderr
    assert not (site.output / "2031").exists()
    assert (site.output / "2020/01/past/index.html").exists()
    subprocess.run(cmd + ["--future"], env=env, capture_output=True, text=True, check=True)
    assert (site.output / "2031/05/later/index.html").exists()
    # Once the clock passes the date, the article is published without --future.
    subprocess.run(cmd, env={**os.environ, "NEWSARCHIVE_NOW": "2031-05-02T00:00:00Z"}, check=True, capture_output=True)
    assert (site.output / "2031/05/later/index.html").exists()


def test_now_is_injectable_in_process(site):
    site.article("later", BASIC.replace("2020-01-02", "2031-05-01"))
    config = load_config(site.root / "config.toml", now=datetime(2031, 4, 30, tzinfo=UTC))
    assert load_content(config).articles == []
    config = load_config(site.root / "config.toml", now=datetime(2031, 5, 1, 0, 0, 1, tzinfo=UTC))
    assert [a.slug for a in load_content(config).articles] == ["later"]
