"""Helpers for tests that inspect a built site: trees, links, hashes."""

from __future__ import annotations

import hashlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root, by relative path, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def tree_digest(root: Path) -> dict[str, str]:
    return {k: hashlib.sha256(v).hexdigest() for k, v in tree(root).items()}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def broken_links(output: Path, base_url: str) -> list[str]:
    """Internal href/src values in every HTML file that point at no file in output."""
    base = urlsplit(base_url)
    broken = []
    for page in sorted(output.rglob("*.html")):
        page_rel = page.relative_to(output).as_posix()
        for link in links_of(page.read_text(encoding="utf-8")):
            parts = urlsplit(link)
            if parts.scheme in ("mailto", "javascript", "data") or link.startswith("#"):
                continue
            if parts.scheme or parts.netloc:
                if parts.netloc != base.netloc:
                    continue  # external
                path = parts.path
            elif link.startswith("/"):
                path = parts.path
            else:  # relative to the page's folder
                path = "/" + (Path(page_rel).parent / parts.path).as_posix()
                path = base.path.rstrip("/") + path
            if not path.startswith(base.path):
                broken.append(f"{page_rel}: {link} (outside {base.path})")
                continue
            rel = unquote(path[len(base.path):])
            target = output / rel
            if rel == "" or rel.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page_rel}: {link}")
    return broken
