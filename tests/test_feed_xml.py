"""feed_xml writes each entry once and puts its bytes into every feed that has it: the
documents must be byte for byte those feedgen writes when it is given the entries itself."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from newsarchive.render import feed_xml
from newsarchive.render.feeds import Category, Feed, FeedImage, FeedItem

TITLES = ["Budget <b>talks</b> & the euro", "سوريا اليوم", "Ünïcödé “quotes” — and ]]> too", "Plain",
          "日本語のタイトル", "Tabs\tand  spaces", "a < b > c & 'd' \"e\""]
BODIES = ["<p>One</p>", "<p>Two <a href=\"https://x.example/?a=1&amp;b=2\">link</a></p>\n<pre>  kept\n</pre>",
          "<p>نص المقالة.</p>", "", "<figure><img src=\"https://x.example/a.png\" alt=\"\"></figure>",
          "<p>]]&gt; &amp; <![CDATA[not]]&gt;</p>"]
ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-4))]


def _item(rng: random.Random, n: int) -> FeedItem:
    published = datetime(2000 + rng.randrange(26), 1 + rng.randrange(12), 1 + rng.randrange(28),
                         rng.randrange(24), rng.randrange(60), tzinfo=rng.choice(ZONES))
    images = tuple(
        FeedImage(url=f"https://x.example/{n}/{k}.png", caption=rng.choice(TITLES), credit=rng.choice(["", "Agency"]),
                  mime=rng.choice(["image/png", "image/*", "image/jpeg"]),
                  width=rng.choice([0, 640]), height=rng.choice([0, 480]))
        for k in range(rng.randrange(3)))
    return FeedItem(
        id=f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        url=f"https://x.example/{published.year}/{n}/",
        title=rng.choice(TITLES),
        summary=rng.choice(TITLES + [""]),
        content_html=rng.choice(BODIES),
        published=published,
        updated=published + timedelta(days=rng.randrange(3)),
        outlet=rng.choice(["Example Times", "الجريدة"]),
        outlet_url="https://x.example/outlets/example-times/",
        byline=rng.choice(["", "Jane Doe", "Ana & Bo"]),
        topics=tuple(Category(name, "https://x.example/topics/") for name in rng.sample(["Politics", "Économie", "سوريا"], rng.randrange(3))),
        outlet_category=Category("Example Times", "https://x.example/outlets/"),
        source_url=rng.choice(["", "https://source.example/a?b=1&c=2#d"]),
        language=rng.choice(["", "ar", "fr"]),
        images=images,
    )


def _feed(items: tuple[FeedItem, ...], n: int) -> Feed:
    return Feed(id=f"https://x.example/feed/{n}", title=f"Feed {n} & <co>", description="Every article",
                home_url="https://x.example/", language=["en", "ar"][n % 2], items=items,
                rss_url="https://x.example/feed.xml", atom_url="https://x.example/atom.xml",
                icon_url=["", "https://x.example/favicon.svg"][n % 2])


def _feedgen_documents(feed: Feed) -> tuple[bytes, bytes]:
    """The same feed, with feedgen given the entries: what xml_feeds must equal."""
    fg = feed_xml._generator()
    fg.id(feed.id)
    fg.title(feed.title)
    fg.description(feed.description)
    fg.language(feed.language)
    fg.generator("newsarchive")
    if feed.icon_url:
        fg.icon(feed.icon_url)
    fg.updated(feed.updated)
    for item in feed.items:
        fg.add_entry(feed_xml._Entry(item), order="append")
    fg.link([{"href": feed.rss_url, "rel": "self", "type": "application/rss+xml"},
             {"href": feed.home_url, "rel": "alternate", "type": "text/html"}], replace=True)
    rss = fg.rss_str(pretty=True)
    fg.link([{"href": feed.atom_url, "rel": "self", "type": "application/atom+xml"},
             {"href": feed.home_url, "rel": "alternate", "type": "text/html"}], replace=True)
    return rss, fg.atom_str(pretty=True)


@pytest.mark.parametrize("seed", range(6))
def test_spliced_feeds_equal_feedgen_documents(seed: int):
    rng = random.Random(seed)
    items = [_item(rng, n) for n in range(12)]
    entries = feed_xml.FeedEntries(frozenset(item.id for item in items[:6]))  # some kept, some not
    for n in range(5):
        feed = _feed(tuple(rng.sample(items, rng.randrange(len(items) + 1))), n)
        assert feed_xml.xml_feeds(feed, entries) == _feedgen_documents(feed)


def test_an_empty_feed_equals_feedgen_document():
    feed = _feed((), 0)
    assert feed_xml.xml_feeds(feed) == _feedgen_documents(feed)


def test_a_kept_entry_is_written_once():
    """A repeated article's entry is serialised for its first feed, then reused."""
    rng = random.Random(9)
    item = _item(rng, 1)
    entries = feed_xml.FeedEntries(frozenset({item.id}))
    first = entries(item)
    assert entries(item) is first
    other = feed_xml.FeedEntries()
    assert other(item) == first and other(item) is not first
