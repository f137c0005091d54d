"""The site's configuration: loaded from config.toml, validated, then passed everywhere."""

from __future__ import annotations

import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import BuildError, ContentError, did_you_mean

# RFC 4151 taggingEntity: (DNS name | e-mail address) "," year["-"month["-"day]].
_DNS = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
TAGGING_ENTITY = re.compile(rf"(?:{_DNS}|[A-Za-z0-9._-]+@{_DNS}),\d{{4}}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?")


@dataclass(frozen=True)
class ImportRules:
    """How `import` reads one outlet's copied pages ([import.outlets."Name"] in config.toml).

    Each pattern is a regular expression matched against a whole line (spaces trimmed).
    """

    outlet: str
    # A photo caption line; named groups `caption` and (optionally) `credit`.
    captions: tuple[str, ...] = ()
    # Page furniture dropped wherever it appears ("SHARE THIS ARTICLE").
    drop: tuple[str, ...] = ()
    # The first line matching one of these starts the trailing boilerplate: it and all after go.
    end: tuple[str, ...] = ()
    # Where the outlet's addresses carry the date: named groups `year`, `month`, `day`.
    date_from_source_url: str = ""


@dataclass(frozen=True)
class Config:
    """Every setting a build depends on. Paths are resolved, never relative to the cwd."""

    title: str = "News archive"
    base_url: str = "http://localhost:8000/"
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    per_page: int = 20
    # Home pages of latest articles; older ones are reached by date, topic and outlet, so
    # adding an article does not shift hundreds of home pages. 0: every article.
    home_pages: int = 10
    related_count: int = 5
    feed_length: int = 50
    smarty: bool = False
    # RFC 4151 tagging entity ("example.org,2026") for the permanent ids of articles that do
    # not carry their own `id:`; see site/ids.py. "" uses a fixed fallback, never base_url.
    id_authority: str = ""
    # Raw HTML in bodies: cleaned against an allow-list unless the site trusts its authors.
    trust_html: bool = False
    allow_iframes: tuple[str, ...] = ()  # https hosts whose iframes are kept
    # Inputs larger than this are refused: a 50 MB "article" is a mistake, not news.
    max_file_mb: int = 5
    max_topics: int = 100
    # Where things live; set from the command line or the config file's folder.
    content_dir: Path = field(default=Path("content"))
    output_dir: Path = field(default=Path("output"))
    # The build cache (see newsarchive/cache.py); None builds without one.
    cache_dir: Path | None = None
    templates_dir: Path = field(default=Path("templates"))
    static_dir: Path = field(default=Path("static"))
    drafts: bool = False
    import_rules: tuple[ImportRules, ...] = ()
    # Articles dated after `now` are skipped unless `future`. None: the clock, read once
    # per build for this decision only (so output for a given now is deterministic).
    future: bool = False
    now: datetime | None = None

    def resolved(self) -> Config:
        """The same settings with every folder as an absolute path: `content` and
        `/site/content` given from the site's folder are one configuration."""
        folders = {name: Path(getattr(self, name)).resolve()
                   for name in ("content_dir", "output_dir", "templates_dir", "static_dir")}
        if self.cache_dir is not None:
            folders["cache_dir"] = Path(self.cache_dir).resolve()
        return replace(self, **folders)

    @property
    def base_path(self) -> str:
        """The sub-path the site lives under: '/' or e.g. '/archive/'."""
        return urlsplit(self.base_url).path

    @property
    def origin(self) -> str:
        """scheme://host[:port] of base_url, to make site paths absolute."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


# Settings a user may write in config.toml, with the type each must have.
_SETTINGS: dict[str, type] = {
    "title": str,
    "base_url": str,
    "description": str,
    "language": str,
    "timezone": str,
    "per_page": int,
    "home_pages": int,
    "related_count": int,
    "feed_length": int,
    "smarty": bool,
    "id_authority": str,
    "trust_html": bool,
    "allow_iframes": list,
    "max_file_mb": int,
    "max_topics": int,
}
_TYPE_HINTS = {str: 'in double quotes: {key} = "…"', int: "without quotes: {key} = 20",
               bool: "without quotes: {key} = true or {key} = false"}
_TYPE_NAMES = {str: "a string", int: "a whole number", bool: "true or false", list: "a list of strings"}
_HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")


def load_config(path: Path, **overrides: Any) -> Config:
    """Read and validate config.toml; every problem is reported at once."""
    display = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BuildError(
            [ContentError(display, 0, "", "configuration file not found", "pass --config PATH")]
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BuildError([ContentError(display, 0, "", f"not valid TOML: {exc}")]) from None

    errors: list[ContentError] = []
    values: dict[str, Any] = {}
    if "import" in raw:
        rules, rule_errors = _import_rules(display, raw.pop("import"))
        values["import_rules"] = rules
        errors += rule_errors
    for key, value in raw.items():
        expected = _SETTINGS.get(key)
        if expected is None:
            errors.append(
                ContentError(display, 0, key, "unknown setting", did_you_mean(key, _SETTINGS))
            )
        elif type(value) is not expected:
            errors.append(
                ContentError(
                    display, 0, key, f"expected {_TYPE_NAMES[expected]}, found {value!r}", _TYPE_HINTS.get(expected, "").format(key=key)
                )
            )
        else:
            values[key] = value

    errors.extend(_check_values(display, values))
    if errors:
        raise BuildError(errors)
    if "allow_iframes" in values:
        values["allow_iframes"] = tuple(values["allow_iframes"])
    if "base_url" in values and not values["base_url"].endswith("/"):
        values["base_url"] += "/"
    root = path.parent
    base = {
        "content_dir": root / "content",
        "output_dir": root / "output",
        "templates_dir": root / "templates",
        "static_dir": root / "static",
        "cache_dir": root / ".cache",
    }
    base.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name for f in fields(Config)}
    return Config(**{k: v for k, v in {**values, **base}.items() if k in known})


_RULE_FIELDS = {"captions": ("caption",), "drop": (), "end": (), "date_from_source_url": ("year", "month", "day")}


def _import_rules(display: str, raw: Any) -> tuple[tuple[ImportRules, ...], list[ContentError]]:
    """[import.outlets."Name"] tables: each pattern must compile and have the groups it needs."""
    errors: list[ContentError] = []
    example = '[import.outlets."Press TV"] with captions, drop, end, date_from_source_url'
    if not isinstance(raw, dict) or set(raw) - {"outlets"}:
        extra = sorted(set(raw) - {"outlets"}) if isinstance(raw, dict) else []
        field = f"import.{extra[0]}" if extra else "import"
        return (), [ContentError(display, 0, field, "unknown setting", f"write {example}")]
    outlets = raw.get("outlets", {})
    if not isinstance(outlets, dict):
        return (), [ContentError(display, 0, "import.outlets", "expected one table per outlet", f"write {example}")]
    rules = []
    for outlet, table in sorted(outlets.items()):
        where = f'import.outlets."{outlet}"'
        if not isinstance(table, dict):
            errors.append(ContentError(display, 0, where, "expected a table of rules", f"write {example}"))
            continue
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in _RULE_FIELDS:
                errors.append(ContentError(display, 0, f"{where}.{key}", "unknown rule",
                                           did_you_mean(key, _RULE_FIELDS) or "rules: " + ", ".join(_RULE_FIELDS)))
                continue
            patterns = [value] if key == "date_from_source_url" else value
            if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
                kind = "a pattern" if key == "date_from_source_url" else "a list of patterns"
                errors.append(ContentError(display, 0, f"{where}.{key}", f"expected {kind}, found {value!r}",
                                           "write patterns as 'literal strings' in single quotes"))
                continue
            for pattern in patterns:
                try:
                    groups = set(re.compile(pattern).groupindex)
                except re.error as exc:
                    errors.append(ContentError(display, 0, f"{where}.{key}", f"{pattern!r} is not a regular expression: {exc}",
                                               "write it in 'single quotes' so backslashes stay as written"))
                    continue
                missing = [g for g in _RULE_FIELDS[key] if g not in groups]
                if missing:
                    errors.append(ContentError(display, 0, f"{where}.{key}", f"{pattern!r} has no group {missing[0]!r}",
                                               f"name the parts: (?P<{missing[0]}>…)"))
            values[key] = value if key == "date_from_source_url" else tuple(value)
        rules.append(ImportRules(outlet=outlet, **values))
    return tuple(rules), errors


def _check_values(display: str, values: dict[str, Any]) -> list[ContentError]:
    errors = []
    if "base_url" in values:
        parts = urlsplit(values["base_url"])
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            errors.append(
                ContentError(
                    display, 0, "base_url",
                    f"expected an absolute http(s) address, found {values['base_url']!r}",
                    "e.g. base_url = \"https://example.org/archive/\"",
                )
            )
    if "timezone" in values:
        try:
            zoneinfo.ZoneInfo(values["timezone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors.append(
                ContentError(
                    display, 0, "timezone", f"unknown time zone {values['timezone']!r}",
                    "use an IANA name such as \"UTC\" or \"Asia/Tehran\"",
                )
            )
    if values.get("id_authority") and not TAGGING_ENTITY.fullmatch(values["id_authority"]):
        errors.append(
            ContentError(
                display, 0, "id_authority",
                f"expected a domain or e-mail address you own, a comma and a date, found {values['id_authority']!r}",
                "e.g. id_authority = \"example.org,2026\"; set it once and never change it",
            )
        )
    for host in values.get("allow_iframes", []):
        if not isinstance(host, str) or not _HOST.match(host):
            errors.append(
                ContentError(
                    display, 0, "allow_iframes", f"expected a host name, found {host!r}",
                    "write only the host, in lowercase, e.g. allow_iframes = [\"www.youtube-nocookie.com\"]",
                )
            )
    for key in ("per_page", "related_count", "feed_length", "max_file_mb", "max_topics"):
        if key in values and values[key] < 1:
            errors.append(
                ContentError(display, 0, key, f"expected a number of at least 1, found {values[key]}")
            )
    if "home_pages" in values and values["home_pages"] < 0:
        errors.append(ContentError(display, 0, "home_pages", f"expected 0 or more, found {values['home_pages']}",
                                   "0 lists every article on the home pages"))
    return errors
