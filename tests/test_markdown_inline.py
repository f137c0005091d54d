"""Skipping what cannot match gives Python-Markdown's own output.

content/markdown.py replaces Python-Markdown's inline tree processor by one that tries an
inline pattern only where the text holds what every match of it contains, lets five
block processors answer their test at once when the block lacks what their expression
needs, and skips the fenced-code and HTML-block preprocessors on text without a fence, a
tag or an entity. These tests convert the same documents with and without, byte for byte: documents
using every feature the README lists, and seeded random documents made of Markdown's
special characters.
"""

from __future__ import annotations

import random

import pytest
from markdown.treeprocessors import InlineProcessor

from newsarchive.content.markdown import _BLOCK_TRIGGERS, MarkdownRenderer, _SkippingInlineProcessor

FEATURES = """\
Text with **strong**, *em*, _em too_, __strong too__, ***both***, a `code span`, ``a `tick` inside``,
an escaped \\*star\\*, a [link](https://example.org/ "title"), a [reference][ref], a [short ref],
an ![image](images/a.png), a ![ref image][img], an autolink <https://example.org/a?b=1&c=2>,
a mail <someone@example.org>, an entity &eacute; &#233; &#xe9;, a bare & and a < sign,
inline <b>html</b> and <!-- a comment -->, a footnote.[^1] a line break{BREAK}
and the abbreviation HTML in text. snake_case_word and 2*3*4 and * lone star.

[ref]: https://example.org/ref
[short ref]: https://example.org/short
[img]: images/b.png "Image title"
[^1]: The footnote, with *emphasis* and a [link](/x/).
*[HTML]: Hyper Text Markup Language

| Column | Other |
| ------ | ----- |
| *a*    | `b`   |

Term
:   Definition with **strong**.

```python
code = "*not emphasis*"  # [not a link](x)
```

- item *one*
- item [two](/two/)
    1. nested `code`

> A quote with _emphasis_ and &amp; an entity.

<div markdown="1">
Markdown *inside* HTML.
</div>

A paragraph with attributes.
{: .lead #intro }

[[figure 2]]
""".replace("{BREAK}", "  ")  # two spaces: a line break

PIECES = ["word", "other words", " ", " ", "\n", "\n\n", "*", "**", "_", "__", "`", "``", "\\", "\\*",
          "[", "]", "(", ")", "[a](b)", "[a][r]", "[r]", "![i](x.png)", "!", "<", ">", "<b>", "</b>",
          "<http://x.y/z>", "<a@b.c>", "&", "&amp;", "&#35;", ";", "  \n", "[^1]", "[^", "^", "{: .c }",
          "HTML", "- ", "1. ", "> ", "\n: ", "\n===", "\n---", "\n- - -", "___", "* * *", "\n#", "## ",
          "    ", "```", "~~~", "|", "---", ":", "'", '"', "--", "...", "<<", ">>",
          "é", "سوريا", "\t", "=", "#", "# ", "***", "_a_", "*a*", "**a**", "*[", "*[HTML]: Hyper\n",
          "[^1]:", "\n[^1]: n\n", "\n    "]
TAILS = ["", "\n\n[r]: /r\n", "\n\n[^1]: note *n*\n", "\n\n*[HTML]: Hyper\n"]


def _pair(smarty: bool) -> tuple[MarkdownRenderer, MarkdownRenderer]:
    fast = MarkdownRenderer(smarty=smarty)
    plain = MarkdownRenderer(smarty=smarty, skipping=False)
    assert isinstance(fast._md.treeprocessors["inline"], _SkippingInlineProcessor)
    assert type(plain._md.treeprocessors["inline"]) is InlineProcessor
    assert "parseBlocks" in vars(fast._md.parser) and "parseBlocks" not in vars(plain._md.parser)
    guarded = [p for p in fast._md.parser.blockprocessors
               if (type(p), getattr(getattr(p, "SEARCH_RE", None) or getattr(p, "RE", None), "pattern", None))
               in _BLOCK_TRIGGERS]
    # headers (two kinds), rules, quotes, definition lists, abbreviations, footnotes, references
    assert len(guarded) == 8
    assert len([p for p in fast._md.preprocessors if "run" in vars(p)]) == 2  # fenced code, HTML blocks
    assert not [p for p in plain._md.preprocessors if "run" in vars(p)]
    return fast, plain


@pytest.mark.parametrize("smarty", [False, True])
def test_every_feature_converts_as_python_markdown_does(smarty: bool) -> None:
    fast, plain = _pair(smarty)
    for text in (FEATURES, FEATURES.replace("\n", "\n\n"), "> " + FEATURES.replace("\n", "\n> ")):
        assert fast.convert(text) == plain.convert(text)


@pytest.mark.parametrize("text", [
    "A numeric reference &#35 without its semicolon.", "An entity &amp; and a bare & sign.",
    "~~~\ncode *not emphasis*\n~~~\n", "~~~python\nx = 1\n~~~\n\nAfter.", "```\n[[figure 2]]\n```\n",
    "No fence, no tag: *just* text.", "<p>a tag</p>\n\ntext", "`code` and ``more``",
])
def test_texts_the_preprocessors_may_skip_convert_as_python_markdown_does(text: str) -> None:
    fast, plain = _pair(False)
    assert fast.convert(text) == plain.convert(text)


@pytest.mark.parametrize("smarty", [False, True])
def test_random_documents_convert_as_python_markdown_does(smarty: bool) -> None:
    fast, plain = _pair(smarty)
    rng = random.Random(20261126 + smarty)
    for _ in range(1500):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 60))) + rng.choice(TAILS)
        assert fast.convert(text) == plain.convert(text), text
        bare = text.replace("<", "").replace("&", "").replace("`", "")  # the skipping paths
        assert fast.convert(bare) == plain.convert(bare), bare


@pytest.mark.parametrize("smarty", [False, True])
def test_extensions_made_here_are_the_ones_markdown_finds_by_name(smarty: bool) -> None:
    """builtin_extensions skips Markdown's entry-point look-up: same processors, same HTML."""
    import markdown

    from newsarchive.content.markdown import BASE_EXTENSIONS, builtin_extensions

    names = BASE_EXTENSIONS + (["smarty"] if smarty else [])
    by_name = markdown.Markdown(extensions=names, output_format="html")
    made = markdown.Markdown(extensions=builtin_extensions(names), output_format="html")

    def registries(md: markdown.Markdown) -> list[list[tuple[str, float, str]]]:
        return [[(item.name, item.priority, type(reg[item.name]).__name__) for item in reg._priority]
                for reg in (md.preprocessors, md.parser.blockprocessors, md.inlinePatterns,
                            md.treeprocessors, md.postprocessors)]

    assert registries(made) == registries(by_name)
    rng = random.Random(7 + smarty)
    texts = [FEATURES] + ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 60))) + rng.choice(TAILS)
                          for _ in range(300)]
    for text in texts:
        by_name.reset()
        made.reset()
        assert made.convert(text) == by_name.convert(text), text
