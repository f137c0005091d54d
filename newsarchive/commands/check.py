"""`check`: everything a build validates, and what only a maintainer's review would catch.

On top of the build's own validation (every file read, every page rendered, into a
throwaway folder), `check` verifies that links and images in bodies lead somewhere the
site has, that every image file in content/ is used, that no story is archived twice
(two articles with one source_url), and that topics and outlets are registered.

Drafts and future-dated articles are checked too: they will be published one day.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit

from ..config import Config
from ..content.load import Content, load_content
from ..content.model import Article
from ..content.registry import OUTLETS, TOPICS, Kind
from ..errors import BuildError, ContentError, did_you_mean
from ..output import forget_output
from ..site.index import build_index
from ..site.urls import Urls
from .build import build
from .new import PLACEHOLDER

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg"}
_LINK = re.compile(r"<(a|img)\b[^>]*?\s(href|src)=\"([^\"]*)\"", re.I)


@dataclass
class CheckReport:
    errors: list[ContentError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    articles: int = 0
    pages: int = 0


def check(config: Config, only: Sequence[Path] = ()) -> CheckReport:
    """Every problem of the site; with `only`, those in (or involving) these files."""
    config = replace(config, drafts=True, future=True)
    content = load_content(config)
    urls = Urls(config)
    index, errors = build_index(content.articles, content.pages, urls, config.related_count)
    errors = content.errors + errors
    can_render = not errors  # what a build would stop at; the checks below do not stop it
    errors += _registries_exist(content, config)
    errors += _duplicate_sources(content.articles)
    errors += _unused_images(content.articles, Path(config.content_dir))
    errors += _placeholders(content.articles, Path(config.content_dir))

    if can_render:
        # Render the whole site where nobody looks, then test links against what was written.
        with tempfile.TemporaryDirectory(prefix="newsarchive-check-") as tmp:
            site = Path(tmp) / "site"
            try:
                build(replace(config, output_dir=site))
            except BuildError as exc:
                errors += exc.errors
            else:
                errors += _links(index.articles, urls, config, site)
            finally:
                forget_output(config.cache_dir, site)  # the folder goes: so does what the cache knew of it

    report = CheckReport(sorted(set(errors)), list(content.notices), len(content.articles), len(content.pages))
    # A changed registry or configuration can break any article: then everything is reported.
    if only and all(p.suffix == ".md" or p.suffix.lower() in IMAGE_SUFFIXES for p in only):
        report.errors = _about(report.errors, only, Path(config.content_dir))
    return report


def display_path(error: ContentError, content_dir: Path) -> ContentError:
    """The error with its path relative to the working folder, as editors and CI expect."""
    for candidate in (Path(content_dir) / error.path, Path(error.path)):
        if candidate.exists():
            return replace(error, path=os.path.relpath(candidate))
    if error.path in ("topics.toml", "outlets.toml"):  # a registry that should exist
        return replace(error, path=os.path.relpath(Path(content_dir) / error.path))
    return error


def _about(errors: list[ContentError], only: Sequence[Path], content_dir: Path) -> list[ContentError]:
    wanted = {p.resolve() for p in only}
    names = {os.path.relpath(p, content_dir.resolve()) for p in wanted}

    def concerns(error: ContentError) -> bool:
        for candidate in (content_dir / error.path, Path(error.path)):
            if candidate.resolve() in wanted:
                return True
        return any(name in error.message for name in names)  # "… already the URL of <file>"

    return [e for e in errors if concerns(e)]


def _registries_exist(content: Content, config: Config) -> list[ContentError]:
    errors = []
    for kind, registry, used in (
        (TOPICS, content.registries.topics, {t.name for a in content.articles for t in a.topics}),
        (OUTLETS, content.registries.outlets, {a.outlet.name for a in content.articles}),
    ):
        if registry is None and used and not (Path(config.content_dir) / kind.file).exists():
            errors.append(ContentError(kind.file, 0, "", f"there is no {kind.file}, so {kind.table}s are not curated",
                                       _registry_hint(kind, sorted(used))))
    return errors


def _registry_hint(kind: Kind, names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:8]) + (" …" if len(names) > 8 else "")
    return (f"create content/{kind.file} with one [[{kind.table}]] name = \"…\" per {kind.table}; "
            f"in use: {shown}")


def normalise_source(url: str) -> str:
    """One key per story: http and https, www. or not, a trailing slash or not are the same page."""
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def _duplicate_sources(articles: Iterable[Article]) -> list[ContentError]:
    seen: dict[str, Article] = {}
    errors = []
    for article in sorted(articles, key=lambda a: a.source_path):
        if not article.source_url:
            continue
        key = normalise_source(article.source_url)
        first = seen.setdefault(key, article)
        if first is not article:
            errors.append(ContentError(
                article.source_path, article.line_of("source_url"), "source_url",
                f"{article.source_url!r} was already archived as {first.source_path}",
                "the same story is kept once: delete one file, or merge them and list the removed "
                "article's address under 'aliases:'"))
    return errors


def _placeholders(articles: Iterable[Article], content_dir: Path) -> list[ContentError]:
    """An article whose body is still the text `new` wrote would publish that text."""
    marker = PLACEHOLDER.split("\n")[0]
    words = marker.split(": ")[1]  # no quote marks, which smarty would change
    errors = []
    for article in articles:
        if words in article.body_html:
            lines = (content_dir / article.source_path).read_text(encoding="utf-8").split("\n")
            line = next((n for n, text in enumerate(lines, 1) if text.startswith(marker[:30])), 1)
            errors.append(ContentError(article.source_path, line, "body", "still holds the placeholder text of `new`",
                                       "replace it with the article's text"))
    return errors


def _unused_images(articles: Iterable[Article], content_dir: Path) -> list[ContentError]:
    used = {
        (content_dir / PurePosixPath(a.source_path).parent / image.src).resolve()
        for a in articles for image in a.images if image.src
    }
    errors = []
    for folder in ("articles", "pages"):
        root = content_dir / folder
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file() and path.resolve() not in used:
                rel = path.relative_to(content_dir).as_posix()
                errors.append(ContentError(rel, 0, "", "image file is not used by any article",
                                           "add it to an article's 'images:' with src, or delete it"))
    return errors


def _links(articles: Iterable[Article], urls: Urls, config: Config, site: Path) -> list[ContentError]:
    """Links and images in bodies that point into the site must reach a file the build wrote."""
    known = sorted(urls.article(a) for a in articles)
    errors = []
    for article in articles:
        page = urls.article(article)
        source_lines: list[str] | None = None
        for match in _LINK.finditer(article.body_html):
            tag, raw = match[1].lower(), html.unescape(match[3])
            target = _internal_path(raw, page, urls, config)
            if target is None:
                continue
            if not target.startswith(urls.base):
                problem = f"leads outside the site (to {target})"
            elif _exists(urls, target, site):
                continue
            else:
                problem = "leads to no page of the site" if tag == "a" else "is not an image the site publishes"
            if source_lines is None:
                source_lines = (Path(config.content_dir) / article.source_path).read_text(encoding="utf-8").split("\n")
            line = next((n for n, text in enumerate(source_lines, 1) if raw in text), 1)
            if tag == "a":
                hint = did_you_mean(target, known) or "link to an article as /YYYY/MM/slug/, or remove the link"
            else:
                hint = "list the image under 'images:' with src and place it with [[figure N]]"
            errors.append(ContentError(article.source_path, line, "body",
                                       f"{'link' if tag == 'a' else 'image'} {raw!r} {problem}", hint))
    return errors


def _internal_path(raw: str, page: str, urls: Urls, config: Config) -> str | None:
    """The site path a link points to, or None for links elsewhere (and in-page anchors)."""
    if not raw or raw.startswith("#"):
        return None
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        absolute = urlsplit(urljoin(config.base_url, raw))
        if f"{absolute.scheme}://{absolute.netloc}" != urls.origin:
            return None
        return absolute.path or "/"
    return urlsplit(urljoin(page, raw)).path


def _exists(urls: Urls, path: str, site: Path) -> bool:
    rel = urls.output_file(path)
    target = site / str(rel)
    return target.is_file() or (target.is_dir() and (target / "index.html").is_file())
