"""The plain data model: what a loaded article or page is, nothing about how it is shown."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Body:
    """An article's body HTML: held in memory, or kept in the build cache and read when a
    page needs it, so a build's memory grows with the metadata, not with the text."""

    text: str | None = None
    # Where in the build cache: `size` bytes at `offset` of a file written once and never
    # changed, which holds the bodies of the articles read beside this one.
    path: str = ""
    offset: int = 0
    size: int = 0
    key: str = ""  # the article's cache key: a digest of everything it was made from

    def html(self) -> str:
        if self.text is not None:
            return self.text
        fd = os.open(self.path, os.O_RDONLY)
        try:
            data = os.pread(fd, self.size, self.offset)
        finally:
            os.close(fd)
        if len(data) != self.size:
            raise OSError(f"{self.path}: cut short (the build cache was changed during the build)")
        return data.decode("utf-8")


@dataclass(frozen=True)
class Image:
    caption: str
    credit: str = ""
    alt: str = ""
    # Path relative to the article's folder; "" when only the caption was kept.
    src: str = ""
    width: int = 0
    height: int = 0

    @property
    def alt_text(self) -> str:
        return self.alt or self.caption


@dataclass(frozen=True)
class Term:
    """A topic or an outlet: a display name and the slug its pages live under."""

    name: str
    slug: str


@dataclass(frozen=True)
class Article:
    # Where it came from, relative to the content folder (forward slashes).
    source_path: str
    slug: str
    title: str
    date: datetime  # aware; in the offset the author wrote, or the site's time zone
    outlet: Term
    topics: tuple[Term, ...]
    body: Body
    summary: str
    source_url: str = ""
    byline: str = ""
    updated: datetime | None = None
    language: str = ""
    direction: str = "ltr"
    draft: bool = False
    images: tuple[Image, ...] = ()
    # Images after the lead that the body did not place itself; shown after the body.
    trailing_images: tuple[Image, ...] = ()
    id: str = ""
    # Old addresses (paths below the site's base, e.g. 'old/slug/') that redirect here.
    aliases: tuple[str, ...] = ()
    word_count: int = 0
    # (field, line) pairs, so site-wide checks can still point at the exact line.
    field_lines: tuple[tuple[str, int], ...] = ()
    # Things the author should know that do not stop the build (e.g. raw HTML removed).
    notices: tuple[str, ...] = ()

    def line_of(self, name: str) -> int:
        return dict(self.field_lines).get(name, 1)

    @property
    def body_html(self) -> str:
        return self.body.html()

    @property
    def lead_image(self) -> Image | None:
        return self.images[0] if self.images else None

    @property
    def modified(self) -> datetime:
        return self.updated or self.date


@dataclass(frozen=True)
class Page:
    """A static page such as 'about', from content/pages/."""

    source_path: str
    slug: str
    title: str
    body_html: str
    summary: str = ""
    notices: tuple[str, ...] = ()
