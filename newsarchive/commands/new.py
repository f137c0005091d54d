"""`new`: scaffold an article file where it belongs, with what is known about it already.

The file is checked with the same rules as a build before it is written (registered
outlet and topics, a valid address, not archived already), and an existing file is never
overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from ..config import Config
from ..content.registry import load_registries
from ..content.writer import article_path, find_source, front_matter, resolve_names
from ..errors import BuildError, ContentError
from ..site.ids import authority, mint_id
from ..slugs import VALID_SLUG, slugify

PLACEHOLDER = ("Paste the article's text here: one paragraph per block, blank lines between them.\n"
               "Place image 2 and later with a line [[figure 2]] where the outlet showed them.\n")


@dataclass
class NewArticle:
    title: str
    outlet: str
    topics: list[str]
    source_url: str = ""
    day: date | None = None
    slug: str = ""
    draft: bool = True
    byline: str = ""


@dataclass
class Created:
    path: Path
    notices: list[str] = field(default_factory=list)


def new_article(config: Config, spec: NewArticle) -> Created:
    """Write the scaffold and return its path; raises BuildError with every problem found."""
    where = "new"
    errors: list[ContentError] = []
    registries, reg_errors = load_registries(Path(config.content_dir))
    errors += reg_errors
    title = spec.title.strip()
    if not title:
        errors.append(ContentError(where, 0, "title", "is empty", 'give the headline: new "Kerry meets diplomats" …'))
    if not spec.outlet.strip():
        errors.append(ContentError(where, 0, "outlet", "is missing", 'pass --outlet "Press TV"'))
    if not spec.topics:
        errors.append(ContentError(where, 0, "topics", "are missing", 'pass --topics "Syria, Diplomacy"'))
    outlet, topics, notices, name_errors = resolve_names(registries, spec.outlet.strip(), spec.topics, where)
    errors += name_errors
    errors += check_source_url(config, spec.source_url, where)
    slug = spec.slug or slugify(title)
    if spec.slug and not VALID_SLUG.match(spec.slug):
        errors.append(ContentError(where, 0, "slug", f"{spec.slug!r} is not a valid slug",
                                   "use lowercase letters, digits and single hyphens"))
    day = spec.day or datetime.now(config.tz).date()
    path = article_path(Path(config.content_dir), day, slug)
    if path.exists():
        errors.append(ContentError(str(path), 0, "", "already exists; it was left as it was",
                                   "edit that file, or pass --slug to choose another name"))
    if errors:
        raise BuildError(errors)

    text = front_matter({
        "title": title,
        "date": day,
        "outlet": outlet,
        "topics": topics,
        "source_url": spec.source_url,
        "byline": spec.byline,
        "id": mint_id(authority(config), day, slug),  # the permanent feed id, written once
        "draft": True if spec.draft else None,
    }) + "\n" + PLACEHOLDER
    write_new(path, text)
    return Created(path, notices)


def check_source_url(config: Config, url: str, where: str) -> list[ContentError]:
    if not url:
        return []
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        return [ContentError(where, 0, "source_url", f"expected an absolute http(s) address, found {url!r}",
                             "copy the full address, starting with https://")]
    existing = find_source(Path(config.content_dir), url)
    if existing:
        return [ContentError(where, 0, "source_url", f"{url!r} is already archived as {existing}",
                             "the same story is kept once; edit that file instead")]
    return []


def write_new(path: Path, text: str) -> None:
    """Create the file; never replace one (even one created a moment ago by someone else)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(text)


def display(path: Path) -> str:
    try:
        return PurePosixPath(path.resolve().relative_to(Path.cwd().resolve())).as_posix()
    except ValueError:
        return str(path)
