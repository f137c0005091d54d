"""schema.org JSON-LD for article pages, safe to embed in a <script> element.

Search engines read `NewsArticle` for headline, dates, authorship and images; `isBasedOn`
and `sameAs` point at the original article, since the page is an archived copy of it.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from ..config import Config
from ..content.model import Article
from ..site import ids
from ..site.urls import Urls

# Inside <script>, "</script>" or "<!--" in a title would end or derail the element; these
# escapes keep the JSON identical to a parser and inert to the HTML tokenizer.
_SCRIPT_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


# json.dumps with these options, without making an encoder for every page.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def script_json(data: Any) -> Markup:
    """JSON text for a <script type="application/ld+json"> element, on one line: machines
    read it, and without indentation the json module's C encoder writes it (a tenth of an
    article page's time, with indentation)."""
    text = _ENCODER.encode(data)
    for char, escape in _SCRIPT_SAFE.items():
        text = text.replace(char, escape)
    return Markup(text)


def news_article(article: Article, urls: Urls, config: Config) -> dict[str, Any]:
    url = urls.absolute(urls.article(article))
    outlet = {"@type": "Organization", "name": article.outlet.name}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "identifier": ids.article_id(article, ids.authority(config)),
        "headline": article.title,
        "description": article.summary,
        "datePublished": article.date.isoformat(),
        "dateModified": article.modified.isoformat(),
        "author": [{"@type": "Person", "name": article.byline}] if article.byline else [outlet],
        "publisher": outlet,
        "inLanguage": article.language or config.language,
        "keywords": [topic.name for topic in article.topics],
        "wordCount": article.word_count,
    }
    images = [urls.absolute(urls.image(article, image)) for image in article.images if image.src]
    if images:
        data["image"] = images
    if article.source_url:
        data["isBasedOn"] = article.source_url
        data["sameAs"] = article.source_url
    return data


def article_json_ld(article: Article, urls: Urls, config: Config) -> Markup:
    return script_json(news_article(article, urls, config))
