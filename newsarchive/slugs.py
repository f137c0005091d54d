"""Slugs: the URL-safe names of articles, topics and outlets, for any script."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}[-_]")
# A slug an author writes: letters and digits of any script, joined by single hyphens.
VALID_SLUG = re.compile(r"^[^\W_]+(?:-[^\W_]+)*$")


# Memoised: every article names its outlet and topics, and a few hundred names recur in
# tens of thousands of articles (a str in, a str out: nothing to go stale).
@lru_cache(maxsize=8192)
def slugify(name: str) -> str:
    """'Économie & Finance' -> 'economie-finance'; 'سوريا' -> 'سوريا'.

    Accents are dropped from Latin letters only: stripping the combining marks of other
    scripts (Devanagari vowel signs, say) would change the word itself.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    kept = []
    for ch in decomposed:
        if unicodedata.combining(ch) and kept and kept[-1].isascii():
            continue
        kept.append(ch)
    text = unicodedata.normalize("NFC", "".join(kept)).casefold()
    words = re.findall(r"[^\W_]+", text)
    slug = "-".join(words)
    if not slug:
        # A name made only of symbols still needs a stable, distinct slug.
        slug = "t-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return slug


def slug_from_filename(stem: str) -> str:
    """'2016-06-22-kerry-meets-diplomats' -> 'kerry-meets-diplomats' (Jekyll-style names)."""
    return slugify(_DATE_PREFIX.sub("", stem))
