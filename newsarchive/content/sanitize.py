"""The HTML allow-list for article and page bodies.

Bodies are Markdown, and Markdown lets an author write raw HTML. An archive takes text from
many outlets and many hands, so that HTML is cleaned with nh3 (the Rust `ammonia`
sanitiser, which parses like a browser does) against the allow-list below: what Markdown
itself produces (footnotes, tables, attribute lists, code, definition lists, abbreviations)
plus the ordinary elements of news text. Scripts, styles, forms, embeds, event handlers and
`javascript:`/`data:` addresses are removed. A site that trusts every contributor can turn
this off with `trust_html = true`; iframes are allowed only from the https hosts listed in
`allow_iframes`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import nh3

TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p",
    "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
})
# Removed together with everything inside them (other unknown tags lose the tag, keep the text).
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
    "textarea", "select", "button", "form", "frameset", "frame", "applet", "noembed",
})
GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir"})
ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "hreflang"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "blockquote": frozenset({"cite"}),
    "q": frozenset({"cite"}),
    "del": frozenset({"cite", "datetime"}),
    "ins": frozenset({"cite", "datetime"}),
    "time": frozenset({"datetime"}),
    "abbr": frozenset({"title"}),
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "td": frozenset({"colspan", "rowspan", "headers", "style"}),
    "th": frozenset({"colspan", "rowspan", "headers", "scope", "style"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "details": frozenset({"open"}),
}
# Markdown's tables align cells with `style="text-align: …"`; no other CSS gets through.
STYLE_PROPERTIES = frozenset({"text-align"})
# Relative addresses are kept (links to other articles, images next to the article).
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
IFRAME_ATTRIBUTES = frozenset({"src", "width", "height", "title", "allow", "allowfullscreen", "loading"})
# An allowed iframe still runs sandboxed: it may run its player, never navigate this page.
IFRAME_SANDBOX = "allow-scripts allow-same-origin allow-popups allow-presentation"

# Where the body places image N; the renderer swaps it for the figure's markup.
FIGURE_MARKER = re.compile(r"<!--newsarchive:figure (\d+)-->")

# Figure markers are comments, and comments are stripped: they cross the sanitiser as this
# element and are turned back into comments afterwards.
_SENTINEL = "newsarchive-figure"
_EMPTY_IFRAME = re.compile(r"<iframe\b(?:(?!\ssrc=)[^>])*>.*?</iframe>", re.S)
_SENTINEL_RE = re.compile(rf'<{_SENTINEL} data-n="(\d+)"></{_SENTINEL}>')


@dataclass(frozen=True)
class HtmlPolicy:
    """What raw HTML a site accepts in bodies; the default is the safe one."""

    trust_html: bool = False
    iframe_hosts: tuple[str, ...] = ()

    def clean(self, html: str) -> str:
        """The body with everything outside the allow-list removed, figure markers kept."""
        if self.trust_html:
            return html
        html = FIGURE_MARKER.sub(lambda m: f'<{_SENTINEL} data-n="{int(m[1])}"></{_SENTINEL}>', html)
        cleaned = _cleaner(self.iframe_hosts).clean(html)
        if self.iframe_hosts:  # an iframe whose address was refused is an empty box: drop it
            cleaned = _EMPTY_IFRAME.sub("", cleaned)
        # The one named entity the serialiser writes; numeric keeps the body valid XML too.
        cleaned = cleaned.replace("&nbsp;", "&#160;")
        return _SENTINEL_RE.sub(lambda m: f"<!--newsarchive:figure {m[1]}-->", cleaned)


@functools.lru_cache(maxsize=8)
def _cleaner(iframe_hosts: tuple[str, ...]) -> nh3.Cleaner:
    """Building a cleaner costs more than cleaning an article: one per policy, reused."""
    tags = set(TAGS) | {_SENTINEL}
    attributes = {tag: set(names) for tag, names in ATTRIBUTES.items()}
    attributes["*"] = set(GLOBAL_ATTRIBUTES)
    attributes[_SENTINEL] = {"data-n"}
    dropped = set(DROPPED_WITH_CONTENT)
    set_values: dict[str, dict[str, str]] = {}
    if iframe_hosts:
        tags.add("iframe")
        dropped.discard("iframe")
        attributes["iframe"] = set(IFRAME_ATTRIBUTES)
        set_values["iframe"] = {"sandbox": IFRAME_SANDBOX}

    def keep(tag: str, attr: str, value: str) -> str | None:
        if tag == "iframe" and attr == "src":
            parts = urlsplit(value)
            host = (parts.hostname or "").lower()
            return value if parts.scheme == "https" and host in iframe_hosts else None
        return value

    return nh3.Cleaner(
        tags=tags,
        clean_content_tags=dropped,
        attributes=attributes,
        # Asked of every attribute of every element (a Python call each): only when there
        # are iframes to check.
        attribute_filter=keep if iframe_hosts else None,
        strip_comments=True,
        link_rel=None,
        url_schemes=set(URL_SCHEMES),
        filter_style_properties=set(STYLE_PROPERTIES),
        set_tag_attribute_values=set_values or None,
    )


def removed_tags(html: str, policy: HtmlPolicy) -> list[str]:
    """Names of the raw tags the policy will remove, to tell the author (in order, once each).

    Only a report: the sanitiser itself decides what is removed, from a real parse.
    """
    if policy.trust_html:
        return []
    allowed = TAGS | ({"iframe"} if policy.iframe_hosts else set())
    seen: list[str] = []
    for name in re.findall(r"<([A-Za-z][A-Za-z0-9-]*)", html):
        name = name.lower()
        if name not in allowed and name != _SENTINEL and name not in seen:
            seen.append(name)
    return seen
