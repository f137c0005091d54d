"""Make every link and image address in an HTML fragment absolute.

Feed readers show an entry outside the site, and several of them do not resolve relative
or root-relative addresses: the HTML they get must carry full addresses. Parsed with lxml,
so attributes in any quoting, `srcset` lists and CSS `url()` in style attributes are all
handled; except where a look at the attributes finds every address absolute already, or
absolute but for addresses on the page itself (`#fn:1`, a footnote's), which are completed
where they stand.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

# Characters XML 1.0 forbids; lxml refuses them, and one stray control character in an
# article must not stop its feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


# An attribute's value, in any quoting, from its "="; the attributes that may hold an address
# (lxml's link attributes and a few more).
_VALUE = re.compile(r"""=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*))""")
_NAMES = ("action", "archive", "background", "cite", "classid", "codebase", "data", "href", "longdesc", "profile",
          "src", "usemap", "dynsrc", "lowsrc", "poster", "formaction", "icon", "manifest")
# Scans from each "=", "<" or "(" (fast: those are rare in text), for when every "=" is
# written right after its attribute's name (no `_SPACED` one): an address attribute whose
# value does not start with a scheme; what a look at attributes cannot judge (srcset, a
# refresh, <base>, <style>, CSS url()).
_SPACED = re.compile(r"=(?<=\s=)")
_RELATIVE = re.compile("=(?:" + "|".join(f"(?<=[^\\w:-]{name}=)" for name in _NAMES)
                       + r""")\s*+["']?+(?![a-zA-Z][a-zA-Z0-9+.-]*:)""", re.IGNORECASE)
_UNJUDGED = [re.compile(pattern, re.IGNORECASE) for pattern in  # one each: a shared scan is slow
             (r"=(?:(?<=[^\w:-]srcset=)|(?<=[^\w:-]http-equiv=))", r"<(?:base|style)\b", r"\((?<=url\()")]


def absolute_links(fragment: str, base: str) -> str:
    """The fragment with every href, src, srcset, poster… resolved against `base`."""
    if not fragment.strip():
        return fragment
    fragment = xml_safe(fragment)
    same_page = _same_page_addresses(fragment)
    if same_page is not None:
        # No need to parse it (a third of a feed's cost): nothing to resolve, or only the
        # addresses of footnotes and their way back, found in one in six articles.
        parts, last = [], 0
        for start, end in same_page:
            parts += [fragment[last:start], _join(base, fragment[start:end])]
            last = end
        return "".join(parts) + fragment[last:] if parts else fragment
    import lxml.html  # here: only a build that writes a feed needs lxml
    from lxml import etree

    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    root.rewrite_links(lambda link: _join(base, link), resolve_base_href=False)
    for element in root.iter(etree.Element):
        srcset = element.get("srcset")
        if srcset:
            element.set("srcset", _absolute_srcset(srcset, base))
    inner = html.escape(root.text or "", quote=False)
    return inner + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


# An address on the page itself, as Python-Markdown writes a footnote's: `#fn:1`, `#fnref:1`.
_SAME_PAGE = re.compile(r"#[\w:.-]*")


def _same_page_addresses(fragment: str) -> list[tuple[int, int]] | None:
    """When every address attribute plainly holds an absolute address or one on the page
    itself, where the latter are (spans of the fragment); else None. Cautious: anything it
    cannot judge by a look sends the fragment to the parser: CSS url(), srcset, <base>, a
    refresh, an "=" after a space, any other address without a scheme, or one that may
    not be in a tag (in a comment or not)."""
    if _SPACED.search(fragment):
        return None
    for unjudged in _UNJUDGED:
        if unjudged.search(fragment):
            return None
    found = []
    for match in _RELATIVE.finditer(fragment):  # none, in most fragments
        equals = match.start()
        value = _VALUE.match(fragment, equals)
        group = next(n for n in (1, 2, 3) if value and value.group(n) is not None) if value else 0
        if not group or not _SAME_PAGE.fullmatch(value.group(group)):  # type: ignore[union-attr]
            return None
        if fragment.rfind("<", 0, equals) < fragment.rfind(">", 0, equals) or "<!--" in fragment:
            return None  # text that reads like an attribute, or a comment: the parser knows
        found.append(value.span(group))  # type: ignore[union-attr]
    return found


def _all_absolute(fragment: str) -> bool:
    """Every address-like attribute plainly holds an absolute address."""
    return _same_page_addresses(fragment) == []


def _join(base: str, link: str) -> str:
    link = link.strip()
    return urljoin(base, link) if link else link


def _absolute_srcset(value: str, base: str) -> str:
    candidates = []
    for candidate in value.split(","):
        parts = candidate.split()
        if parts:
            candidates.append(" ".join([_join(base, parts[0]), *parts[1:]]))
    return ", ".join(candidates)
