"""Decisions about which loaded articles are published, and under which names.

Runs once over the whole tree after every file was read: registries (topics.toml,
outlets.toml) turn the names articles write into registered ones, and articles dated after
"now" are held back unless the build asks for them (`--future`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ContentError
from .model import Article, Term
from .registry import Registries, Registry, load_registries

if TYPE_CHECKING:
    from ..config import Config
    from .load import Content


def curate(content: Content, config: Config) -> None:
    """Apply registries and the future-date rule to freshly loaded content, in place."""
    registries, errors = load_registries(Path(config.content_dir))
    content.registries = registries
    content.errors.extend(errors)

    now = config.now or datetime.now(UTC)
    kept: list[Article] = []
    for article in content.articles:
        article, errs = apply_registries(article, registries)
        content.errors.extend(errs)
        if not due(article, config, now):
            content.due = min(content.due or article.date, article.date)
            content.notices.append(
                f"{article.source_path}: dated {article.date.isoformat()}, in the future; "
                "skipped (build with --future to include it)")
            continue
        kept.append(article)
    content.articles = kept


def due(article: Article, config: Config, now: datetime | None = None) -> bool:
    """Whether the article is published by this build: not dated after `now` (the build's
    clock) unless the build asks for future articles."""
    return config.future or article.date <= (now or config.now or datetime.now(UTC))


def apply_registries(article: Article, registries: Registries) -> tuple[Article, list[ContentError]]:
    """The article with registered names for its outlet and topics, or the errors found."""
    errors: list[ContentError] = []
    outlet = article.outlet
    if registries.outlets is not None:
        outlet = _canonical(article, registries.outlets, article.outlet, "outlet", errors) or outlet
    topics = article.topics
    if registries.topics is not None:
        # Nearly always: every topic registered, no two the same. Else the errors, below.
        canonical_topics = tuple([registries.topics.term(term.name) for term in topics])
        if (not any(term is None for term in canonical_topics)
                and len({term.slug for term in canonical_topics}) == len(canonical_topics)):  # type: ignore[union-attr]
            topics = canonical_topics  # type: ignore[assignment]
    if topics is article.topics and registries.topics is not None:
        seen: dict[str, str] = {}
        mapped = []
        for i, term in enumerate(article.topics):
            field = f"topics.{i}"
            canonical = _canonical(article, registries.topics, term, field, errors)
            if canonical is None:
                continue
            if canonical.slug in seen:
                errors.append(ContentError(
                    article.source_path, _line(article, field), "topics",
                    f"{term.name!r} is the registered topic {canonical.name!r}, already listed as {seen[canonical.slug]!r}",
                    f"remove {term.name!r}"))
                continue
            seen[canonical.slug] = term.name
            mapped.append(canonical)
        topics = tuple(mapped)
    if outlet == article.outlet and topics == article.topics:
        return article, errors
    return replace(article, outlet=outlet, topics=topics), errors


def _canonical(article: Article, registry: Registry, term: Term, field: str, errors: list[ContentError]) -> Term | None:
    canonical = registry.term(term.name)
    if canonical is None:
        errors.append(ContentError(
            article.source_path, _line(article, field), field.split(".")[0],
            f"{term.name!r} is not a registered {registry.kind.table} (content/{registry.kind.file})",
            registry.suggestion(term.name)))
    return canonical


def _line(article: Article, field: str) -> int:
    lines = dict(article.field_lines)
    return lines.get(field) or lines.get(field.split(".")[0], 1)
