"""The benchmark corpus as a Pelican project and as a Hugo site, for the reference rows.

    python bench/reference.py --corpus bench/work/corpus-1000 --out bench/work [--which pelican,hugo]

Writes OUT/pelican-N/ (content/, pelicanconf.py) and OUT/hugo-N/ (content/, static/,
layouts/, hugo.toml), N being the number of articles. Both get what newsarchive gets from
the corpus: every article with its title, date, outlet, topics, original address and
images, and the about page. Outlets become Pelican's categories and a Hugo taxonomy,
topics Pelican's tags and a second taxonomy. Images are copied as static files at the
same address in both (/articles/YYYY/MM/images/…) and placed in the body as newsarchive
places them: the lead image first, `[[figure N]]` where the body says, the others at the
end; an image whose file was not kept shows as its caption and credit.

Each site's settings ask for the pages and feeds a news archive publishes (see
pelicanconf() and HUGO_CONFIG). The output depends only on the corpus: files are read
and written in sorted order, and nothing depends on the clock. Runs in the project's
environment (it needs PyYAML), never in the reference one.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

FIGURE_LINE = re.compile(r"^\[\[figure (\d+)\]\]$", re.MULTILINE)
FRONT_MATTER = re.compile(r"---\n(.*?)\n---\n\n?(.*)", re.DOTALL)
ARTICLE_PAGE = re.compile(r"\d{4}/\d{2}/[^/]+/index\.html")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")
SITE_URL = "https://bench.example"
SITE_TITLE = "Bench"
PER_PAGE = 20  # newsarchive's default per_page
FEED_LENGTH = 50  # newsarchive's default feed_length
REFERENCES = ("pelican", "hugo")


class _TextDates(yaml.SafeLoader):
    """Dates stay text, as written: each tool parses them itself."""


_TextDates.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# --- Reading the corpus -----------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    src: str  # relative to the article's folder, "" when the file was not kept
    caption: str
    credit: str
    alt: str


@dataclass(frozen=True)
class Source:
    """One corpus article as its file says."""

    relpath: str  # articles/YYYY/MM/<slug>.md, as in the corpus
    meta: dict[str, Any]
    body: str

    @property
    def slug(self) -> str:
        return Path(self.relpath).stem

    @property
    def folder(self) -> str:
        return str(Path(self.relpath).parent.as_posix())

    @property
    def figures(self) -> list[Figure]:
        return [Figure(i.get("src", ""), i.get("caption", ""), i.get("credit", ""), i.get("alt", ""))
                for i in self.meta.get("images") or []]


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = FRONT_MATTER.match(text)
    if not match:
        raise ValueError("no front matter")
    meta = yaml.load(match[1], Loader=_TextDates)
    if not isinstance(meta, dict):
        raise ValueError("front matter is not a mapping")
    return meta, match[2]


def read_source(corpus: Path, path: Path) -> Source:
    try:
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    return Source(path.relative_to(corpus).as_posix(), meta, body)


def read_corpus(corpus: Path) -> tuple[list[Source], Source]:
    """Every article, sorted by path, and the about page."""
    articles = [read_source(corpus, p) for p in sorted((corpus / "articles").rglob("*.md"))]
    if not articles:
        raise ValueError(f"{corpus}: no articles")
    return articles, read_source(corpus, corpus / "pages" / "about.md")


def image_files(corpus: Path) -> list[Path]:
    return sorted((corpus / "articles").rglob("images/*.png"))


# --- What a build must produce ----------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """Counts a reference build's output must show, taken from the corpus it was given."""

    articles: int
    images: int
    topics: int
    outlets: int


def expected_output(articles: list[Source], images: int) -> Expected:
    return Expected(
        articles=len(articles),
        images=images,
        topics=len({t for a in articles for t in a.meta["topics"]}),
        outlets=len({a.meta["outlet"] for a in articles}),
    )


def check_output(output: Path, expected: Expected) -> list[str]:
    """What is missing from a reference build's output; empty when it did its work.

    Both sites put articles at YYYY/MM/<slug>/index.html, images at their corpus path,
    feeds at feed.xml and atom.xml, and each outlet's and topic's beside its page.
    """
    problems = []

    def compare(what: str, found: int, wanted: int) -> None:
        if found != wanted:
            problems.append(f"{found} {what}, expected {wanted}")

    compare("article pages", sum(1 for p in output.glob("[0-9]*/[0-9]*/*/index.html")
                                 if ARTICLE_PAGE.fullmatch(p.relative_to(output).as_posix())),
            expected.articles)
    compare("images", sum(1 for _ in output.glob("articles/*/*/images/*.png")), expected.images)
    for section, wanted in (("topics", expected.topics), ("outlets", expected.outlets)):
        for feed in ("feed.xml", "atom.xml"):
            compare(f"{section}/*/{feed}", sum(1 for _ in output.glob(f"{section}/*/{feed}")), wanted)
    wanted_files = ["index.html", "feed.xml", "atom.xml", "about/index.html"]
    if expected.articles > PER_PAGE:
        wanted_files.append("page/2/index.html")
    problems += [f"no {name}" for name in wanted_files if not (output / name).is_file()]
    return problems


# --- Bodies, the same for both tools ----------------------------------------------------


def site_date(text: str) -> str:
    """A front matter date in UTC, the site's time zone, whose year and month newsarchive's
    URLs and archives use. Pelican needs it so: it sorts by the instant but groups its year
    and month archives by the date as written, so mixed offsets split a year in two pages
    that overwrite each other, which stops the build."""
    if "T" not in text:
        return text  # a day: midnight in the site's time zone
    return datetime.fromisoformat(text).astimezone(UTC).isoformat()


def escape_markdown(text: str) -> str:
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def figure_markdown(figure: Figure, url: str) -> str:
    """An image with its caption and credit below it, or only those when there is no file."""
    caption = f"*{escape_markdown(figure.caption)}* ({escape_markdown(figure.credit)})"
    if not figure.src:
        return caption
    return f"![{escape_markdown(figure.alt)}]({url})  \n{caption}"


def place_figures(body: str, figures: list[str]) -> str:
    """The lead figure first, `[[figure N]]` lines replaced, figures not placed at the end."""
    placed: set[int] = set()

    def replace(match: re.Match[str]) -> str:
        number = int(match[1])
        if not 2 <= number <= len(figures) or number in placed:
            return match[0]  # as newsarchive: an unknown or repeated marker stays text
        placed.add(number)
        return figures[number - 1]

    text = FIGURE_LINE.sub(replace, body)
    rest = [f for n, f in enumerate(figures[1:], 2) if n not in placed]
    parts = [*figures[:1], text.strip("\n"), *rest]
    return "\n\n".join(parts) + "\n"


def article_body(source: Source, url_of: Any) -> str:
    """The body with its figures; url_of(figure) gives an image's address for the tool."""
    return place_figures(source.body, [figure_markdown(f, url_of(f)) for f in source.figures])


def copy_images(corpus: Path, target: Path) -> int:
    """Copy each article image to the same relative path under target; returns how many."""
    files = image_files(corpus)
    for path in files:
        dest = target / path.relative_to(corpus)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    return len(files)


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


# --- Pelican ----------------------------------------------------------------------------


def one_line(text: str) -> str:
    """A metadata value on one line: the meta extension reads a value to the line's end."""
    return " ".join(str(text).split())


def pelican_header(source: Source) -> str:
    """Pelican's Markdown metadata (Python-Markdown's meta extension), one field a line."""
    meta = source.meta
    topics = [one_line(t) for t in meta["topics"]]
    if any("," in t for t in topics):
        raise ValueError(f"{source.relpath}: a topic with a comma would split into two tags")
    fields = [
        ("Title", meta["title"]),
        ("Date", site_date(meta["date"])),
        ("Category", meta["outlet"]),  # one outlet per article, as one category
        ("Tags", ", ".join(topics)),
        ("Slug", source.slug),
        ("Lang", meta.get("language", "")),
        ("Byline", meta.get("byline", "")),  # shown, but no author pages: newsarchive has none
        ("Source_url", meta["source_url"]),
        ("Guid", meta.get("id", "")),
    ]
    return "".join(f"{key}: {one_line(value)}\n" for key, value in fields if value)


def pelican_article(source: Source) -> str:
    # {static} makes Pelican resolve the image against its static files, as its docs advise.
    body = article_body(source, lambda f: "{static}" + f.src)
    return pelican_header(source) + "\n" + body


def pelican_page(source: Source) -> str:
    return f"Title: {one_line(source.meta['title'])}\nSlug: about\n\n{source.body}"


def pelicanconf() -> str:
    """Settings for a news archive that does the work newsarchive does, where Pelican can."""
    return f'''\
# Written by bench/reference.py: the benchmark corpus as a Pelican news archive.
# Paths are relative to this file (Pelican resolves them so).
SITENAME = {SITE_TITLE!r}
SITEURL = {SITE_URL!r}
RELATIVE_URLS = False
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
PATH = "content"
OUTPUT_PATH = "output"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
# Images sit beside the articles; the Markdown sources there are not copied.
STATIC_PATHS = ["articles"]
STATIC_EXCLUDE_SOURCES = True

# A cold build: nothing read from or written to a cache. The harness also deletes
# the output and cache folders before each run, so there is nothing to delete here.
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
CACHE_PATH = "cache"
DELETE_OUTPUT_DIRECTORY = False

# newsarchive converts with "extra" and "sane_lists", without smarty.
MARKDOWN = {{
    "extension_configs": {{
        "markdown.extensions.extra": {{}},
        "markdown.extensions.sane_lists": {{}},
        "markdown.extensions.meta": {{}},
    }},
    "output_format": "html5",
}}
TYPOGRIFY = False
# Slugs keep every script, as newsarchive's do (transliterated, two topics would collide).
SLUGIFY_USE_UNICODE = True

# newsarchive's URLs: pretty, by date; outlets and topics under their own folders.
ARTICLE_URL = "{{date:%Y}}/{{date:%m}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{date:%Y}}/{{date:%m}}/{{slug}}/index.html"
# Articles in Arabic or Persian have no English original: the same addresses.
ARTICLE_LANG_URL = ARTICLE_URL
ARTICLE_LANG_SAVE_AS = ARTICLE_SAVE_AS
PAGE_URL = "{{slug}}/"
PAGE_SAVE_AS = "{{slug}}/index.html"
CATEGORY_URL = "outlets/{{slug}}/"
CATEGORY_SAVE_AS = "outlets/{{slug}}/index.html"
CATEGORIES_SAVE_AS = "outlets/index.html"
TAG_URL = "topics/{{slug}}/"
TAG_SAVE_AS = "topics/{{slug}}/index.html"
TAGS_SAVE_AS = "topics/index.html"
ARCHIVES_SAVE_AS = "archive/index.html"
YEAR_ARCHIVE_URL = "archive/{{date:%Y}}/"
YEAR_ARCHIVE_SAVE_AS = "archive/{{date:%Y}}/index.html"
MONTH_ARCHIVE_URL = "archive/{{date:%Y}}/{{date:%m}}/"
MONTH_ARCHIVE_SAVE_AS = "archive/{{date:%Y}}/{{date:%m}}/index.html"
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""

DEFAULT_PAGINATION = {PER_PAGE}
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/page/{{number}}/", "{{base_name}}/page/{{number}}/index.html"),
)

# newsarchive's feeds: the whole archive, each outlet and each topic, RSS and Atom,
# the {FEED_LENGTH} newest entries with their full text.
FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = {FEED_LENGTH}
RSS_FEED_SUMMARY_ONLY = False
FEED_ALL_ATOM = "atom.xml"
FEED_ALL_RSS = "feed.xml"
CATEGORY_FEED_ATOM = "outlets/{{slug}}/atom.xml"
CATEGORY_FEED_RSS = "outlets/{{slug}}/feed.xml"
TAG_FEED_ATOM = "topics/{{slug}}/atom.xml"
TAG_FEED_RSS = "topics/{{slug}}/feed.xml"
FEED_ATOM = None  # the default language's feed would repeat the whole archive's
FEED_RSS = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
'''


def convert_pelican(corpus: Path, site: Path) -> Expected:
    """Write the Pelican project into site (emptied first); returns what it must build."""
    shutil.rmtree(site, ignore_errors=True)
    articles, about = read_corpus(corpus)
    content = site / "content"
    for source in articles:
        write_text(content / source.relpath, pelican_article(source))
    write_text(content / "pages" / "about.md", pelican_page(about))
    images = copy_images(corpus, content)
    write_text(site / "pelicanconf.py", pelicanconf())
    return expected_output(articles, images)


# --- Hugo -------------------------------------------------------------------------------


def yaml_string(text: str) -> str:
    return json.dumps(str(text), ensure_ascii=False)  # JSON strings are YAML strings


def hugo_front_matter(source: Source) -> str:
    meta = source.meta
    lines = [
        "---",
        f"title: {yaml_string(meta['title'])}",
        f"date: {site_date(meta['date'])}",
        f"slug: {yaml_string(source.slug)}",
        f"outlets: [{yaml_string(meta['outlet'])}]",
        "topics: [" + ", ".join(map(yaml_string, meta["topics"])) + "]",
        f"source_url: {yaml_string(meta['source_url'])}",
    ]
    for key in ("byline", "language"):
        if meta.get(key):
            lines.append(f"{key}: {yaml_string(meta[key])}")
    if meta.get("id"):
        lines.append(f"guid: {yaml_string(meta['id'])}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def hugo_article(source: Source) -> str:
    body = article_body(source, lambda f: f"/{source.folder}/{f.src}")
    return hugo_front_matter(source) + "\n" + body


def hugo_page(source: Source) -> str:
    # In no list: site.RegularPages is then the articles, without filtering it on every page.
    return (f"---\ntitle: {yaml_string(source.meta['title'])}\nslug: about\nbuild:\n  list: never\n---\n\n"
            f"{source.body}")


HUGO_CONFIG = f'''\
# Written by bench/reference.py: the benchmark corpus as a Hugo news archive.
baseURL = "{SITE_URL}/"
title = "{SITE_TITLE}"
locale = "en"
timeZone = "UTC"
enableRobotsTXT = false
disableHugoGeneratorInject = true
capitalizeListTitles = false  # topic names as written

[pagination]
pagerSize = {PER_PAGE}

[taxonomies]
outlet = "outlets"
topic = "topics"

[permalinks.page]
articles = "/:year/:month/:slug/"

# newsarchive's feeds (RSS as feed.xml, Atom as atom.xml) for the archive and each
# outlet and topic; the archive's section page lists every article once, by year.
[outputs]
home = ["html", "rss", "atom"]
section = ["html"]
taxonomy = ["html"]
term = ["html", "rss", "atom"]
page = ["html"]

[mediaTypes."application/atom+xml"]
suffixes = ["xml"]

[outputFormats.rss]
baseName = "feed"

[outputFormats.atom]
mediaType = "application/atom+xml"
baseName = "atom"
rel = "alternate"

[services.rss]
limit = {FEED_LENGTH}

# As newsarchive and Python-Markdown's "extra": no typographic quotes, no bare-URL links.
[markup.goldmark.extensions]
linkify = false

[markup.goldmark.extensions.typographer]
disable = true
'''

# No related articles under an article, though newsarchive shows five: Pelican has none
# without a plugin, and Hugo's .Related over a topics index is quadratic here (Zipf
# topics: one holds a third of the archive). With it, page.html took 45 s of template
# time at 10,000 articles and the build 35 s instead of about 10: the reference would
# measure that one feature, and flatter newsarchive.
HUGO_LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="{{ site.Language.Locale }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} – {{ site.Title }}{{ end }}</title>
{{- range .AlternativeOutputFormats }}
<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" href="{{ .Permalink }}" title="{{ site.Title }}">
{{- end }}
</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
<nav><a href="/topics/">Topics</a> <a href="/outlets/">Outlets</a> <a href="/articles/">Archive</a> <a href="/about/">About</a></nav>
</header>
<main>
{{ block "main" . }}{{ end }}
</main>
<footer><a href="/feed.xml">RSS</a> <a href="/atom.xml">Atom</a></footer>
</body>
</html>
""",
    "_partials/card.html": """\
<li{{ with .Params.language }} lang="{{ . }}"{{ end }}>
<p><a href="{{ (index (.GetTerms "outlets") 0).RelPermalink }}">{{ index .Params.outlets 0 }}</a></p>
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Summary | plainify | truncate 220 }}</p>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>{{ with .Params.byline }} · {{ . }}{{ end }}</p>
</li>
""",
    "_partials/pager.html": """\
{{- with .Paginator }}{{ if gt .TotalPages 1 }}
{{- /* Only the pages shown: the first, two either side, the last (as newsarchive): a
     listing of 500 pages would otherwise walk 500 pagers on each of them. */}}
{{- $pagers := .Pagers }}
{{- $from := cond (gt .PageNumber 3) (sub .PageNumber 2) 1 }}
{{- $to := cond (lt (add .PageNumber 2) .TotalPages) (add .PageNumber 2) .TotalPages }}
<nav aria-label="Pagination">
{{ with .Prev }}<a rel="prev" href="{{ .URL }}">Newer</a>{{ end }}
{{ if gt $from 1 }}<a href="{{ .First.URL }}">1</a> …{{ end }}
{{ range seq $from $to }}<a href="{{ (index $pagers (sub . 1)).URL }}">{{ . }}</a> {{ end }}
{{ if lt $to .TotalPages }}… <a href="{{ .Last.URL }}">{{ .TotalPages }}</a>{{ end }}
{{ with .Next }}<a rel="next" href="{{ .URL }}">Older</a>{{ end }}
<p>Page {{ .PageNumber }} of {{ .TotalPages }}</p>
</nav>
{{ end }}{{ end -}}
""",
    "home.html": """\
{{ define "main" }}
{{ $pager := .Paginate site.RegularPages }}
<ul>{{ range $pager.Pages }}{{ partial "card.html" . }}{{ end }}</ul>
{{ partial "pager.html" . }}
{{ end }}
""",
    "term.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<p>{{ len .Pages }} articles. Follow: <a href="feed.xml">RSS</a> <a href="atom.xml">Atom</a></p>
<ul>{{ range (.Paginate .Pages).Pages }}{{ partial "card.html" . }}{{ end }}</ul>
{{ partial "pager.html" . }}
{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
    "section.html": """\
{{ define "main" }}
<h1>Archive</h1>
{{ range .RegularPagesRecursive.GroupByDate "2006" }}
<h2>{{ .Key }}</h2>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2 Jan" }}</time></li>{{ end }}</ul>
{{ end }}
{{ end }}
""",
    "page.html": """\
{{ define "main" }}
{{- /* For Pagefind, when the benchmark runs it over this site (search on): the article
     alone, with what newsarchive's article pages give it (title, date, outlet, topics, year). */}}
<article{{ with .Params.language }} lang="{{ . }}"{{ end }}{{ if eq .Section "articles" }} data-pagefind-body{{ end }}>
<h1 data-pagefind-meta="title">{{ .Title }}</h1>
{{ if eq .Section "articles" }}
<p><a href="{{ (index (.GetTerms "outlets") 0).RelPermalink }}" data-pagefind-filter="outlet" data-pagefind-meta="outlet">{{ index .Params.outlets 0 }}</a>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}" data-pagefind-meta="date" data-pagefind-filter="year:{{ .Date.Format "2006" }}" data-pagefind-sort="date:{{ .Date.Format "2006-01-02T15:04" }}">{{ .Date.Format "2 January 2006" }}</time>{{ with .Params.byline }} · {{ . }}{{ end }}</p>
{{ end }}
{{ .Content }}
{{ with .Params.source_url }}<p>Originally published at <a href="{{ . }}">{{ . }}</a></p>{{ end }}
{{ with .GetTerms "topics" }}<ul>{{ range . }}<li><a href="{{ .RelPermalink }}" data-pagefind-filter="topic">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}
</article>
{{ end }}
""",
    "404.html": """\
{{ define "main" }}<h1>Not found</h1><p><a href="/">Home</a></p>{{ end }}
""",
    "rss.xml": """\
{{- $pages := .Pages -}}
{{- if .IsHome }}{{ $pages = site.RegularPages }}{{ end -}}
{{- $pages = first site.Config.Services.RSS.Limit $pages -}}
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} – {{ site.Title }}{{ end }}</title>
<link>{{ .Permalink }}</link>
<description>{{ .Title }}</description>
<language>{{ site.Language.Locale }}</language>
{{- with index $pages 0 }}
<lastBuildDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</lastBuildDate>
{{- end }}
{{- with .OutputFormats.Get "rss" }}
<atom:link href="{{ .Permalink }}" rel="self" type="{{ .MediaType.Type | safeHTML }}"/>
{{- end }}
{{- range $pages }}
<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
<guid isPermaLink="false">{{ .Params.guid }}</guid>
{{- range .GetTerms "topics" }}
<category>{{ .LinkTitle }}</category>
{{- end }}
<description>{{ .Summary | plainify }}</description>
<content:encoded>{{ .Content | transform.XMLEscape | safeHTML }}</content:encoded>
</item>
{{- end }}
</channel>
</rss>
""",
    "atom.xml": """\
{{- $pages := .Pages -}}
{{- if .IsHome }}{{ $pages = site.RegularPages }}{{ end -}}
{{- $pages = first site.Config.Services.RSS.Limit $pages -}}
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{{ site.Language.Locale }}">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} – {{ site.Title }}{{ end }}</title>
<id>{{ .Permalink }}</id>
<link href="{{ .Permalink }}"/>
{{- with .OutputFormats.Get "atom" }}
<link rel="self" href="{{ .Permalink }}"/>
{{- end }}
{{- with index $pages 0 }}
<updated>{{ .Date.Format "2006-01-02T15:04:05Z07:00" | safeHTML }}</updated>
{{- end }}
{{- range $pages }}
<entry{{ with .Params.language }} xml:lang="{{ . }}"{{ end }}>
<title>{{ .Title }}</title>
<link href="{{ .Permalink }}"/>
<id>{{ .Params.guid }}</id>
<published>{{ .Date.Format "2006-01-02T15:04:05Z07:00" | safeHTML }}</published>
<updated>{{ .Lastmod.Format "2006-01-02T15:04:05Z07:00" | safeHTML }}</updated>
<author><name>{{ or .Params.byline (index .Params.outlets 0) }}</name></author>
{{- range .GetTerms "topics" }}
<category term="{{ .LinkTitle }}"/>
{{- end }}
<summary type="text">{{ .Summary | plainify }}</summary>
<content type="html">{{ .Content | transform.XMLEscape | safeHTML }}</content>
</entry>
{{- end }}
</feed>
""",
}


def convert_hugo(corpus: Path, site: Path) -> Expected:
    """Write the Hugo site into site (emptied first); returns what it must build."""
    shutil.rmtree(site, ignore_errors=True)
    articles, about = read_corpus(corpus)
    for source in articles:
        write_text(site / "content" / source.relpath, hugo_article(source))
    write_text(site / "content" / "about.md", hugo_page(about))
    images = copy_images(corpus, site / "static")
    write_text(site / "hugo.toml", HUGO_CONFIG)
    for name, text in sorted(HUGO_LAYOUTS.items()):
        write_text(site / "layouts" / name, text)
    return expected_output(articles, images)


CONVERTERS = {"pelican": convert_pelican, "hugo": convert_hugo}


def site_folder(out: Path, which: str, size: int) -> Path:
    return out / f"{which}-{size}"


def parse_which(text: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    if not names or any(n not in REFERENCES for n in names):
        raise argparse.ArgumentTypeError("references are pelican and hugo, e.g. pelican,hugo")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="a corpus from bench/corpus.py")
    parser.add_argument("--out", type=Path, required=True, help="folder for pelican-N/ and hugo-N/")
    parser.add_argument("--which", type=parse_which, default=REFERENCES, help="pelican, hugo or both")
    args = parser.parse_args(argv)
    size = len(list((args.corpus / "articles").rglob("*.md")))
    for which in args.which:
        site = site_folder(args.out, which, size)
        expected = CONVERTERS[which](args.corpus, site)
        print(f"wrote {expected.articles} articles as a {which} site in {site}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
