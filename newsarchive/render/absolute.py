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


def absolute_links(fragment: str, base: str) -> str:
    """The fragment with every href, src, srcset, poster… resolved against `base`."""
    if not fragment.strip():
        return fragment
    import lxml.html  # here: only a build that writes a feed needs lxml
    from lxml import etree

    root = lxml.html.fragment_fromstring(xml_safe(fragment), create_parent="div")
    root.rewrite_links(lambda link: _join(base, link), resolve_base_href=False)
    for element in root.iter(etree.Element):
        srcset = element.get("srcset")
        if srcset:
            element.set("srcset", _absolute_srcset(srcset, base))
    inner = html.escape(root.text or "", quote=False)
    return inner + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


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
