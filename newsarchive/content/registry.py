"""Controlled vocabularies: content/topics.toml and content/outlets.toml.

A registry is optional. When one exists, it is the authority: every topic (or outlet) an
article names must be registered, under its name or one of its aliases (matched ignoring
case and accents, like URL slugs), and articles are filed under the registered name.
Registry descriptions are shown on the topic and outlet pages.

    # content/topics.toml                      # content/outlets.toml
    [[topic]]                                  [[outlet]]
    name = "Syria"                             name = "Press TV"
    description = "The war in Syria…"          homepage = "https://www.presstv.ir/"
    aliases = ["Syrian civil war"]             country = "Iran"
                                               language = "en"
                                               description = "Iran's English-language…"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import ContentError, did_you_mean
from ..slugs import slugify
from .model import Term

_UNSEEN = object()

_BCP47 = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?(?:-[A-Za-z0-9]{5,8})*$")


@dataclass(frozen=True)
class Entry:
    """One registered topic or outlet. Fields an entry kind does not have stay empty."""

    name: str
    slug: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    homepage: str = ""
    country: str = ""
    language: str = ""


@dataclass(frozen=True)
class Kind:
    """What differs between the two registries."""

    file: str  # relative to the content folder
    table: str  # the [[table]] name of one entry
    field: str  # the article field it controls
    fields: tuple[str, ...]


TOPICS = Kind("topics.toml", "topic", "topics", ("name", "description", "aliases"))
OUTLETS = Kind("outlets.toml", "outlet", "outlet", ("name", "homepage", "country", "language", "description"))


@dataclass
class Registry:
    kind: Kind
    entries: list[Entry] = field(default_factory=list)
    # slug of a name or alias -> its entry
    _by_slug: dict[str, Entry] = field(default_factory=dict)
    # name -> what lookup found: ten thousand articles spell a few hundred names.
    _found: dict[str, Entry | None] = field(default_factory=dict, repr=False, compare=False)

    # name -> the registered Term it stands for: one object per entry, made once.
    _terms: dict[str, Term | None] = field(default_factory=dict, repr=False, compare=False)

    def lookup(self, name: str) -> Entry | None:
        if name not in self._found:
            self._found[name] = self._by_slug.get(slugify(name))
        return self._found[name]

    def term(self, name: str) -> Term | None:
        """The registered name and slug for `name` (a name or an alias), or None."""
        found = self._terms.get(name, _UNSEEN)
        if found is _UNSEEN:
            entry = self.lookup(name)
            found = self._terms[name] = None if entry is None else Term(entry.name, entry.slug)
        return found  # type: ignore[return-value]

    def entry(self, slug: str) -> Entry | None:
        """The entry whose own name has this slug (aliases excluded)."""
        found = self._by_slug.get(slug)
        return found if found is not None and found.slug == slug else None

    def spellings(self) -> list[str]:
        return sorted({e.name for e in self.entries} | {a for e in self.entries for a in e.aliases})

    def suggestion(self, name: str) -> str:
        """'did you mean …?' over names and aliases, or how to register the name."""
        close = did_you_mean(name, self.spellings())
        if close:
            return close
        return f"add it to content/{self.kind.file} ([[{self.kind.table}]] name = \"{name}\")"


@dataclass
class Registries:
    topics: Registry | None = None
    outlets: Registry | None = None


def load_registries(content_dir: Path) -> tuple[Registries, list[ContentError]]:
    errors: list[ContentError] = []
    found = Registries()
    for kind in (TOPICS, OUTLETS):
        path = content_dir / kind.file
        if not path.is_file():
            continue
        registry, errs = read_registry(path, kind)
        errors += errs
        if kind is TOPICS:
            found.topics = registry
        else:
            found.outlets = registry
    return found, errors


def read_registry(path: Path, kind: Kind) -> tuple[Registry | None, list[ContentError]]:
    """The registry, or None when the file cannot be read as one (so articles are not
    reported as unregistered on top of the file's own error)."""
    registry = Registry(kind)
    display = kind.file
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except UnicodeDecodeError:
        return None, [ContentError(display, 0, "", "not valid UTF-8", "save the file as UTF-8")]
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(exc)
        return None, [ContentError(display, line, "", f"not valid TOML: {exc}",
                                       f"each entry is [[{kind.table}]] followed by lines 'key = \"value\"'")]
    lines = _Lines(text, kind.table)
    errors: list[ContentError] = []
    for key in raw:
        if key != kind.table:
            errors.append(ContentError(display, lines.top_level(key), key, "unknown table",
                                       f"every entry starts with [[{kind.table}]]"
                                       + (f"; {did_you_mean(key, [kind.table])}" if did_you_mean(key, [kind.table]) else "")))
    items = raw.get(kind.table, [])
    if not isinstance(items, list):
        errors.append(ContentError(display, lines.top_level(kind.table), kind.table,
                                   "expected a list of entries, found a single table",
                                   f"write [[{kind.table}]] (double brackets) before each entry"))
        return None, errors
    for i, item in enumerate(items):
        entry, errs = _entry(item, i, kind, display, lines)
        errors += errs
        if entry is None:
            continue
        for spelling in (entry.name, *entry.aliases):
            slug = slugify(spelling)
            other = registry._by_slug.get(slug)
            if other is not None:
                what = "alias" if spelling != entry.name else "name"
                errors.append(ContentError(
                    display, lines.entry(i, "aliases" if what == "alias" else "name"), f"{kind.table}[{i + 1}].{what}",
                    f"{spelling!r} is already registered (as {other.name!r})",
                    "each name and alias may appear once; merge the two entries"))
            else:
                registry._by_slug[slug] = entry
        registry.entries.append(entry)
    registry.entries.sort(key=lambda e: (e.name.casefold(), e.slug))
    return registry, errors


def _entry(item: Any, i: int, kind: Kind, display: str, lines: _Lines) -> tuple[Entry | None, list[ContentError]]:
    errors: list[ContentError] = []
    label = f"{kind.table}[{i + 1}]"

    def err(key: str, message: str, hint: str = "") -> None:
        errors.append(ContentError(display, lines.entry(i, key), f"{label}.{key}" if key else label, message, hint))

    if not isinstance(item, dict):
        err("", "expected a table of fields", f"start the entry with [[{kind.table}]]")
        return None, errors
    for key in item:
        if key not in kind.fields:
            err(key, "unknown field", did_you_mean(key, kind.fields) or "fields: " + ", ".join(kind.fields))
    values: dict[str, Any] = {}
    for key in kind.fields:
        value = item.get(key)
        if value is None:
            continue
        if key == "aliases":
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                err(key, f"expected a list of names, found {value!r}", 'e.g. aliases = ["Syrian civil war"]')
                continue
            values[key] = tuple(v.strip() for v in value)
        elif not isinstance(value, str):
            err(key, f"expected text, found {value!r}", "put the value in double quotes")
        else:
            values[key] = value.strip()
    name = values.get("name", "")
    if not name:
        err("name" if "name" in item else "", "the name is missing" if "name" not in item else "the name is empty",
            f"every [[{kind.table}]] needs name = \"…\", spelled as articles write it")
    homepage = values.get("homepage", "")
    if homepage:
        parts = urlsplit(homepage)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            err("homepage", f"expected an absolute http(s) address, found {homepage!r}", "e.g. \"https://www.presstv.ir/\"")
    language = values.get("language", "")
    if language and not _BCP47.match(language):
        err("language", f"{language!r} is not a BCP 47 language tag", "e.g. en, ar, fa, pt-BR")
    if not name:
        return None, errors
    # Registered despite other mistakes, so articles naming it do not fail as well.
    return Entry(slug=slugify(name), **values), errors


class _Lines:
    """Line numbers for a TOML file, which tomllib does not report: found by scanning."""

    def __init__(self, text: str, table: str):
        self.lines = text.split("\n")
        header = re.compile(r"^\s*\[\[\s*" + re.escape(table) + r"\s*\]\]")
        self.starts = [n for n, line in enumerate(self.lines) if header.match(line)]

    def top_level(self, key: str) -> int:
        pattern = re.compile(r"^\s*\[{0,2}\s*\"?" + re.escape(key) + r"\b")
        for n, line in enumerate(self.lines):
            if pattern.match(line):
                return n + 1
        return 0

    def entry(self, i: int, key: str) -> int:
        if i >= len(self.starts):
            return 0
        start = self.starts[i]
        end = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.lines)
        if key:
            pattern = re.compile(r"^\s*\"?" + re.escape(key) + r"\"?\s*=")
            for n in range(start, end):
                if pattern.match(self.lines[n]):
                    return n + 1
        return start + 1


def _toml_error_line(exc: tomllib.TOMLDecodeError) -> int:
    lineno = getattr(exc, "lineno", None)
    if lineno:
        return int(lineno)
    match = re.search(r"line (\d+)", str(exc))
    return int(match[1]) if match else 0
