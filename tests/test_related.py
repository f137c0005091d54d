"""Related articles: the fast level-by-level ranking equals the plain definition."""

from __future__ import annotations

import random
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.site import index as index_module
from newsarchive.site.index import related_by_topics


def naive(topic_sets: list[tuple[str, ...]], count: int) -> list[list[int]]:
    """Sort every other item by (most topics in common, position): the definition."""
    result = []
    for i, mine in enumerate(topic_sets):
        scored = [(-len(set(mine) & set(other)), j) for j, other in enumerate(topic_sets)
                  if j != i and set(mine) & set(other)]
        result.append([j for _, j in sorted(scored)[:count]])
    return result


topic_set = st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=5, unique=True).map(tuple)


@settings(max_examples=300, deadline=None)
@given(st.lists(topic_set, max_size=40), st.integers(min_value=1, max_value=7))
def test_matches_the_definition(topic_sets: list[tuple[str, ...]], count: int) -> None:
    assert related_by_topics(topic_sets, count) == naive(topic_sets, count)


@settings(max_examples=300, deadline=None)
@given(st.lists(topic_set, max_size=40), st.integers(min_value=1, max_value=7), st.integers(min_value=1, max_value=4))
def test_levels_finished_by_set_operations_match_the_definition(topic_sets: list[tuple[str, ...]], count: int,
                                                               walk: int) -> None:
    """A level whose walk looks at `walk` items without filling the list is finished by set
    intersections (sparse levels of big archives): the same lists."""
    with patch.object(index_module, "_WALK_BEFORE_SETS", walk):
        assert related_by_topics(topic_sets, count) == naive(topic_sets, count)


def test_zipf_topics_match_the_definition() -> None:
    """A skewed archive like a real one: one topic in most articles, a long tail."""
    rng = random.Random(6)
    topics = [f"t{n}" for n in range(60)]
    weights = [1 / (n + 1) ** 1.1 for n in range(60)]
    topic_sets = []
    for _ in range(400):
        picked: list[str] = []
        while len(picked) < rng.randint(1, 4):
            t = rng.choices(topics, weights)[0]
            if t not in picked:
                picked.append(t)
        topic_sets.append(tuple(picked))
    assert related_by_topics(topic_sets, 5) == naive(topic_sets, 5)
    with patch.object(index_module, "_WALK_BEFORE_SETS", 2):
        assert related_by_topics(topic_sets, 5) == naive(topic_sets, 5)


def test_never_itself_and_only_sharing_articles() -> None:
    assert related_by_topics([("a",), ("b",), ("a", "b")], 5) == [[2], [2], [0, 1]]


def _articles(topic_sets: list[tuple[int, tuple[str, ...]]]) -> list:
    """Articles named by number, dated by number (higher is newer), with these topics."""
    from datetime import UTC, datetime, timedelta

    from newsarchive.content.model import Article, Body, Term
    base = datetime(2020, 1, 1, tzinfo=UTC)
    return [Article(source_path=f"a/{n}.md", slug=f"s{n}", title=str(n), date=base + timedelta(days=day),
                    outlet=Term("O", "o"), topics=tuple(Term(t, t) for t in topics), body=Body(text=""),
                    summary="") for n, (day, topics) in enumerate(topic_sets)]


edit = st.tuples(st.sampled_from(["add", "remove", "topics", "date"]), st.integers(0, 1000),
                 topic_set, st.integers(0, 30))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), topic_set), min_size=1, max_size=30),
       st.lists(st.lists(edit, min_size=1, max_size=4), max_size=5), st.integers(min_value=1, max_value=6))
def test_memo_of_the_last_build_gives_the_same_lists(start, builds, count) -> None:
    """Edits, additions, removals and re-datings, several per build: reusing the memo
    equals ranking afresh."""
    from newsarchive.config import Config
    from newsarchive.site.index import RelatedMemo, _related, newest_first
    from newsarchive.site.urls import Urls

    urls = Urls(Config())
    items = dict(enumerate(start))
    memo = RelatedMemo()

    def ranked(with_memo: RelatedMemo | None) -> dict:
        articles = sorted((a for a in _articles([items.get(n, (0, ())) for n in range(max(items) + 1)])
                           if int(a.title) in items), key=newest_first)
        return {url: [a.source_path for a in chosen] for url, chosen in _related(articles, urls, count, with_memo).items()}

    assert ranked(memo) == ranked(None)
    for edits in builds:
        for kind, which, topics, day in edits:
            keys = sorted(items)
            if kind == "add" or len(keys) == 1:
                items[max(keys) + 1] = (day, topics)
            else:
                n = keys[which % len(keys)]
                if kind == "remove":
                    del items[n]
                elif kind == "topics":
                    items[n] = (items[n][0], topics)
                else:
                    items[n] = (day, items[n][1])
        assert ranked(memo) == ranked(None)


def test_an_article_added_to_a_crowded_topic_reaches_only_the_lists_it_enters(monkeypatch) -> None:
    """The oldest article joining a topic 300 articles share enters no full list: only its
    own list is ranked, not the 300 others (which a topic-wide recount would redo)."""
    from newsarchive.config import Config
    from newsarchive.site import index as index_module
    from newsarchive.site.index import RelatedMemo, _related, newest_first
    from newsarchive.site.urls import Urls

    urls, memo = Urls(Config()), RelatedMemo()
    specs = [(1 + n % 300, ("big", f"t{n % 7}")) for n in range(300)]
    _related(sorted(_articles(specs), key=newest_first), urls, 5, memo)
    grown = sorted(_articles([*specs, (0, ("big", "t1"))]), key=newest_first)
    ranked = []
    original = index_module.related_by_topics

    def spying(topic_sets, count, only=None):
        ranked.append(only)
        return original(topic_sets, count, only)

    monkeypatch.setattr(index_module, "related_by_topics", spying)
    reused = _related(grown, urls, 5, memo)
    assert ranked == [[len(grown) - 1]]  # the newcomer, the oldest: the last position
    assert reused == _related(grown, urls, 5, None)


def test_ranking_split_over_two_processes_gives_the_same_lists(monkeypatch) -> None:
    """A first build ranks half the lists in a forked child: the lists are those of one
    process, for every list or for some."""
    from newsarchive.site import index

    rng = random.Random(7)
    topics = [f"t{n}" for n in range(40)]
    weights = [1 / (n + 1) for n in range(40)]
    topic_sets = [tuple(sorted(set(rng.choices(topics, weights=weights, k=rng.randint(1, 4))))) for _ in range(600)]
    monkeypatch.setattr(index, "_RANK_BESIDE_FROM", 10)
    forked: list[int] = []
    original = index.parallel.Background
    monkeypatch.setattr(index.parallel, "Background", lambda *a: forked.append(1) or original(*a))
    for only in (None, list(range(0, 600, 3))):
        assert index._ranked(topic_sets, 5, only) == related_by_topics(topic_sets, 5, only)
    assert len(forked) == 2


def test_a_build_that_makes_the_index_afresh_starts_from_the_last_related_lists(site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Where the last index is not brought up to date (site.delta), build_index starts from
    its related lists (IndexSnapshot.memo): those a change does not reach are not ranked
    again, and the site is a cold build's."""
    from dataclasses import replace
    from pathlib import Path

    from newsarchive import pipeline
    from newsarchive.commands.build import build
    from newsarchive.config import load_config
    from newsarchive.site import delta
    from sitecheck import tree

    for name, topics in (("a", "Trade, Energy"), ("b", "Trade"), ("c", "Energy"), ("e", "Water")):
        site.article(name, f"title: Story {name}\ndate: 2020-01-0{ord(name) - 96}\noutlet: Example Times\n"
                           f"topics: [{topics}]\n", "A body.\n")
    config = replace(load_config(site.root / "config.toml"), cache_dir=site.root / ".cache")
    build(config)
    site.article("d", "title: Story d\ndate: 2020-01-04\noutlet: Example Times\ntopics: [Trade]\n", "A body.\n")
    memos, ranked = [], []
    real_build, real_rank = pipeline.build_index, index_module.related_by_topics
    monkeypatch.setattr(delta, "UPDATE_MAX", 0)  # no update: the index is made afresh
    monkeypatch.setattr(pipeline, "build_index", lambda *a: memos.append(a[4] and dict(a[4].entries)) or real_build(*a))
    monkeypatch.setattr(index_module, "related_by_topics", lambda t, c, only=None: ranked.append(only) or real_rank(t, c, only))
    build(config)
    assert sorted(memos[0]) == ["articles/a.md", "articles/b.md", "articles/c.md", "articles/e.md"]
    assert memos[0]["articles/a.md"][2] == ("articles/c.md", "articles/b.md")
    assert ranked == [[1, 3, 4]]  # d, and b and a, whose lists it enters (newest first: e d c b a)
    cold = replace(config, cache_dir=None, output_dir=site.root / "cold")
    build(cold)
    assert tree(site.output) == tree(Path(cold.output_dir))
