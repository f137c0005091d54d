"""Redirect pages for articles' old addresses (`aliases:` in front matter).

A static host cannot answer 301, so each old address gets a tiny page: an immediate meta
refresh, a canonical link (search engines move the old address's standing to the new one)
and a plain link for anything that ignores both.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from ..content.model import Article
from ..errors import ContentError
from ..site.urls import RESERVED, Urls
from .pages import PageJob


def redirect_jobs(articles: list[Article], urls: Urls, taken: set[str]) -> tuple[list[PageJob], list[ContentError]]:
    """One page per alias; an alias may not take a file the site writes (`taken`, paths
    relative to output/), or another's alias."""
    jobs: list[PageJob] = []
    errors: list[ContentError] = []
    claimed: dict[PurePosixPath, Article] = {}
    for article in sorted([a for a in articles if a.aliases], key=lambda a: a.source_path):
        lines = dict(article.field_lines)
        for i, rel in enumerate(article.aliases):
            url = urls.alias(rel)
            file = urls.output_file(url)
            line = lines.get(f"aliases.{i}") or lines.get("aliases", 1)
            problem = ""
            if file == urls.output_file(urls.article(article)):
                problem = "is the article's own address"
            elif rel.split("/")[0] in RESERVED:
                problem = f"is under /{rel.split('/')[0]}/, which the site itself uses"
            elif file.as_posix() in taken:
                problem = "is the address of a page the site has"
            elif file in claimed:
                problem = f"is already an alias of {claimed[file].source_path}"
            if problem:
                errors.append(ContentError(article.source_path, line, "aliases", f"'/{rel}' {problem}",
                                           "an alias is an old address that no longer has a page; remove it"))
                continue
            claimed[file] = article
            target = urls.absolute(urls.article(article))
            jobs.append(PageJob(url, "redirect.html", {"title": article.title, "article": article, "target": target}))
    return jobs, errors
