"""Related articles: the fast level-by-level ranking equals the plain definition."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_never_itself_and_only_sharing_articles() -> None:
    assert related_by_topics([("a",), ("b",), ("a", "b")], 5) == [[2], [2], [0, 1]]
