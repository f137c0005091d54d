"""RSS 2.0 and Atom 1.0 documents of a feed, written by feedgen (see feeds.py).

Apart from feeds.py so that feedgen and lxml are imported only by a build that writes a
feed: most rebuilds keep every feed as it was.
"""

from __future__ import annotations

import html

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem
from lxml import etree

from .absolute import xml_safe
from .feeds import DC_NS, DCTERMS_NS, MEDIA_NS, XML_LANG, Feed, FeedItem

# --- RSS 2.0 and Atom 1.0, by feedgen -------------------------------------------------------

class _ArchiveFeedExtension(BaseExtension):
    def extend_ns(self) -> dict[str, str]:
        return {"media": MEDIA_NS, "dc": DC_NS, "dcterms": DCTERMS_NS}


class _ArchiveEntryExtension(BaseEntryExtension):
    """What feedgen cannot write: Media RSS with caption and credit, Dublin Core, xml:lang."""

    item: FeedItem | None = None

    def set(self, item: FeedItem) -> None:
        self.item = item

    def extend_rss(self, entry):  # type: ignore[no-untyped-def]
        item = self.item
        assert item is not None
        # RSS <author> must be an e-mail address; dc:creator is what readers show instead.
        _text(entry, f"{{{DC_NS}}}creator", item.byline or item.outlet)
        _text(entry, f"{{{DC_NS}}}publisher", item.outlet)
        if item.source_url:
            _text(entry, f"{{{DC_NS}}}source", item.source_url)
        if item.language:
            _text(entry, f"{{{DC_NS}}}language", item.language)
        # RSS has only pubDate; dcterms:modified carries corrections (feedparser: `updated`).
        _text(entry, f"{{{DCTERMS_NS}}}modified", item.updated.isoformat())
        self._media(entry)
        return entry

    def extend_atom(self, entry):  # type: ignore[no-untyped-def]
        item = self.item
        assert item is not None
        if item.language:
            entry.set(XML_LANG, item.language)
        # feedgen 1.0.0 drops rel and type from entry links: write them here. "via" is
        # Atom's "the source of the information in the entry", i.e. the original article.
        for link in entry.findall("link"):
            entry.remove(link)
        xml_elem("link", entry, rel="alternate", type="text/html", href=item.url)
        if item.source_url:
            xml_elem("link", entry, rel="via", type="text/html", href=item.source_url,
                     title=f"Originally published by {item.outlet}")
        _text(entry, f"{{{DC_NS}}}publisher", item.outlet)
        self._media(entry)
        return entry

    def _media(self, entry):  # type: ignore[no-untyped-def]
        assert self.item is not None
        for n, image in enumerate(self.item.images):
            content = xml_elem(f"{{{MEDIA_NS}}}content", entry, url=image.url, medium="image")
            if image.mime != "image/*":
                content.set("type", image.mime)
            if image.width and image.height:
                content.set("width", str(image.width))
                content.set("height", str(image.height))
            if n == 0:
                content.set("isDefault", "true")
            description = xml_elem(f"{{{MEDIA_NS}}}description", content, type="plain")
            description.text = image.caption
            if image.credit:
                _text(content, f"{{{MEDIA_NS}}}credit", image.credit)


def _text(parent, tag: str, text: str):  # type: ignore[no-untyped-def]
    element = xml_elem(tag, parent)
    element.text = text
    return element


class _Entry(FeedEntry):
    """One article's entry, filled in once."""

    def __init__(self, item: FeedItem):
        super().__init__()
        self.register_extension("archive", _ArchiveEntryExtension)  # add_entry's again: ignored
        self.id(item.id)  # also the RSS guid, isPermaLink="false": an id, not an address
        self.title(item.title)
        self.link(href=item.url, rel="alternate", type="text/html")  # Atom links: see extend_atom
        self.published(item.published)
        self.updated(item.updated)
        if item.byline:
            self.author(name=item.byline)
        else:
            self.author(name=item.outlet, uri=item.outlet_url)
        self.summary(item.summary, type="text")
        self.description(html.escape(item.summary, quote=False))  # RSS: HTML, so escaped text
        self.content(item.content_html, type="html")
        for category in (*item.topics, item.outlet_category):
            self.category(term=category.name, scheme=category.scheme, label=category.name)
        self.archive.set(item)


class _Wrapper:
    """Serialises entries exactly as lxml writes them inside a feed: an entry's bytes in a
    pretty-printed document depend only on the entry, its depth and the namespaces declared
    above it, and a feed of this generator declares the same ones at the same depth. So an
    entry is written once, inside an empty feed of the same kind, and its bytes are put into
    every feed that has it."""

    def __init__(self, kind: str):
        fg = _generator()
        fg.id("urn:newsarchive:wrapper")
        fg.title("wrapper")
        fg.description("wrapper")
        fg.link(href="https://wrapper.invalid/", rel="alternate")
        fg.updated("2000-01-01T00:00:00+00:00")
        self.kind = kind
        root, _ = fg._create_rss() if kind == "rss" else fg._create_atom()  # noqa: SLF001 - the tree rss_str writes
        self.parent = root[0] if kind == "rss" else root
        for child in list(self.parent):
            self.parent.remove(child)
        self.root = root
        self.start = b"<channel>\n" if kind == "rss" else b">\n"  # what the entries follow
        self.end = _END[kind]

    def entry(self, entry: _Entry) -> bytes:
        element = entry.rss_entry() if self.kind == "rss" else entry.atom_entry()
        self.parent.append(element)
        try:
            data = etree.tostring(self.root, pretty_print=True, encoding="UTF-8", xml_declaration=False)
        finally:
            self.parent.remove(element)
        return data[data.index(self.start) + len(self.start):data.rindex(self.end)]


# In a pretty-printed feed, what follows the last entry: the entries go just before it.
_END = {"rss": b"  </channel>", "atom": b"</feed>"}


class FeedEntries:
    """Each article's entries as bytes (RSS, Atom), made once per process; kept for the
    articles in more than one of the feeds to write (`repeated`: their ids), so memory grows
    with those alone."""

    def __init__(self, repeated: set[str] | frozenset[str] = frozenset()):
        self._repeated = repeated
        self._made: dict[str, tuple[bytes, bytes]] = {}
        self._wrappers: tuple[_Wrapper, _Wrapper] | None = None

    def __call__(self, item: FeedItem) -> tuple[bytes, bytes]:
        made = self._made.get(item.id)
        if made is None:
            if self._wrappers is None:
                self._wrappers = (_Wrapper("rss"), _Wrapper("atom"))
            entry = _Entry(item)
            made = (self._wrappers[0].entry(entry), self._wrappers[1].entry(entry))
            if item.id in self._repeated:
                self._made[item.id] = made
        return made


def _generator() -> FeedGenerator:
    fg = FeedGenerator()
    fg.register_extension("archive", _ArchiveFeedExtension, _ArchiveEntryExtension)
    return fg


def xml_feeds(feed: Feed, entries: FeedEntries | None = None) -> tuple[bytes, bytes]:
    """The RSS 2.0 and the Atom 1.0 document of one feed: feedgen writes the feed without its
    entries, and each entry's bytes (FeedEntries) go where feedgen would have put them."""
    entries = entries or FeedEntries()
    fg = _generator()
    fg.id(feed.id)
    fg.title(xml_safe(feed.title))
    fg.description(xml_safe(feed.description))
    fg.language(feed.language)
    fg.generator("newsarchive")  # no version or address: the bytes depend on content only
    if feed.icon_url:
        fg.icon(feed.icon_url)
    fg.updated(feed.updated)  # Atom <updated> and RSS <lastBuildDate>; feedgen's default is now()
    made = [entries(item) for item in feed.items]

    # feedgen's RSS channel <link> is the last link given: self first, then the page.
    fg.link([{"href": feed.rss_url, "rel": "self", "type": "application/rss+xml"},
             {"href": feed.home_url, "rel": "alternate", "type": "text/html"}], replace=True)
    rss = _with_entries(fg.rss_str(pretty=True), "rss", [rss for rss, _ in made])
    fg.link([{"href": feed.atom_url, "rel": "self", "type": "application/atom+xml"},
             {"href": feed.home_url, "rel": "alternate", "type": "text/html"}], replace=True)
    atom = _with_entries(fg.atom_str(pretty=True), "atom", [atom for _, atom in made])
    return rss, atom


def _with_entries(document: bytes, kind: str, entries: list[bytes]) -> bytes:
    at = document.rindex(_END[kind])
    return b"".join((document[:at], *entries, document[at:]))
