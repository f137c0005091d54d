"""Raw HTML in bodies goes through the allow-list: what Markdown makes stays, scripts go."""

from __future__ import annotations

import lxml.html
import pytest

from newsarchive.content.markdown import MarkdownRenderer
from newsarchive.content.sanitize import HtmlPolicy
from tests.conftest import BASIC_ARTICLE


def render(text: str, policy: HtmlPolicy | None = None) -> str:
    return MarkdownRenderer(policy=policy).convert(text)


def elements(html: str) -> list:
    return list(lxml.html.fragment_fromstring(html, create_parent="div").iter())


def assert_inert(html: str) -> None:
    """No script, no event handler, no javascript:/data: address, no embedded document."""
    for el in elements(html):
        assert el.tag not in ("script", "style", "iframe", "object", "embed", "svg", "math", "form", "base", "meta", "link"), html
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), html
            assert name.lower() not in ("style", "srcdoc", "formaction") or el.tag in ("td", "th"), html
            if name in ("href", "src", "cite", "action", "poster", "background"):
                assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:")), html


ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"x\" oNeRrOr=\"alert(1)\">",
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<img src=\"data:image/svg+xml,<svg onload=alert(1)>\">",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<iframe src=\"https://evil.example/\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
    "<form action=\"https://evil.example\"><input name=p><button formaction=javascript:alert(1)>go</button></form>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<p style=\"position:fixed;top:0\">overlay</p>",
    "<base href=\"https://evil.example/\"><meta http-equiv=refresh content=\"0;url=https://evil.example\">",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<details open ontoggle=alert(1)>x</details>",
    "<!--[if IE]><script>alert(1)</script><![endif]-->",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<table><td style=\"text-align:left;background:url(x)\" onclick=alert(1)>x</td></table>",
    "[link](javascript:alert(1))",
    "![img](data:image/png;base64,iVBORw0KGgo=)",
    "<div markdown=\"1\" onclick=\"alert(1)\">*x*</div>",
    "Para\n{: onclick=\"alert(1)\" style=\"color:red\" }",
    "<textarea><script>alert(1)</script></textarea>",
    "<template><script>alert(1)</script></template>",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_are_neutralised(attack):
    html = render(f"Before.\n\n{attack}\n\nAfter.\n")
    assert_inert(html)
    assert "alert" not in " ".join(el.get(a, "") for el in elements(html) for a in el.attrib)
    assert "Before." in html  # (an unclosed element may swallow what follows, as in a browser)


def test_what_markdown_makes_survives():
    text = (
        "Intro[^1] with *em*, **strong**, `code` and an HTML abbreviation.\n\n"
        "Tagged paragraph\n{: #lead .intro }\n\n"
        "| left | right |\n|:--|--:|\n| 1 | 2 |\n\n"
        "Term\n:   Definition\n\n"
        "```python\nx = '<script>'\n```\n\n"
        "> quoted\n\n"
        "1. one\n2. two\n\n"
        "[a link](https://example.org/a?b=1&c=2 \"Title\") and [mail](mailto:desk@example.org)\n\n"
        "*[HTML]: Hyper Text Markup Language\n\n"
        "[^1]: The note.\n"
    )
    html = render(text)
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>' in html
    assert '<li id="fn:1">' in html and 'class="footnote-backref" href="#fnref:1"' in html
    assert '<p id="lead" class="intro">Tagged paragraph</p>' in html or '<p class="intro" id="lead">Tagged paragraph</p>' in html
    assert '<th style="text-align:left">left</th>' in html and '<td style="text-align:right">2</td>' in html
    assert "<dt>Term</dt>" in html and "<dd>Definition</dd>" in html
    assert '<code class="language-python">x = \'&lt;script&gt;\'' in html
    assert "<blockquote>" in html and "<ol>" in html
    assert '<a href="https://example.org/a?b=1&amp;c=2" title="Title">a link</a>' in html
    assert '<a href="mailto:desk@example.org">mail</a>' in html
    assert '<abbr title="Hyper Text Markup Language">HTML</abbr>' in html
    assert "&nbsp;" not in html  # numeric character references keep the body valid XML for feeds


def test_allowed_raw_html_is_kept():
    html = render('<figure class="pull"><img src="chart.png" alt="A chart" width="10" height="5">'
                  '<figcaption>Chart <cite>source</cite></figcaption></figure>\n\n'
                  '<p lang="ar" dir="rtl">سوريا <mark>x</mark> <time datetime="2016-06-22">date</time></p>\n')
    assert '<img src="chart.png" alt="A chart" width="10" height="5">' in html
    assert "<figcaption>Chart <cite>source</cite></figcaption>" in html
    assert '<p lang="ar" dir="rtl">' in html and "<mark>x</mark>" in html
    assert '<time datetime="2016-06-22">' in html


def test_figure_markers_survive_and_other_comments_do_not():
    html = render("One.\n\n[[figure 2]]\n\n<!-- editor's note -->\n\nTwo.\n")
    assert "<!--newsarchive:figure 2-->" in html
    assert "editor" not in html


def test_trust_html_keeps_raw_html():
    html = render("<script>window.x = 1</script>\n\n<div onclick=\"f()\">x</div>\n", HtmlPolicy(trust_html=True))
    assert "<script>window.x = 1</script>" in html and 'onclick="f()"' in html


def test_iframes_only_from_allowed_https_hosts():
    policy = HtmlPolicy(iframe_hosts=("www.youtube-nocookie.com",))
    html = render(
        '<iframe src="https://www.youtube-nocookie.com/embed/abc" width="560" onload="alert(1)" allowfullscreen></iframe>\n\n'
        '<iframe src="http://www.youtube-nocookie.com/embed/plain-http"></iframe>\n\n'
        '<iframe src="https://evil.example/embed">fallback</iframe>\n\n'
        '<iframe src="https://www.youtube-nocookie.com.evil.example/x"></iframe>\n\n'
        '<iframe src="javascript:alert(1)"></iframe>\n\n'
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>\n',
        policy,
    )
    frames = [el for el in elements(html) if el.tag == "iframe"]
    assert [f.get("src") for f in frames] == ["https://www.youtube-nocookie.com/embed/abc"], html
    assert frames[0].get("sandbox") == "allow-scripts allow-same-origin allow-popups allow-presentation"
    assert frames[0].get("onload") is None and frames[0].get("width") == "560"
    assert "evil" not in html and "srcdoc" not in html
    assert not [el for el in elements(render('<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe>\n'))
                if el.tag == "iframe"]


# --- through a real build ---------------------------------------------------------------

def test_build_sanitises_article_and_page_bodies(site):
    site.article("hostile", BASIC_ARTICLE, "Text.\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n")
    site.write("content/pages/about.md", "---\ntitle: About\n---\n\n<p onclick=alert(1)>About us</p>\n<script>x()</script>\n")
    result = site.run("--verbose", check=True)
    article = site.read("2020/01/hostile/index.html")
    assert "alert(1)" not in article and "<img src=\"x\">" in article
    page = site.read("about/index.html")
    assert "<p>About us</p>" in page and "x()" not in page
    # The author is told, at the line, that the sanitiser removed something.
    assert "articles/hostile.md:10: body: <script> removed by the HTML sanitiser" in result.stderr
    assert "pages/about.md:6: body: <script> removed by the HTML sanitiser" in result.stderr


def test_build_with_trust_html(site):
    site.config("trust_html = true\n")
    site.article("trusted", BASIC_ARTICLE, "<div class=\"widget\" data-x=\"1\"><script>window.widget = 1</script></div>\n")
    site.build()
    assert "<script>window.widget = 1</script>" in site.read("2020/01/trusted/index.html")


def test_build_with_allowed_iframes(site):
    site.config('allow_iframes = ["www.youtube-nocookie.com"]\n')
    site.article("video", BASIC_ARTICLE, '<iframe src="https://www.youtube-nocookie.com/embed/abc" title="Video"></iframe>\n\n'
                 '<iframe src="https://evil.example/"></iframe>\n')
    site.build()
    html = site.read("2020/01/video/index.html")
    assert 'src="https://www.youtube-nocookie.com/embed/abc"' in html and "evil.example" not in html


FIGURE_ARTICLE = BASIC_ARTICLE + """images:
  - caption: Lead
  - caption: Second
"""


def test_figures_are_placed_after_sanitising(site):
    site.article("figs", FIGURE_ARTICLE, "First.\n\n[[figure 2]]\n\nLast.\n")
    site.build()
    html = site.read("2020/01/figs/index.html")
    assert html.count("<figure") == 2 and "newsarchive:figure" not in html
    assert html.index("First.") < html.index("Second") < html.index("Last.")


def test_a_hand_written_figure_marker_is_an_error_not_a_crash(site):
    site.article("marker", FIGURE_ARTICLE, "Text.\n\n<!--newsarchive:figure 9-->\n")
    site.article("sentinel", FIGURE_ARTICLE, "Text.\n\n<newsarchive-figure data-n=\"9\"></newsarchive-figure>\n")
    result = site.run()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "articles/marker.md:13: body: contains a figure marker written by hand" in result.stderr
    assert "articles/sentinel.md:13: body: contains a figure marker written by hand" in result.stderr


def test_a_figure_line_swallowed_by_raw_html_is_an_error(site):
    site.article("swallowed", FIGURE_ARTICLE, "Text.\n\n<div class=\"box\">\n[[figure 2]]\n</div>\n")
    result = site.run()
    assert result.returncode == 1, result.stderr
    assert "articles/swallowed.md:14: body: [[figure 2]] is inside a raw HTML block" in result.stderr


def test_figure_errors_point_at_the_body_line(site):
    site.article("lines", FIGURE_ARTICLE, "Text.\n\n[[figure 5]]\n")
    result = site.run()
    # ---, 7 fields, ---, blank line, Text., blank line: the figure line is line 13.
    assert "articles/lines.md:13: body: [[figure 5]] but the article has 2 image(s)" in result.stderr, result.stderr
