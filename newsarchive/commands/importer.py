"""`import`: an article as copied from an outlet's page -> an article file with front matter.

The copied text has the headline on its first line, paragraphs separated by blank lines,
photo captions among them and the page's furniture around them. The outlet's rules in
config.toml ([import.outlets."Name"]) say which lines are captions, which are furniture and
where the trailing boilerplate starts. Whatever the text lacks (date, topics…) comes from
the command line. Nothing is guessed silently: every line the importer turned into
something other than body text is reported, and so is every kept line that looks like
furniture or a caption no rule recognised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..config import Config, ImportRules
from ..content.article import read_article
from ..content.load import decode
from ..content.markdown import MarkdownRenderer
from ..content.registry import load_registries
from ..content.writer import article_path, front_matter, resolve_names
from ..errors import ContentError
from ..site.ids import authority, mint_id
from ..slugs import VALID_SLUG, slugify
from .new import check_source_url, write_new

# A caption no rule knows: "(AFP photo)", "(Photo by …)", "(via Reuters)", "(File photo)".
_CAPTION_LIKE = re.compile(r"\((?:[^()]*\bphoto\b[^()]*|via [^()]+)\)\s*$", re.I)
_SENTENCE_END = re.compile(r"[.!?…:;\"'”’»)\]]$")


@dataclass
class ImportOptions:
    outlet: str = ""
    day: date | None = None
    source_url: str = ""
    topics: list[str] = field(default_factory=list)
    slug: str = ""
    byline: str = ""


@dataclass
class Imported:
    source: str  # the text file, as given
    text: str = ""  # the article file's content
    path: Path | None = None  # where it goes
    notices: list[str] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)


@dataclass
class _Line:
    number: int  # in the text file, from 1
    text: str


def convert(source: str, raw: bytes, config: Config, options: ImportOptions) -> Imported:
    """The article file for one copied text, or the errors that stop it. Writes nothing."""
    result = Imported(source)
    text, error = decode(raw, source)
    if error:
        result.errors.append(error)
        return result
    note = result.notices.append

    def fail(line: int, field_name: str, message: str, hint: str = "") -> None:
        result.errors.append(ContentError(source, line, field_name, message, hint))

    # Every kind of blank (a line of no-break spaces, say) is a paragraph break.
    lines = [_Line(n, line.strip()) for n, line in enumerate(text.split("\n"), 1)]
    content = [line for line in lines if line.text]
    if not content:
        fail(1, "", "the file is empty", "copy the article's text, headline first, into it")
        return result
    title_line, rest = content[0], lines[lines.index(content[0]) + 1:]
    title = title_line.text

    rules = _rules_for(config, options.outlet, lines, note, fail)
    outlet = options.outlet or (rules.outlet if rules else "")

    # Trailing boilerplate: from the first line an `end` rule matches, everything goes.
    if rules:
        for i, line in enumerate(rest):
            if line.text and _matches(rules.end, line.text):
                dropped = [ln for ln in rest[i:] if ln.text]
                note(f"line {line.number}: end of the article ({line.text!r}); "
                     f"{len(dropped)} line(s) of trailing boilerplate dropped")
                rest = rest[:i]
                break

    images: list[dict[str, str]] = []
    paragraphs: list[str] = []
    block: list[str] = []
    kept: list[_Line] = []  # first line of each text paragraph, for the warnings below

    def close_block() -> None:
        if block:
            paragraphs.append("\n".join(block))
            block.clear()

    for line in rest:
        if not line.text:
            close_block()
            continue
        if rules and _matches(rules.drop, line.text):
            note(f"line {line.number}: dropped as page furniture: {line.text!r}")
            continue
        caption = _caption(rules, line.text) if rules else None
        if caption is not None:
            close_block()
            images.append(caption)
            number = len(images)
            credit = f", credit {caption['credit']!r}" if caption.get("credit") else ""
            if number == 1:
                note(f"line {line.number}: lead image (1): caption {caption['caption']!r}{credit}")
            else:
                paragraphs.append(f"[[figure {number}]]")
                note(f"line {line.number}: image {number}, placed with [[figure {number}]]: "
                     f"caption {caption['caption']!r}{credit}")
            continue
        if not block:
            kept.append(line)
        block.append(escape_markdown(line.text))
    close_block()

    for line in kept:
        if _CAPTION_LIKE.search(line.text):
            note(f"line {line.number}: warning: kept as text, but it looks like a photo caption: {line.text!r} "
                 f"(add a 'captions' pattern to [import.outlets.\"{outlet}\"] in config.toml if it is one)")
        elif len(line.text.split()) <= 5 and not _SENTENCE_END.search(line.text):
            note(f"line {line.number}: warning: kept as text, but it looks like page furniture: {line.text!r} "
                 f"(add a 'drop' pattern to [import.outlets.\"{outlet}\"] in config.toml if it is)")
    if not [p for p in paragraphs if not p.startswith("[[figure")]:
        fail(title_line.number, "body", "no article text after the headline",
             "the first line is the headline, the paragraphs follow it")

    # What the text lacks comes from the command line (or the outlet's address).
    if not outlet:
        fail(0, "outlet", "not given, and no outlet's import rules recognise the text",
             'pass --outlet "Press TV"')
    day = options.day or _date_from_url(rules, options.source_url, note)
    if day is None:
        hint = "pass --date YYYY-MM-DD, the publication date as the outlet shows it"
        fail(0, "date", "not in the text" + (" nor in the source address" if options.source_url else ""), hint)
    if not options.topics:
        fail(0, "topics", "not in the text", 'pass --topics "Syria, Diplomacy"; topics are chosen by a person')
    if not options.source_url:
        note("warning: no --source-url: the article will not link to the original")
    result.errors += check_source_url(config, options.source_url, source)

    registries, reg_errors = load_registries(Path(config.content_dir))
    result.errors += reg_errors
    outlet, topics, name_notes, name_errors = resolve_names(registries, outlet, options.topics, source)
    result.notices += name_notes
    result.errors += name_errors
    slug = options.slug or slugify(title)
    if options.slug and not VALID_SLUG.match(options.slug):
        fail(0, "slug", f"{options.slug!r} is not a valid slug", "use lowercase letters, digits and single hyphens")
    if result.errors or day is None:
        return result

    result.text = front_matter({
        "title": title,
        "date": day,
        "outlet": outlet,
        "topics": topics,
        "source_url": options.source_url,
        "byline": options.byline,
        "id": mint_id(authority(config), day, slug),  # the permanent feed id, written once
        "images": images,
    }) + "\n" + "\n\n".join(paragraphs) + "\n"
    result.path = article_path(Path(config.content_dir), day, slug)
    # The build's own rules have the last word: what import writes, a build accepts.
    rel = result.path.relative_to(config.content_dir).as_posix()
    _, errors = read_article(rel, result.text, config, MarkdownRenderer())
    result.errors += [ContentError(source, 0, e.field, f"the imported article would be invalid: {e.message}", e.hint)
                      for e in errors]
    return result


def write(result: Imported) -> list[ContentError]:
    assert result.path is not None
    if result.path.exists():
        return [ContentError(str(result.path), 0, "", "already exists; it was left as it was",
                             f"this text was imported before (from {result.source}?); pass --slug to keep both")]
    write_new(result.path, result.text)
    return []


def escape_markdown(text: str) -> str:
    """Plain text that Markdown shows as written: no accidental lists, headings, HTML or emphasis."""
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([`*_\[\]])", r"\\\1", text)
    text = text.replace("<", "&lt;")
    text = re.sub(r"^(#{1,6}|>|[-+])(\s)", r"\\\1\2", text)
    text = re.sub(r"^(\d+)([.)])(\s)", r"\1\\\2\3", text)
    return text


def _rules_for(config: Config, outlet: str, lines: list[_Line], note, fail) -> ImportRules | None:  # noqa: ANN001
    by_name = {slugify(r.outlet): r for r in config.import_rules}
    if outlet:
        rules = by_name.get(slugify(outlet))
        if rules is None:
            note(f"warning: no import rules for {outlet!r} in config.toml: captions and boilerplate are not "
                 f"recognised (add [import.outlets.\"{outlet}\"])")
        return rules
    # No --outlet: an outlet is recognised only by its own furniture, and only if no other's matches.
    found: dict[str, _Line] = {}
    for r in config.import_rules:
        for ln in lines:
            if ln.text and _matches(r.drop + r.end, ln.text):
                found.setdefault(r.outlet, ln)
    if len(found) == 1:
        name, line = next(iter(found.items()))
        note(f"line {line.number}: outlet {name!r} recognised by {line.text!r}")
        return by_name[slugify(name)]
    if len(found) > 1:
        fail(0, "outlet", f"the text matches the rules of several outlets: {', '.join(sorted(found))}",
             "pass --outlet NAME")
    return None


def _matches(patterns: tuple[str, ...], text: str) -> bool:
    return any(re.fullmatch(p, text) for p in patterns)


def _caption(rules: ImportRules, text: str) -> dict[str, str] | None:
    for pattern in rules.captions:
        match = re.fullmatch(pattern, text)
        if match:
            parts = match.groupdict()
            return {"caption": (parts.get("caption") or "").strip(), "credit": (parts.get("credit") or "").strip()}
    return None


def _date_from_url(rules: ImportRules | None, url: str, note) -> date | None:  # noqa: ANN001
    if not (rules and rules.date_from_source_url and url):
        return None
    match = re.search(rules.date_from_source_url, url)
    if not match:
        return None
    try:
        day = date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None
    note(f"date {day.isoformat()} taken from the source address (pass --date to override)")
    return day
