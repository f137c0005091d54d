"""Every field a contributor writes is data, never markup: checked in every file the build writes.

The site is built with hostile values in every text field, then each output file is parsed
the way its consumer parses it (HTML like a browser, XML like a feed reader, JSON like a
script) and must contain no script, handler or address that came from content. New output
formats (feeds, JSON-LD, sitemaps, search indexes) are covered as soon as they are built.
"""

from __future__ import annotations

import json
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "</script><script>alert(3)</script>",
    "'-alert(4)-'",
    "]]><script>alert(5)</script>",
    "{{ 7*191 }}{% raw %}",
    "\u2028\u2029</title><svg onload=alert(6)>",
]
HOSTILE = " ".join(PAYLOADS)
MARK = "alert("


def hostile_site(site) -> None:
    q = json.dumps  # YAML accepts JSON strings: every payload is written exactly
    site.config(f"description = {q('Archive')}\n")
    img = site.content / "articles" / "2020" / "images" / "p.png"
    img.parent.mkdir(parents=True, exist_ok=True)
    img.write_bytes(bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                                  "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"))
    for n in (1, 2):
        site.article(f"2020/hostile-{n}", f"""
            title: {q(f"Title {n} " + HOSTILE)}
            date: 2020-0{n}-02T10:00:00+00:00
            outlet: {q("Outlet " + HOSTILE)}
            topics: [{q("Topic " + HOSTILE)}, {q("<b>bold</b> topic")}]
            byline: {q("By " + HOSTILE)}
            summary: {q("Summary " + HOSTILE)}
            source_url: "https://example.org/a{n}?x=%22%3E%3Cscript%3Ealert(7)%3C/script%3E"
            images:
              - caption: {q("Caption " + HOSTILE)}
                credit: {q("Credit " + HOSTILE)}
                alt: {q("Alt " + HOSTILE)}
                src: images/p.png
              - caption: {q("Second " + HOSTILE)}
            """, "Body text with a [link](https://example.org/).\n\n[[figure 2]]\n")
    site.write("content/pages/about.md", f"---\ntitle: {q('About ' + HOSTILE)}\nsummary: {q('S ' + HOSTILE)}\n---\n\nAbout.\n")


def check_html_tree(root, where: str, titles_only: bool = True) -> None:
    """No injected script, handler, address or element. With titles_only, an <img src="x">
    can only have come from a text field (the payload); a body may hold such an image."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), f"{where}: <{el.tag} {name}=…> from content"
            if name in ("href", "src", "action", "formaction"):
                assert not value.strip().lower().startswith(("javascript:", "data:")), f"{where}: {name}={value}"
        if el.tag == "img" and titles_only:
            assert el.get("src") != "x", f"{where}: injected <img>"
        if el.tag in ("svg", "iframe", "object", "embed"):
            raise AssertionError(f"{where}: injected <{el.tag}>")
        if el.tag == "script":
            text = el.text or ""
            if el.get("type") in ("application/ld+json", "application/json"):
                json.loads(text)  # data, well-formed, not cut short by a '</script>' in a title
            assert MARK not in text or el.get("type") in ("application/ld+json", "application/json"), \
                f"{where}: script from content: {text[:200]}"


def check_html_file(path: Path, where: str) -> None:
    raw = path.read_text(encoding="utf-8")
    assert "<script>alert" not in raw.lower(), f"{where}: unescaped payload"
    assert "1337" not in raw, f"{where}: a template expression from content was evaluated"
    check_html_tree(lxml.html.document_fromstring(raw), where)


HTML_IN_XML = {"description", "{http://purl.org/rss/1.0/modules/content/}encoded"}


def check_xml_file(path: Path, where: str) -> None:
    raw = path.read_bytes()
    assert b"<script>alert" not in raw.lower(), f"{where}: unescaped payload"
    root = lxml.etree.fromstring(raw, parser=lxml.etree.XMLParser(resolve_entities=False, no_network=True))
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = el.tag.rsplit("}", 1)[-1]
        # Elements that carry HTML as text: parse that HTML as a feed reader would.
        # (RSS's channel <description> is plain text by the RSS profile; an item's may be HTML.)
        parent = el.getparent()
        is_html = (el.tag in HTML_IN_XML and (el.tag != "description" or (parent is not None and parent.tag == "item"))) \
            or (local in ("content", "summary", "title", "subtitle", "rights") and el.get("type") == "html")
        if is_html and el.text:
            check_html_tree(lxml.html.fragment_fromstring(el.text, create_parent="div"), f"{where} <{local}>")
        if el.get("type") == "xhtml":
            check_html_tree(el, f"{where} <{local}>")


def strings_in(value, key: str = "") -> list[tuple[str, str]]:
    """(key, text) of every string in a JSON value."""
    if isinstance(value, str):
        return [(key, value)]
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in strings_in(v, k)]
    if isinstance(value, list):
        return [pair for v in value for pair in strings_in(v, key)]
    return []


def check_json_file(path: Path, where: str) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    for key, text in strings_in(data):
        # Text fields are data for the consumer to escape; HTML fields must be safe HTML.
        if "html" in key or key in ("content", "excerpt"):
            check_html_tree(lxml.html.fragment_fromstring(text, create_parent="div"), f"{where} {key}")


@pytest.fixture
def built(site):
    hostile_site(site)
    site.build()
    return site


def test_every_output_file_is_free_of_injected_markup(built):
    files = sorted(p for p in built.output.rglob("*") if p.is_file())
    kinds = {".html": check_html_file, ".xml": check_xml_file, ".atom": check_xml_file, ".rss": check_xml_file,
             ".json": check_json_file, ".jsonld": check_json_file}
    checked = 0
    for path in files:
        check = kinds.get(path.suffix)
        if check:
            check(path, str(path.relative_to(built.output)))
            checked += 1
    assert checked >= 12, [str(p) for p in files]


def test_hostile_text_is_shown_as_text(built):
    """Escaping must not lose the text: a reader sees exactly what the author wrote."""
    doc = lxml.html.document_fromstring(built.read("2020/01/hostile-1/index.html"))
    assert doc.xpath("string(//h1)").strip() == "Title 1 " + HOSTILE.strip()
    page_title = doc.xpath("string(//title)")
    assert page_title.startswith("Title 1 " + HOSTILE.strip())
    assert doc.xpath("//meta[@name='description']/@content")[0] == "Summary " + HOSTILE
    figcaption = doc.xpath("string((//figcaption)[1])")
    assert figcaption.startswith("Caption " + HOSTILE.strip()) and figcaption.strip().endswith(HOSTILE.strip())
    assert doc.xpath("(//figure//img)[1]/@alt")[0] == "Alt " + HOSTILE
    topic_page = next(built.output.glob("topics/*/index.html"))
    check_html_file(topic_page, "topic page")


def test_json_ld_and_json_round_trip_the_text(built):
    """Where JSON carries a title (JSON-LD, search index), it is the exact title."""
    found = False
    for path in sorted(built.output.rglob("*")):
        texts: list[str] = []
        if path.suffix == ".json":
            texts = [t for _k, t in strings_in(json.loads(path.read_text(encoding="utf-8")))]
        elif path.suffix == ".html":
            doc = lxml.html.document_fromstring(path.read_text(encoding="utf-8"))
            for script in doc.xpath("//script[@type='application/ld+json']"):
                texts += [t for _k, t in strings_in(json.loads(script.text))]
        if any(t == "Title 1 " + HOSTILE for t in texts):
            found = True
    if not found:
        pytest.skip("no JSON output carries titles yet (JSON-LD / search index not built)")


def test_registry_descriptions_are_data(site):
    """topics.toml and outlets.toml live in content/: their names and descriptions are untrusted too."""
    q = json.dumps
    site.write("content/topics.toml", f'[[topic]]\nname = {q("Topic " + HOSTILE)}\ndescription = {q("About " + HOSTILE)}\n')
    site.write("content/outlets.toml", f'[[outlet]]\nname = {q("Outlet " + HOSTILE)}\nhomepage = "https://example.com/"\n'
                                        f'description = {q("Outlet about " + HOSTILE)}\n')
    site.article("a", f"title: A\ndate: 2020-01-02\noutlet: {q('Outlet ' + HOSTILE)}\ntopics: [{q('Topic ' + HOSTILE)}]\n")
    result = site.run()
    if result.returncode != 0 and "unknown field" in result.stderr:  # registries without descriptions
        site.write("content/outlets.toml", f'[[outlet]]\nname = {q("Outlet " + HOSTILE)}\nhomepage = "https://example.com/"\n')
        result = site.run()
    assert result.returncode == 0, result.stderr
    checked = 0
    for path in sorted(site.output.rglob("*.html")):
        check_html_file(path, str(path.relative_to(site.output)))
        checked += 1
    for path in sorted(site.output.rglob("*.xml")):
        check_xml_file(path, str(path.relative_to(site.output)))
    topic_page = next(p for p in site.output.glob("topics/*/index.html"))
    doc = lxml.html.document_fromstring(topic_page.read_text(encoding="utf-8"))
    assert ("About " + HOSTILE.strip()) in " ".join(doc.xpath("string(//*[@class='term-description'])").split(" "))
    assert checked > 5
