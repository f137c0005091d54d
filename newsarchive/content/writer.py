"""Writing article files (for `new` and `import`): front matter that reads back exactly.

Every value is written plain when the project's own loader reads it back unchanged, and
double-quoted otherwise, so a title such as "Yes: 2016" never turns into a list or a number.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ..errors import ContentError
from ..slugs import slugify
from .frontmatter import _Loader
from .load import decode
from .registry import Registries, Registry

_FLOW_UNSAFE = re.compile(r"[,\[\]{}#]")


def scalar(value: str, in_flow: bool = False) -> str:
    if value and value == value.strip() and "\n" not in value and not (in_flow and _FLOW_UNSAFE.search(value)):
        try:
            if yaml.load(f"k: {value}\n", Loader=_Loader) == {"k": value}:  # noqa: S506 (safe loader)
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted one


def front_matter(fields: dict[str, Any]) -> str:
    """`---`, one line per field (lists of text inline, lists of images as blocks), `---`."""
    out = ["---"]
    for key, value in fields.items():
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, bool):
            out.append(f"{key}: {'true' if value else 'false'}")
        elif isinstance(value, date):
            out.append(f"{key}: {value.isoformat()}")
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out.append(f"{key}: [" + ", ".join(scalar(v, in_flow=True) for v in value) + "]")
        elif isinstance(value, list):
            out.append(f"{key}:")
            for item in value:
                first = True
                for k, v in item.items():
                    if v:
                        out.append(("  - " if first else "    ") + f"{k}: {scalar(v)}")
                        first = False
        else:
            out.append(f"{key}: {scalar(str(value))}")
    out.append("---")
    return "\n".join(out) + "\n"


def article_path(content_dir: Path, day: date, slug: str) -> Path:
    """Where a new article goes: content/articles/YYYY/MM/<slug>.md."""
    return Path(content_dir) / "articles" / f"{day:%Y}" / f"{day:%m}" / f"{slug}.md"


def resolve_names(registries: Registries, outlet: str, topics: list[str], where: str,
                  line: int = 0) -> tuple[str, list[str], list[str], list[ContentError]]:
    """Registered spellings of an outlet and topics: (outlet, topics, notices, errors)."""
    notices: list[str] = []
    errors: list[ContentError] = []

    def one(registry: Registry | None, name: str, field: str) -> str:
        if registry is None:
            return name
        entry = registry.lookup(name)
        if entry is None:
            errors.append(ContentError(where, line, field,
                                       f"{name!r} is not a registered {registry.kind.table} (content/{registry.kind.file})",
                                       registry.suggestion(name)))
            return name
        if entry.name != name:
            notices.append(f"{field}: {name!r} is registered as {entry.name!r}; written as {entry.name!r}")
        return entry.name

    outlet = one(registries.outlets, outlet, "outlet") if outlet else outlet
    resolved: list[str] = []
    for name in topics:
        canonical = one(registries.topics, name, "topics")
        if slugify(canonical) in {slugify(t) for t in resolved}:
            notices.append(f"topics: {name!r} is {canonical!r}, listed already; written once")
            continue
        resolved.append(canonical)
    return outlet, resolved, notices, errors


_SOURCE_LINE = re.compile(r"^source_url:[ \t]*[\"']?([^\"'\n]+?)[\"']?[ \t]*$", re.M)


def find_source(content_dir: Path, url: str) -> str:
    """The article (relative to content/) that already archives this address, or ''."""
    from ..commands.check import normalise_source  # the one definition of "the same story"

    wanted = normalise_source(url)
    root = Path(content_dir) / "articles"
    if not root.is_dir():
        return ""
    for path in sorted(root.rglob("*.md")):
        text, _ = decode(path.read_bytes(), path.name)
        head = (text or "")[:4000]
        for match in _SOURCE_LINE.finditer(head):
            if normalise_source(match[1].strip()) == wanted:
                return path.relative_to(content_dir).as_posix()
    return ""


def split_list(value: str) -> list[str]:
    """'Syria, US foreign policy' -> ['Syria', 'US foreign policy']."""
    return [part.strip() for part in value.split(",") if part.strip()]
