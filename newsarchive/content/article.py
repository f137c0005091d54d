"""One article file -> one Article, or the errors that stop it.

`read_article` is a pure function of the file's text, its images and the config: the unit
of work that is cached and spread over cores.
"""

from __future__ import annotations

import os
import re
import warnings
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..config import Config
from ..errors import ContentError, did_you_mean
from ..slugs import VALID_SLUG, slug_from_filename, slugify
from . import markdown as md
from .frontmatter import FrontMatter, parse
from .image_header import HEAD_BYTES, PIXEL_LIMIT, header_size
from .model import Article, Body, Image, Page, Term

REQUIRED = ("title", "date", "outlet", "topics")
OPTIONAL = ("source_url", "byline", "summary", "updated", "language", "slug", "draft", "images", "id", "aliases")
IMAGE_FIELDS = ("src", "caption", "credit", "alt")
PAGE_FIELDS = ("title", "slug", "summary", "draft")

# Primary language subtags written right to left.
RTL_LANGUAGES = {"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ku", "ps", "sd", "ug", "ur", "yi", "syr"}
_BCP47 = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?(?:-[A-Za-z0-9]{5,8})*$")
_UUID = re.compile(r"^(urn:uuid:)?[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_NOT_IN_URLS = re.compile(r'[\x00-\x20\x7f<>"`{}|\\^]')
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


class _Fields:
    """Typed access to front matter that records an error instead of raising."""

    def __init__(self, fm: FrontMatter, path: str):
        self.fm, self.path = fm, path
        self.errors: list[ContentError] = []

    def error(self, name: str, message: str, hint: str = "", *sub: Any) -> None:
        label = ".".join([name, *map(str, sub)]) if sub else name
        self.errors.append(ContentError(self.path, self.fm.line(name, *sub), label, message, hint))

    def text(self, name: str, required: bool = False, value: Any = None, *sub: Any) -> str:
        if value is None:
            value = self.fm.values.get(name)
        if value is None:
            if required:
                self.errors.append(
                    ContentError(self.path, 1, name, "missing", f"add '{name}:' to the front matter")
                )
            return ""
        if not isinstance(value, str):
            self.error(name, f"expected text, found {_describe(value)}",
                       "put the value in quotes", *sub)
            return ""
        value = value.strip()
        if required and not value:
            self.error(name, "must not be empty", f"write a value after '{name}:'", *sub)
        control = _CONTROL.search(value)
        if control:
            # Invisible, and invalid in XML: feeds would drop it, pages would not.
            self.error(name, f"contains the invisible control character U+{ord(control[0]):04X}",
                       "remove it; it often comes from copying text out of a PDF or a word processor", *sub)
            return ""
        return value


# The settings read_article depends on (the build cache's key holds their values).
CONFIG_FIELDS = ("timezone", "content_dir", "smarty", "trust_html", "allow_iframes", "max_topics",
                 "max_file_mb", "base_url")


def read_article(rel_path: str, text: str, config: Config, renderer: md.MarkdownRenderer) -> tuple[Article | None, list[ContentError]]:
    fm, errors = parse(text, rel_path)
    if fm is None:
        return None, errors
    f = _Fields(fm, rel_path)
    _unknown_fields(f, REQUIRED + OPTIONAL)

    title = f.text("title", required=True)
    published = _datetime(f, "date", config.tz, required=True)
    updated = _datetime(f, "updated", config.tz)
    if published and updated and updated < published:
        f.error("updated", f"is before the article's date ({published.isoformat()})",
                "'updated' is when the article was last changed, so it comes after 'date'")
    outlet_name = f.text("outlet", required=True)
    topics = _topics(f, config.max_topics)
    source_url = _url(f, "source_url")
    language = _language(f)
    slug = _slug(f, rel_path)
    draft = _bool(f, "draft")
    # Strings, not Paths: made for every article, and a Path costs more than the checks.
    images = _images(f, os.path.dirname(f"{config.content_dir}/{rel_path}"), str(config.content_dir), config)
    ident = _identifier(f)
    aliases = _aliases(f, config)

    placed = _check_figures(f, fm, len(images))
    body_html = _convert(f, fm, renderer) if not f.errors else ""
    if not f.errors:
        _check_markers(f, fm, body_html, placed)
    summary = f.text("summary") or md.truncate(md.first_paragraph(body_html))
    if f.errors:
        return None, f.errors

    article = Article(
        source_path=rel_path,
        slug=slug,
        title=title,
        date=published,  # type: ignore[arg-type]
        outlet=Term(outlet_name, slugify(outlet_name)),
        topics=topics,
        body=Body(body_html),
        summary=summary,
        source_url=source_url,
        byline=f.text("byline"),
        updated=updated,
        language=language,
        direction="rtl" if language and language.split("-")[0].lower() in RTL_LANGUAGES else "ltr",
        draft=draft,
        images=images,
        trailing_images=tuple(img for n, img in enumerate(images, 1) if n > 1 and n not in placed),
        id=ident,
        aliases=aliases,
        word_count=md.word_count(body_html),
        # Fields, and the items of topics and aliases (as "topics.0"), which later checks point at.
        field_lines=tuple((".".join(map(str, k)), v) for k, v in sorted(fm.lines.items())
                          if len(k) == 1 or (len(k) == 2 and k[0] in ("topics", "aliases"))),
        notices=_removed_notices(rel_path, fm, renderer.removed),
    )
    return article, []


def read_page(rel_path: str, text: str, renderer: md.MarkdownRenderer) -> tuple[Page | None, bool, list[ContentError]]:
    """A static page: title and body, optionally slug, summary, draft. Returns (page, draft, errors)."""
    fm, errors = parse(text, rel_path)
    if fm is None:
        return None, False, errors
    f = _Fields(fm, rel_path)
    _unknown_fields(f, PAGE_FIELDS)
    title = f.text("title", required=True)
    slug = _slug(f, rel_path)
    draft = _bool(f, "draft")
    if f.errors:
        return None, draft, f.errors
    body_html = _convert(f, fm, renderer)
    summary = f.text("summary") or md.truncate(md.first_paragraph(body_html))
    if f.errors:
        return None, draft, f.errors
    notices = _removed_notices(rel_path, fm, renderer.removed)
    return Page(rel_path, slug, title, body_html, summary, notices), draft, f.errors


def _convert(f: _Fields, fm: FrontMatter, renderer: md.MarkdownRenderer) -> str:
    """The body as (sanitised) HTML; a body Markdown cannot handle is an error, not a crash."""
    try:
        return renderer.convert(fm.body)
    except RecursionError:
        f.errors.append(ContentError(f.path, fm.body_line, "body", "is nested too deeply to convert",
                                     "reduce the nesting of lists, quotes or HTML elements"))
        return ""


def _check_markers(f: _Fields, fm: FrontMatter, body_html: str, placed: set[int]) -> None:
    """Each image the body places must come out exactly once, where a `[[figure N]]` line was.

    A `[[figure N]]` swallowed by a raw HTML block would lose its image silently, and a
    marker comment written by hand would point anywhere: both are errors.
    """
    found = [int(n) for n in md.FIGURE_MARKER.findall(body_html)]
    if sorted(found) == sorted(placed):
        return
    missing = sorted(placed - set(found))
    if missing:
        line = next((fm.body_line + off for off, n in md.figure_references(fm.body) if n == missing[0]), fm.body_line)
        f.errors.append(ContentError(f.path, line, "body", f"[[figure {missing[0]}]] is inside a raw HTML block",
                                     "put a blank line before and after the HTML block, and keep the figure line outside it"))
    else:
        offset = fm.body.find("newsarchive")
        line = fm.body_line + fm.body[:offset].count("\n") if offset >= 0 else fm.body_line
        f.errors.append(ContentError(f.path, line, "body", "contains a figure marker written by hand",
                                     "place images with a line [[figure N]]"))


def _removed_notices(rel_path: str, fm: FrontMatter, removed: list[str]) -> tuple[str, ...]:
    """One notice per raw tag the sanitiser removed, at the line where it first appears."""
    if not removed:
        return ()
    notices = []
    lowered = fm.body.lower()
    for name in removed:
        offset = lowered.find("<" + name)
        line = fm.body_line + (lowered[:offset].count("\n") if offset >= 0 else 0)
        notices.append(f"{rel_path}:{line}: body: <{name}> removed by the HTML sanitiser "
                       "(allowed HTML is listed in the README; trust_html = true keeps raw HTML)")
    return tuple(notices)


def _unknown_fields(f: _Fields, known: tuple[str, ...]) -> None:
    for key in f.fm.values:
        if key not in known:
            hint = did_you_mean(key, known) or "known fields: " + ", ".join(known)
            f.error(key, "unknown field", hint)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a yes/no value)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    return repr(value)


def _datetime(f: _Fields, name: str, tz: tzinfo, required: bool = False) -> datetime | None:
    raw = f.fm.values.get(name)
    if raw is None:
        if required:
            f.errors.append(ContentError(f.path, 1, name, "missing", f"add '{name}: YYYY-MM-DD'"))
        return None
    if not isinstance(raw, str):
        f.error(name, f"expected a date like 2016-06-22, found {_describe(raw)}",
                "write YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS+HH:MM with a UTC offset")
        return None
    text = raw.strip()
    hint = "write YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS+HH:MM with a UTC offset"
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            value = datetime.combine(date.fromisoformat(text), time(0), tz)
        elif not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?", text):
            f.error(name, f"{text!r} is not an ISO 8601 date", hint)
            return None
        else:
            value = datetime.fromisoformat(text)
    except ValueError as exc:
        f.error(name, f"{text!r} is not a real date ({exc})", hint)
        return None
    try:
        # One time zone for URLs, archive pages and display: the site's. The instant is kept.
        value = value.astimezone(tz) if value.tzinfo else value.replace(tzinfo=tz)
        # Feeds and sitemaps write UTC, and listings look a day either side.
        utc = value.astimezone(UTC)
        _ = (utc - timedelta(days=2), utc + timedelta(days=2))
    except OverflowError:
        f.error(name, f"{text!r} is too close to the year 1 or 9999 to be handled",
                "archive dates lie between the years 1 and 9999")
        return None
    return value


def _topics(f: _Fields, limit: int) -> tuple[Term, ...]:
    raw = f.fm.values.get("topics")
    if raw is None:
        f.errors.append(ContentError(f.path, 1, "topics", "missing", "add 'topics: [Topic one, Topic two]'"))
        return ()
    if isinstance(raw, str):
        f.error("topics", "expected a list of topics, found a single text",
                f"write topics: [{raw}]")
        return ()
    if not isinstance(raw, list) or not raw:
        f.error("topics", "expected a non-empty list of topics", "write topics: [Topic one, Topic two]")
        return ()
    if len(raw) > limit:
        # Each topic is a page of the site: thousands on one article is a mistake, not tagging.
        f.error("topics", f"{len(raw)} topics, more than the limit of {limit}",
                "keep the topics that matter, or raise max_topics in config.toml")
        return ()
    terms: dict[str, Term] = {}
    for i, item in enumerate(raw):
        name = f.text("topics", True, item, i) if item is not None else ""
        if item is None:
            f.error("topics", "an empty topic", "remove the empty entry", i)
        if not name:
            continue
        term = Term(name, slugify(name))
        if term.slug in terms:
            f.error("topics", f"{name!r} is listed twice", "remove one", i)
            continue
        terms[term.slug] = term
    return tuple(terms.values())


def _url(f: _Fields, name: str) -> str:
    value = f.text(name)
    if value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
            f.error(name, f"expected an absolute http(s) address, found {value!r}",
                    "copy the full address, starting with https://")
            return ""
        bad = _NOT_IN_URLS.search(value)
        if bad:
            # Never in a real address (RFC 3986), always in an attempt to break out of one.
            f.error(name, f"{bad[0]!r} is not allowed in an address",
                    "copy the address from the browser's address bar, which encodes such characters, e.g. %22 for \"")
            return ""
    return value


def _language(f: _Fields) -> str:
    raw = f.fm.values.get("language")
    if raw is False:  # YAML 1.1 reads a bare `no` (Norwegian) as false
        f.error("language", "found false", 'quote the tag: language: "no"')
        return ""
    value = f.text("language")
    if value and not _BCP47.match(value):
        f.error("language", f"{value!r} is not a BCP 47 language tag", "e.g. en, ar, fa, pt-BR")
        return ""
    return value


def _slug(f: _Fields, rel_path: str) -> str:
    value = f.text("slug")
    if value:
        if not VALID_SLUG.match(value):
            f.error("slug", f"{value!r} is not a valid slug",
                    "use lowercase letters, digits and single hyphens, e.g. kerry-meets-diplomats")
            return ""
        return value
    return slug_from_filename(os.path.splitext(os.path.basename(rel_path))[0])


def _bool(f: _Fields, name: str) -> bool:
    value = f.fm.values.get(name, False)
    if not isinstance(value, bool):
        f.error(name, f"expected true or false, found {_describe(value)}", f"write {name}: true or {name}: false")
        return False
    return value


def _aliases(f: _Fields, config: Config) -> tuple[str, ...]:
    """Old addresses of the article, as paths below the site's base ('old/path/', 'story.html').

    Each becomes a redirect page, so only a path the site itself could serve is accepted.
    """
    raw = f.fm.values.get("aliases")
    if raw is None:
        return ()
    example = "e.g. aliases: [/2016/06/old-slug/]"
    if isinstance(raw, str):
        f.error("aliases", "expected a list of addresses, found a single text", f"write aliases: [{raw}]")
        return ()
    if not isinstance(raw, list):
        f.error("aliases", f"expected a list of addresses, found {_describe(raw)}", example)
        return ()
    found: list[str] = []
    for i, item in enumerate(raw):
        value = f.text("aliases", True, item, i) if item is not None else ""
        if not value:
            if item is None:
                f.error("aliases", "an empty address", "remove the empty entry", i)
            continue
        path, problem = alias_path(value, config)
        if problem:
            f.error("aliases", f"{value!r} {problem}", example, i)
        elif path in found:
            f.error("aliases", f"{value!r} is listed twice", "remove one", i)
        else:
            found.append(path)
    return tuple(found)


def alias_path(value: str, config: Config) -> tuple[str, str]:
    """(path below the site's base, '') or ('', why it cannot be a redirect of this site)."""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != config.origin:
            return "", f"is not an address of this site ({config.origin}); a redirect can only live on the site"
        if not parts.path.startswith(config.base_path):
            return "", f"is outside the site's path {config.base_path}"
        value = "/" + parts.path[len(config.base_path):]
        parts = urlsplit(value)
    if parts.query or parts.fragment or "?" in value or "#" in value:
        return "", "has a query or fragment, which a static site cannot redirect"
    if not value.startswith("/"):
        return "", "must be a path from the site's root, starting with /"
    if "\\" in value or "%" in value or any(ord(c) < 32 for c in value):
        return "", "contains a backslash, URL encoding or a control character (write the path decoded)"
    segments = value.strip("/").split("/")
    if value == "/" or any(s in ("", ".", "..") for s in segments):
        return "", "is not a plain path (no '..', '.', '//', and not the home page)"
    rel = "/".join(segments)
    if not rel.endswith((".html", ".htm")):
        rel += "/"  # served as a folder's index.html, as static hosts do
    return rel, ""


def _identifier(f: _Fields) -> str:
    value = f.text("id")
    if value and not (_UUID.match(value) or _URI.match(value)):
        f.error("id", f"{value!r} is not a URI or UUID",
                "write it once and never change it, e.g. tag:example.org,2016-06-22:kerry-diplomats")
        return ""
    return value


def _images(f: _Fields, folder: Path | str, content_root: Path | str, config: Config | None = None) -> tuple[Image, ...]:
    raw = f.fm.values.get("images")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        f.error("images", "expected a list of images",
                "each image is '- caption: …' with optional src, credit and alt")
        return ()
    images = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            f.error("images", f"expected an image with caption, src, credit, alt; found {_describe(item)}",
                    "write '- caption: …' on its own line", i)
            continue
        for key in item:
            if key not in IMAGE_FIELDS:
                f.error("images", "unknown image field",
                        did_you_mean(str(key), IMAGE_FIELDS) or "image fields: " + ", ".join(IMAGE_FIELDS), i, key)
        caption = f.text("images", True, item.get("caption"), i, "caption") if "caption" in item else ""
        if "caption" not in item:
            f.error("images", "caption is missing", "every image needs a caption", i)
        src = f.text("images", False, item.get("src"), i, "src") if item.get("src") is not None else ""
        width = height = 0
        if src:
            problem = unsafe_relative_path(src)
            if problem:
                f.error("images", f"{src!r} {problem}", "give a path relative to the article's folder, e.g. images/photo.jpg", i, "src")
                src = ""
            elif not _inside(folder, src, content_root, config):
                f.error("images", f"{src!r} is a link to a file outside the content folder",
                        "copy the image into content/ instead", i, "src")
                src = ""
            elif not os.path.isfile(path := f"{folder}/{src}"):
                f.error("images", f"file {src!r} not found next to the article",
                        f"put it at {(Path(folder) / src).as_posix()} or remove src to keep only the caption", i, "src")
                src = ""
            else:
                try:
                    width, height = image_size(path)
                except ImageTooLarge as exc:
                    # Every reader's browser would have to decode it: a "decompression bomb".
                    f.error("images", f"{src!r} is {exc}, too large to publish",
                            f"resize it below {exc.limit // 1_000_000} million pixels", i, "src")
                    src = ""
        images.append(
            Image(
                caption=caption,
                credit=f.text("images", False, item.get("credit"), i, "credit") if item.get("credit") is not None else "",
                alt=f.text("images", False, item.get("alt"), i, "alt") if item.get("alt") is not None else "",
                src=src,
                width=width,
                height=height,
            )
        )
    return tuple(images)


# Real paths (links resolved) of the content folder and the folders articles live in, for
# one build (one Config object): resolving a whole path costs a system call per component,
# and thousands of articles share a few folders.
_real_paths: dict[str, Any] = {"config": None, "paths": {}}


def _real_path(config: Config, path: str) -> str:
    if _real_paths["config"] is not config:
        _real_paths.update(config=config, paths={})
    paths = _real_paths["paths"]
    real = paths.get(path)
    if real is None:
        real = paths[path] = os.path.realpath(path)
    return real  # type: ignore[no-any-return]


def _inside(folder: Path | str, src: str, content_root: Path | str, config: Config | None) -> bool:
    """(folder / src).resolve().is_relative_to(content_root.resolve()), for a src already
    found safe (relative, no '..'): the folders' real paths are looked up once per build,
    and only src's own components are checked for links (any link: resolved in full)."""
    if config is not None:
        real = _real_path(config, str(folder))
        for part in (part for part in src.split("/") if part and part != "."):
            real = os.path.join(real, part)
            if os.path.islink(real):
                break
        else:
            # Both are real paths, without '.', '..' or doubled slashes: a prefix test is
            # Path.is_relative_to, at a fraction of the cost.
            root = _real_path(config, str(content_root))
            return real == root or real.startswith(root if root.endswith("/") else root + "/")
    return (Path(folder) / src).resolve().is_relative_to(Path(content_root).resolve())


def unsafe_relative_path(value: str) -> str:
    """Why a path from content may not be used as given, or '' when it is safe."""
    if "\x00" in value or "\\" in value:
        return "contains a backslash or NUL"
    if "%" in value:
        return "contains URL encoding"
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) or value.startswith("//"):
        return "is an address; remote images are not fetched"
    if value.startswith("/"):
        return "is an absolute path"
    if ".." in value.split("/"):
        return "goes up out of the article's folder"
    return ""


class ImageTooLarge(ValueError):
    """An image whose header declares more pixels than a browser should be asked to decode."""

    def __init__(self, pixels: int, limit: int):
        super().__init__(f"{pixels / 1e6:,.0f} million pixels")
        self.pixels, self.limit = pixels, limit


def image_size(path: Path | str) -> tuple[int, int]:
    """Pixel size from the file header, so pages reserve the space (no layout shift)."""
    try:
        with open(path, "rb") as handle:
            size = header_size(handle.read(HEAD_BYTES))
    except OSError:
        return 0, 0
    if size is None:
        size = _pillow_size(path)
    width, height = size
    if width * height > PIXEL_LIMIT:
        raise ImageTooLarge(width * height, PIXEL_LIMIT)
    return width, height


def _pillow_size(path: Path | str) -> tuple[int, int]:
    """Any format Pillow reads (WebP, AVIF, TIFF…), and whatever header_size left to it."""
    # Here, not at the top: most builds never need Pillow (see image_header.py).
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Only the header is read; the caller decides what is too large.
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with PILImage.open(path) as img:
                return img.size  # type: ignore[no-any-return]
    except PILImage.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise ImageTooLarge(int(found[1]) if found else 0, PIXEL_LIMIT) from None
    except (UnidentifiedImageError, OSError, ValueError):
        return 0, 0


def _check_figures(f: _Fields, fm: FrontMatter, count: int) -> set[int]:
    """Validate `[[figure N]]` lines; returns the image numbers the body places."""
    placed: set[int] = set()
    for offset, number in md.figure_references(fm.body):
        line = fm.body_line + offset
        if number == 1:
            f.errors.append(ContentError(f.path, line, "body", "[[figure 1]] is the lead image, shown above the body",
                                         "place images 2 and later in the body"))
        elif not 1 <= number <= count:
            f.errors.append(ContentError(f.path, line, "body", f"[[figure {number}]] but the article has {count} image(s)",
                                         "number images from 1 in the order of 'images:'"))
        elif number in placed:
            f.errors.append(ContentError(f.path, line, "body", f"[[figure {number}]] is placed twice", "keep one"))
        placed.add(number)
    return placed
