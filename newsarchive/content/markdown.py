"""Markdown to HTML for article bodies, with in-body figure placement.

A line of its own `[[figure N]]` puts the article's N-th image (counting the lead image as
1) at that point of the body. The converter only leaves a marker there; the figure's markup
comes from the templates at render time, so body HTML depends on the article alone.
"""

from __future__ import annotations

import html
import importlib
import re

import markdown
from markdown import blockprocessors, inlinepatterns, preprocessors, util
from markdown.extensions import Extension, abbr, def_list, extra, fenced_code, footnotes, md_in_html
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import InlineProcessor

from .sanitize import FIGURE_MARKER, HtmlPolicy, removed_tags

__all__ = ["FIGURE_MARKER", "MarkdownRenderer", "figure_references", "first_paragraph", "plain_text", "truncate"]

FIGURE_LINE = re.compile(r"^\[\[figure\s+(\d+)\]\][ \t]*$")

# News text needs footnotes, tables and attribute lists; `extra` brings those plus
# fenced code, definition lists and abbreviations at little cost. `smarty` doubles the
# cost per article and outlets' text already has typographic quotes: opt-in only.
BASE_EXTENSIONS = ["extra", "sane_lists"]


class _FigurePlacement(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out = []
        for line in lines:
            match = FIGURE_LINE.match(line)
            if match:
                marker = self.md.htmlStash.store(f"<!--newsarchive:figure {int(match[1])}-->")
                out.extend(["", marker, ""])
            else:
                out.append(line)
        return out


# What every match of a Python-Markdown inline pattern contains, by the pattern's regular
# expression: where a text holds none of these at or after the search position, the pattern
# cannot match there, so trying it can be skipped with the very same result.
_TRIGGERS = {
    inlinepatterns.BACKTICK_RE: ("`",),
    inlinepatterns.ESCAPE_RE: ("\\",),
    inlinepatterns.LINK_RE: ("[",),  # also reference and short reference links
    inlinepatterns.IMAGE_LINK_RE: ("![",),  # also image references
    inlinepatterns.AUTOLINK_RE: ("<",),
    inlinepatterns.AUTOMAIL_RE: ("<",),
    inlinepatterns.LINE_BREAK_RE: ("  \n",),
    inlinepatterns.HTML_RE: ("<",),
    inlinepatterns.ENTITY_RE: ("&",),
    r"\[\^([^\]]*)\]": ("[^",),  # footnote references (extension footnotes)
}


def _triggers(pattern: object) -> tuple[str, ...] | None:
    """The texts a match of this inline pattern must contain, or None: always try it."""
    if not isinstance(pattern, inlinepatterns.InlineProcessor):
        return None
    if pattern.getCompiledRegExp().pattern != pattern.pattern:
        return None  # a regular expression of its own: unknown
    if isinstance(pattern, inlinepatterns.DelimiterProcessor):
        # Emphasis and strong: the regular expression is the delimiters, one of them.
        return tuple(pattern.tokens) if pattern.pattern == "|".join(re.escape(t) for t in pattern.tokens) else None
    return _TRIGGERS.get(pattern.pattern)


# The private methods replaced and called below (Python-Markdown 3.x); without them (another
# version), Python-Markdown's own inline processor is kept.
_KNOWN_INLINE_PROCESSOR = all(hasattr(InlineProcessor, f"_InlineProcessor__{name}")
                              for name in ("handleInline", "applyPattern"))


class _SkippingInlineProcessor(InlineProcessor):
    """Python-Markdown's inline processor, which tries each of its ~15 inline patterns on
    each piece of text, one Python call each; this one first asks str.find whether the
    text holds what a match of the pattern needs (a `[` for a link, a `*` or `_` for
    emphasis…), and skips the pattern where it does not. The output is the same: a pattern
    that cannot match is skipped exactly as a failed try is (next pattern, from the start).
    """

    _patterns: list[object] | None = None

    def run(self, tree, ancestors=None):  # type: ignore[no-untyped-def]
        # The patterns and what each needs, worked out at the first conversion (the
        # registry makes a new list each time it is asked; patterns are registered once).
        if self._patterns is None or len(self._patterns) != len(self.inlinePatterns):
            self._patterns = list(self.inlinePatterns)
            self._needs = [_triggers(p) for p in self._patterns]
        return super().run(tree, ancestors)

    # Replaces InlineProcessor.__handleInline (name-mangled), which run() and the patterns call.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if not isinstance(data, util.AtomicString):
            patterns, needs = self._patterns, self._needs
            apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
            start = 0
            count = len(patterns)
            while patternIndex < count:
                wanted = needs[patternIndex]
                if wanted is not None:
                    for text in wanted:
                        if data.find(text, start) >= 0:
                            break
                    else:
                        patternIndex += 1
                        start = 0
                        continue
                data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
                if not matched:
                    patternIndex += 1
        return data


# The same for the block processors whose test searches the whole block with a regular
# expression that can start anywhere (slow): (class, its expression) -> what a match contains.
_BLOCK_TRIGGERS = {
    (blockprocessors.HashHeaderProcessor, blockprocessors.HashHeaderProcessor.RE.pattern): ("#",),
    (blockprocessors.SetextHeaderProcessor, blockprocessors.SetextHeaderProcessor.RE.pattern): ("\n=", "\n-"),
    (blockprocessors.HRProcessor, blockprocessors.HRProcessor.SEARCH_RE.pattern): ("-", "_", "*"),
    (blockprocessors.BlockQuoteProcessor, blockprocessors.BlockQuoteProcessor.RE.pattern): (">",),
    (def_list.DefListProcessor, def_list.DefListProcessor.RE.pattern): (": ",),
    # These test every block with True and search it in run(), which gives the block back
    # when nothing matched: a test of False is the same, without the search.
    (abbr.AbbrBlockprocessor, abbr.AbbrBlockprocessor.RE.pattern): ("*[",),
    (footnotes.FootnoteBlockProcessor, footnotes.FootnoteBlockProcessor.RE.pattern): ("[^",),
    (blockprocessors.ReferenceProcessor, blockprocessors.ReferenceProcessor.RE.pattern): ("]:",),
}


def _block_parser(md: markdown.Markdown):  # type: ignore[no-untyped-def]
    """BlockParser.parseBlocks, which asks every block processor (17 of them, in a list the
    registry makes again for each block) to test each block in turn: the same loop over a
    list made once, where a known processor is not asked about a block that lacks what
    every match of its expression contains (it would answer no)."""
    steps = []
    for processor in md.parser.blockprocessors:
        expression = getattr(processor, "SEARCH_RE", None) or getattr(processor, "RE", None)
        wanted = _BLOCK_TRIGGERS.get((type(processor), getattr(expression, "pattern", None)))
        steps.append((processor.test, processor.run, wanted))

    def parse_blocks(parent, blocks: list[str]) -> None:  # type: ignore[no-untyped-def]
        while blocks:
            for test, run, wanted in steps:
                block = blocks[0]
                if wanted is not None:
                    for text in wanted:
                        if text in block:
                            break
                    else:
                        continue
                if test(parent, block) and run(parent, blocks) is not False:  # run: True or None
                    break

    return parse_blocks


# Preprocessors that give back the lines they were given when the text lacks these: fenced
# code needs a fence; the HTML block extractor (md_in_html's) a tag or an entity.
_PREPROCESSOR_TRIGGERS = {
    ("fenced_code_block", fenced_code.FencedBlockPreprocessor): ("```", "~~~"),
    ("html_block", md_in_html.HtmlBlockPreprocessor): ("<", "&"),
}


def _guard_preprocessors(md: markdown.Markdown) -> None:
    for (name, kind), wanted in _PREPROCESSOR_TRIGGERS.items():
        if name in md.preprocessors and type(md.preprocessors[name]) is kind:
            processor = md.preprocessors[name]
            processor.run = _unless_absent(processor.run, wanted)  # type: ignore[method-assign]
    if type(md.preprocessors["normalize_whitespace"]) is preprocessors.NormalizeWhitespace:
        md.preprocessors.register(_NormalizeWhitespace(md), "normalize_whitespace", 30)


class _NormalizeWhitespace(preprocessors.NormalizeWhitespace):
    """Python-Markdown's own, whose last step empties lines of nothing but spaces with a
    regular expression tried at every character. Where no line after the first starts with a
    space and there is no tab, carriage return or marker character, no step changes the
    text but the two line ends added."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        for changed_by_it in ("\n ", "\t", "\r", util.STX, util.ETX):
            if changed_by_it in source:
                return super().run(lines)  # type: ignore[no-any-return]
        return (source + "\n\n").split("\n")


def _unless_absent(run, wanted: tuple[str, ...]):  # type: ignore[no-untyped-def]
    def guarded(lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        for needed in wanted:
            if needed in text:
                return run(lines)  # type: ignore[no-any-return]
        return lines
    return guarded


def _block_level(elements: list[str]):  # type: ignore[no-untyped-def]
    """Markdown.is_block_level, asked for every element several times, which looks for the
    tag in a list of 59: here each tag's answer is kept. The list is taken once the
    extensions (which add to it when loaded) are."""
    names = frozenset(elements)
    known: dict[str, bool] = {}

    def is_block_level(tag: object) -> bool:
        if type(tag) is str:
            found = known.get(tag)
            if found is None:
                found = known[tag] = tag.lower().rstrip("/") in names
            return found
        return isinstance(tag, str) and tag.lower().rstrip("/") in names

    return is_block_level


def builtin_extensions(names: list[str]) -> list[Extension]:
    """Python-Markdown's own extensions by name ("extra" as the ones it bundles), made here:
    given names, Markdown first looks each up among every installed distribution's entry
    points, which costs a build that reads one article 40 ms (importlib.metadata)."""
    found = []
    for name in names:
        for part in extra.extensions if name == "extra" else [name]:
            found.append(importlib.import_module(f"markdown.extensions.{part}").makeExtension())
    return found


class MarkdownRenderer:
    """One reusable converter; building a Markdown instance costs more than a short article.

    Raw HTML in the text is cleaned by `policy` (safe by default: see sanitize.py).
    """

    def __init__(self, smarty: bool = False, policy: HtmlPolicy | None = None, skipping: bool = True):
        self.policy = policy or HtmlPolicy()
        self.removed: list[str] = []  # raw tags the last conversion removed, for a notice
        extensions = builtin_extensions(BASE_EXTENSIONS + (["smarty"] if smarty else []))
        self._md = markdown.Markdown(extensions=extensions, output_format="html")
        # After fenced code (priority 25) so a figure line inside a code block stays code.
        self._md.preprocessors.register(_FigurePlacement(self._md), "newsarchive_figures", 20)
        # Same output, less time: patterns and block tests that cannot match are skipped
        # (skipping=False keeps Python-Markdown exactly as it is, for the tests comparing both).
        if skipping and type(self._md.treeprocessors["inline"]) is InlineProcessor and _KNOWN_INLINE_PROCESSOR:
            self._md.treeprocessors.register(_SkippingInlineProcessor(self._md), "inline", 20)
        if skipping:
            # Processors call parser.parseBlocks for nested blocks: they find this one too.
            self._md.parser.parseBlocks = _block_parser(self._md)  # type: ignore[method-assign]
            _guard_preprocessors(self._md)
            self._md.is_block_level = _block_level(self._md.block_level_elements)  # type: ignore[method-assign]

    def convert(self, text: str) -> str:
        self._md.reset()
        html = self._md.convert(text)
        self.removed = removed_tags(html, self.policy)
        return self.policy.clean(html)


def figure_references(body: str) -> list[tuple[int, int]]:
    """(line offset in the body, image number) of every figure line, in order."""
    refs = []
    in_fence = ""
    for offset, line in enumerate(body.split("\n")):
        fence = re.match(r"^(`{3,}|~{3,})", line)
        if fence:
            if not in_fence:
                in_fence = fence[1]
            elif line.startswith(in_fence):
                in_fence = ""
            continue
        match = FIGURE_LINE.match(line)
        if match and not in_fence:
            refs.append((offset, int(match[1])))
    return refs


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed (for summaries and counts)."""
    return " ".join(_visible_text(fragment).split())


def word_count(fragment: str) -> int:
    """len(plain_text(fragment).split()), without joining the words to split them again."""
    return len(_visible_text(fragment).split())


def _visible_text(fragment: str) -> str:
    fragment = re.sub(r"<sup[^>]*>.*?</sup>", "", fragment, flags=re.S)
    # Block boundaries become spaces; inline tags vanish, so "link</a>." stays "link.".
    fragment = re.sub(r"</?(?:p|br|li|div|h[1-6]|t[dhr]|blockquote|figure|figcaption|[uo]l|table|pre)\b[^>]*>",
                      " ", fragment)
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def first_paragraph(body_html: str) -> str:
    for match in re.finditer(r"<p(?:\s[^>]*)?>(.*?)</p>", body_html, flags=re.S):
        text = plain_text(match[1])
        if text:
            return text
    return ""


def truncate(text: str, limit: int = 300) -> str:
    """Cut at a word boundary so a summary never ends mid-word."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:—–- ")
    return cut + "…"
