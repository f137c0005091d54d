"""Make every link and image address in an HTML fragment absolute.

Feed readers show an entry outside the site, and several of them do not resolve relative
or root-relative addresses: the HTML they get must carry full addresses. Parsed with lxml
(never patched with regular expressions), so attributes in any quoting, `srcset` lists and
CSS `url()` in style attributes are all handled.
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


# An attribute's value, in any quoting (found by its "=": a fast scan), and the names of
# attributes that may hold an address (lxml's link attributes and a few more), just before it.
_VALUE = re.compile(r"""=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*))""")
_ADDRESS_NAME = re.compile(r"(?:^|[^\w:-])(?:action|archive|background|cite|classid|codebase|data|href|longdesc|"
                           r"profile|src|usemap|dynsrc|lowsrc|poster|formaction|icon|manifest)\s*$", re.IGNORECASE)
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")


def absolute_links(fragment: str, base: str) -> str:
    """The fragment with every href, src, srcset, poster… resolved against `base`."""
    if not fragment.strip():
        return fragment
    fragment = xml_safe(fragment)
    if _all_absolute(fragment):
        return fragment  # nothing to resolve: no need to parse it (a third of a feed's cost)
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


def _all_absolute(fragment: str) -> bool:
    """True when every address-like attribute plainly holds an absolute address. Cautious:
    anything it cannot judge by a look (CSS url(), srcset, <base>, a refresh, an address
    with no scheme, in a comment or not) sends the fragment to the parser."""
    lowered = fragment.lower()
    if "url(" in lowered or "srcset" in lowered or "http-equiv" in lowered or "<base" in lowered:
        return False
    for match in _VALUE.finditer(fragment):
        if _ADDRESS_NAME.search(fragment[max(0, match.start() - 16):match.start()]):
            value = next(group for group in match.groups() if group is not None).strip()
            if not _SCHEME.match(value):
                return False
    return True


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
