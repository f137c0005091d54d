"""Permanent ids: how a feed reader knows it has already shown an article.

An id must survive every edit an archive makes: a corrected title, body, topics or date, a
new slug, a move to another base_url. So an id never contains any of those:

- an article's own `id:` (a URI or UUID written once in its front matter) is used as is;
  a bare UUID becomes `urn:uuid:<uuid>`;
- otherwise the id is derived from what names the archived article itself, its original
  address: `tag:<authority>:source:<source_url>`;
- an article with neither falls back to its file: `tag:<authority>:file:<path without .md>`
  (renaming or moving the file changes it: such articles should get an `id:`).

`<authority>` is the configured `id_authority` (RFC 4151: a domain or e-mail address and a
date), never derived from base_url, so that moving the site keeps every id.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

from ..config import Config
from ..content.model import Article
from ..errors import ContentError

# Used when config.toml sets no id_authority: fixed, so ids stay put whatever else changes.
FALLBACK_AUTHORITY = "newsarchive.invalid,2026"

_BARE_UUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
# RFC 4151 `specific`: pchar / "/" / "?"; everything else is percent-encoded.
_TAG_SAFE = "/?:@!$&'()*+,;=-._~%"


def authority(config: Config) -> str:
    return config.id_authority or FALLBACK_AUTHORITY


def article_id(article: Article, authority_name: str) -> str:
    if article.id:
        if _BARE_UUID.match(article.id):
            return "urn:uuid:" + article.id.lower()
        if article.id.lower().startswith("urn:uuid:"):
            return "urn:uuid:" + article.id[9:].lower()
        return article.id
    if article.source_url:
        return f"tag:{authority_name}:source:{_specific(article.source_url)}"
    return f"tag:{authority_name}:file:{_specific(article.source_path.removesuffix('.md'))}"


def feed_id(authority_name: str, *parts: str) -> str:
    """The Atom id of a feed: the site's, or a topic's or outlet's (by slug)."""
    return f"tag:{authority_name}:feed" + "".join(":" + _specific(p) for p in parts)


def mint_id(authority_name: str, published: date, slug: str) -> str:
    """A new id for a new article, to be written into its front matter once (`new`, `import`).

    It records the date and slug the article had when it was added, as plain text: later
    changes to either do not (and must not) change the id.
    """
    return f"tag:{authority_name}:{published:%Y-%m-%d}:{_specific(slug)}"


def check_ids(articles: list[Article], authority_name: str) -> list[ContentError]:
    """Two articles may not share an id, whether written or derived.

    Identical written ids are already reported by the site index; this catches derived ids
    that collide (two files archiving one source_url) and written ids equal to derived ones.
    """
    errors = []
    seen: dict[str, Article] = {}
    for article in sorted(articles, key=lambda a: a.source_path):
        ident = article_id(article, authority_name)
        other = seen.get(ident)
        if other is None:
            seen[ident] = article
            continue
        if article.id and other.id and article.id == other.id:
            continue  # reported by site/index.py
        field = "id" if article.id else ("source_url" if article.source_url else "id")
        hint = ("give each article its own permanent 'id:' (a tag: URI or a UUID)"
                if not article.id else "ids are permanent and unique: give this article its own")
        errors.append(ContentError(
            article.source_path, article.line_of(field), field,
            f"gives the feed id {ident!r}, which {other.source_path} already has", hint))
    return errors


def notices(articles: list[Article], config: Config) -> list[str]:
    """What a maintainer should hear (with -v) about ids that are derived, not written."""
    derived = [a for a in articles if not a.id]
    if not derived:
        return []
    where = "" if config.id_authority else (
        f" under the fallback authority {FALLBACK_AUTHORITY!r}: set id_authority in config.toml"
        " before the first publication")
    files = [a.source_path for a in derived if not a.source_url]
    moved = (f"; {len(files)} of them from their file name, which a rename would change "
             f"(e.g. {files[0]}): give those an 'id:'" if files else "")
    return [f"feeds: {len(derived)} article(s) have no 'id:', so their feed ids are derived{where}{moved}"]


def _specific(text: str) -> str:
    return quote(text, safe=_TAG_SAFE)
