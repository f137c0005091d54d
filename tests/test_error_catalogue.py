"""Every error content validation can produce, with the exact message a maintainer sees.

Each case is a tiny site that is wrong in one way; the test runs the command a maintainer
would (`build.py`, or `build.py check` for what only check reports) and compares the
complete error line: file, line, field, what was found, what was expected and the fix.
The same cases generate docs/errors.md, the catalogue for readers; after changing a message,
run `make errors-doc` to refresh both the expectations below and the document.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import REPO
from newsarchive import cli

DOC = REPO / "docs" / "errors.md"
A = "title: A title\ndate: 2020-01-02\noutlet: Example Times\ntopics: [Politics]\n"
REGISTRIES = {
    "content/topics.toml": '[[topic]]\nname = "Politics"\ndescription = "Governments and elections."\n'
                           'aliases = ["Government"]\n',
    "content/outlets.toml": '[[outlet]]\nname = "Example Times"\nhomepage = "https://example.com/"\n',
}


def art(front: str = A, body: str = "Text.\n") -> str:
    return "---\n" + front + "---\n\n" + body


@dataclass
class Case:
    id: str
    section: str
    what: str
    files: dict[str, str | bytes]
    expected: str = ""
    command: tuple[str, ...] = ()
    registries: bool = False
    extra: dict[str, str] = field(default_factory=dict)


ARTICLE = "content/articles/a.md"
CASES = [
    # --- The file itself -----------------------------------------------------------------
    Case("empty-file", "The file", "An article file with nothing in it", {ARTICLE: ""}),
    Case("no-front-matter", "The file", "Text without the front matter block", {ARTICLE: "Just text.\n"}),
    Case("unclosed-front-matter", "The file", "The closing `---` is missing", {ARTICLE: "---\ntitle: A\n"}),
    Case("empty-front-matter", "The file", "Nothing between the `---` lines", {ARTICLE: "---\n---\n\nText.\n"}),
    Case("front-matter-list", "The file", "The front matter is a list, not fields", {ARTICLE: "---\n- a\n- b\n---\n\nText.\n"}),
    Case("invalid-yaml", "The file", "A value with `: ` in it, unquoted", {ARTICLE: art(A + "summary: Talks: day two\n")}),
    Case("yaml-tab", "The file", "Indented with a tab", {ARTICLE: art(A + "images:\n\t- caption: x\n")}),
    Case("yaml-tag", "The file", "A YAML tag that would build an object", {ARTICLE: art(A + "summary: !!python/object:os.system x\n")}),
    Case("duplicate-field", "The file", "A field written twice", {ARTICLE: art(A + "title: Again\n")}),
    Case("not-utf8", "The file", "Saved in another encoding than UTF-8", {ARTICLE: art(A, "Caf\xe9.\n").encode("latin-1")}),
    Case("yaml-alias", "The file", "A YAML anchor and alias (which could expand to billions of values)", {ARTICLE: art(A + "summary: &s Text\nbyline: *s\n")}),
    # --- Fields --------------------------------------------------------------------------
    Case("unknown-field", "Fields", "A misspelt field name", {ARTICLE: art(A + "sumary: x\n")}),
    Case("missing-title", "Fields", "A required field left out", {ARTICLE: art(A.replace("title: A title\n", ""))}),
    Case("empty-title", "Fields", "A required field left empty", {ARTICLE: art(A.replace("title: A title", 'title: ""'))}),
    Case("title-not-text", "Fields", "A title YAML reads as a number", {ARTICLE: art(A.replace("title: A title", "title: 1984"))}),
    Case("date-format", "Fields", "A date not in ISO 8601", {ARTICLE: art(A.replace("2020-01-02", "22/06/2016"))}),
    Case("date-impossible", "Fields", "A date that does not exist", {ARTICLE: art(A.replace("2020-01-02", "2016-02-30"))}),
    Case("date-not-text", "Fields", "A date YAML reads as a number", {ARTICLE: art(A.replace("2020-01-02", "2016"))}),
    Case("updated-before-date", "Fields", "`updated` earlier than `date`", {ARTICLE: art(A + "updated: 2019-12-31\n")}),
    Case("topics-single", "Fields", "`topics` written as one text", {ARTICLE: art(A.replace("topics: [Politics]", "topics: Politics"))}),
    Case("topics-empty", "Fields", "An empty topic list", {ARTICLE: art(A.replace("topics: [Politics]", "topics: []"))}),
    Case("topic-twice", "Fields", "A topic listed twice", {ARTICLE: art(A.replace("[Politics]", "[Politics, politics]"))}),
    Case("topic-empty-entry", "Fields", "An empty entry in the topic list", {ARTICLE: art(A.replace("topics: [Politics]", "topics:\n  - Politics\n  -\n"))}),
    Case("source-url", "Fields", "`source_url` without its scheme", {ARTICLE: art(A + "source_url: www.example.com/story\n")}),
    Case("language-tag", "Fields", "A language name instead of a tag", {ARTICLE: art(A + "language: English\n")}),
    Case("language-no", "Fields", "Norwegian's tag, which YAML reads as false", {ARTICLE: art(A + "language: no\n")}),
    Case("slug", "Fields", "A slug with spaces", {ARTICLE: art(A + "slug: Kerry Meets\n")}),
    Case("draft-not-bool", "Fields", "`draft` that is not true or false", {ARTICLE: art(A + "draft: maybe\n")}),
    Case("id", "Fields", "An id that is neither a URI nor a UUID", {ARTICLE: art(A + "id: kerry diplomats\n")}),
    Case("control-character", "Fields", "An invisible control character pasted into a title", {ARTICLE: art(A.replace("title: A title", 'title: "A\\x01title"'))}),
    Case("date-out-of-range", "Fields", "A date at the end of the calendar", {ARTICLE: art(A.replace("2020-01-02", "9999-12-31"))}),
    Case("source-url-quote", "Fields", "`source_url` with a character no address has", {ARTICLE: art(A + "source_url: 'https://example.com/?q=\"x\"'\n")}),
    Case("too-many-topics", "Fields", "More topics than `max_topics` allows", {ARTICLE: art(A.replace("[Politics]", "[Politics, Economy, Health]"))}, extra={"config": "max_topics = 2\n"}),
    # --- Images --------------------------------------------------------------------------
    Case("images-not-list", "Images", "`images` that is not a list", {ARTICLE: art(A + "images: photo.jpg\n")}),
    Case("image-not-fields", "Images", "An image written as plain text", {ARTICLE: art(A + "images:\n  - photo.jpg\n")}),
    Case("image-unknown-field", "Images", "A misspelt image field", {ARTICLE: art(A + "images:\n  - caption: A photo\n    credits: AFP\n")}),
    Case("image-caption-missing", "Images", "An image without a caption", {ARTICLE: art(A + "images:\n  - credit: AFP\n")}),
    Case("image-src-missing-file", "Images", "`src` naming a file that is not there", {ARTICLE: art(A + "images:\n  - caption: A photo\n    src: images/nope.jpg\n")}),
    Case("image-src-remote", "Images", "`src` that is an address", {ARTICLE: art(A + "images:\n  - caption: A photo\n    src: https://example.com/a.jpg\n")}),
    Case("image-src-up", "Images", "`src` leaving the article's folder", {ARTICLE: art(A + "images:\n  - caption: A photo\n    src: ../../secret.jpg\n")}),
    Case("image-too-large", "Images", "An image declaring 10,000 million pixels", {ARTICLE: art(A + "images:\n  - caption: A photo\n    src: huge.png\n"), "content/articles/huge.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x02\x00\x00\x00'0\x9c\x9f\x00\x00\x00\x08IDATx\x9c\x03\x00\x00\x00\x00\x01H\x06\x89\xd2\x00\x00\x00\x00IEND\xaeB`\x82"}),
    Case("figure-1", "Images", "`[[figure 1]]` in the body", {ARTICLE: art(A + "images:\n  - caption: Lead\n", "Text.\n\n[[figure 1]]\n")}),
    Case("figure-missing", "Images", "A figure number with no image", {ARTICLE: art(A + "images:\n  - caption: Lead\n", "Text.\n\n[[figure 2]]\n")}),
    Case("figure-twice", "Images", "One figure placed twice", {ARTICLE: art(A + "images:\n  - caption: Lead\n  - caption: Second\n", "[[figure 2]]\n\nText.\n\n[[figure 2]]\n")}),
    Case("figure-marker", "Images", "A figure marker comment written by hand", {ARTICLE: art(A + "images:\n  - caption: Lead\n", "Text.\n\n<!--newsarchive:figure 2-->\n")}),
    Case("figure-in-html", "Images", "A figure line inside a raw HTML block", {ARTICLE: art(A + "images:\n  - caption: Lead\n  - caption: Second\n", "<div class=\"box\">\n[[figure 2]]\n</div>\n")}),
    # --- Aliases (redirects) ---------------------------------------------------------------
    Case("aliases-single", "Aliases", "`aliases` written as one text", {ARTICLE: art(A + "aliases: /old/\n")}),
    Case("alias-relative", "Aliases", "An alias not starting with /", {ARTICLE: art(A + "aliases: [old/]\n")}),
    Case("alias-dots", "Aliases", "An alias with `..`", {ARTICLE: art(A + "aliases: [/a/../b/]\n")}),
    Case("alias-other-site", "Aliases", "An alias on another host", {ARTICLE: art(A + "aliases: ['https://old.example.net/a/']\n")}),
    Case("alias-query", "Aliases", "An alias with a query", {ARTICLE: art(A + "aliases: ['/story.php?id=3']\n")}),
    Case("alias-reserved", "Aliases", "An alias under a folder the site uses", {ARTICLE: art(A + "aliases: [/topics/old/]\n")}),
    Case("alias-own", "Aliases", "An alias that is the article's own address", {ARTICLE: art(A + "aliases: [/2020/01/a/]\n")}),
    Case("alias-taken", "Aliases", "An alias that is another page's address", {ARTICLE: art(A + "aliases: [/2020/01/b/]\n"), "content/articles/b.md": art()}),
    Case("alias-shared", "Aliases", "Two articles claiming one alias", {ARTICLE: art(A + "aliases: [/old/]\n"), "content/articles/b.md": art(A + "aliases: [/old/]\n")}),
    # --- The whole site ----------------------------------------------------------------------
    Case("duplicate-url", "The whole site", "Two articles at one address", {ARTICLE: art(), "content/articles/2020-01-02-a.md": art()}),
    Case("duplicate-id", "The whole site", "Two articles with one id", {ARTICLE: art(A + "id: tag:example.org,2020:a\n"), "content/articles/b.md": art(A + "id: tag:example.org,2020:a\n")}),
    Case("slug-collision", "The whole site", "Two spellings of a topic with one URL", {ARTICLE: art(), "content/articles/b.md": art(A.replace("[Politics]", "[POLITICS!]"))}),
    Case("page-reserved", "The whole site", "A page taking an address the site uses", {ARTICLE: art(), "content/pages/topics.md": "---\ntitle: Topics\n---\n\nText.\n"}),
    Case("page-missing-title", "The whole site", "A page without a title", {ARTICLE: art(), "content/pages/about.md": "---\nslug: about\n---\n\nText.\n"}),
    # --- Registries --------------------------------------------------------------------------
    Case("unregistered-topic", "Registries", "A topic that is not in topics.toml", {ARTICLE: art(A.replace("[Politics]", "[Politcs]"))}, registries=True),
    Case("unregistered-outlet", "Registries", "An outlet that is not in outlets.toml", {ARTICLE: art(A.replace("Example Times", "Exmaple Times"))}, registries=True),
    Case("topic-and-alias", "Registries", "A topic and its alias in one article", {ARTICLE: art(A.replace("[Politics]", "[Politics, Government]"))}, registries=True),
    Case("registry-unknown-field", "Registries", "A misspelt field in a registry", {ARTICLE: art(), "content/topics.toml": '[[topic]]\nname = "Politics"\ndescripton = "x"\n'}),
    Case("registry-no-name", "Registries", "A registry entry without a name", {ARTICLE: art(), "content/topics.toml": '[[topic]]\nname = "Politics"\n\n[[topic]]\ndescription = "x"\n'}),
    Case("registry-twice", "Registries", "A name registered twice", {ARTICLE: art(), "content/topics.toml": '[[topic]]\nname = "Politics"\n\n[[topic]]\nname = "politics"\n'}),
    Case("registry-table", "Registries", "A single table instead of `[[topic]]`", {ARTICLE: art(), "content/topics.toml": '[topic]\nname = "Politics"\n'}),
    Case("registry-toml", "Registries", "A registry that is not valid TOML", {ARTICLE: art(), "content/topics.toml": '[[topic]]\nname = Politics\n'}),
    Case("registry-homepage", "Registries", "An outlet homepage without scheme", {ARTICLE: art(), "content/outlets.toml": '[[outlet]]\nname = "Example Times"\nhomepage = "example.com"\n'}),
    # --- Configuration -----------------------------------------------------------------------
    Case("config-unknown", "Configuration", "A misspelt setting", {ARTICLE: art()}, extra={"config": "per_pag = 10\n"}),
    Case("config-type", "Configuration", "A setting of the wrong type", {ARTICLE: art()}, extra={"config": 'per_page = "10"\n'}),
    Case("config-timezone", "Configuration", "An unknown time zone", {ARTICLE: art()}, extra={"config": 'timezone = "Tehran"\n'}),
    Case("config-iframes", "Configuration", "An address instead of a host in `allow_iframes`", {ARTICLE: art()}, extra={"config": 'allow_iframes = ["https://www.youtube.com/embed/"]\n'}),
    Case("import-rule-unknown", "Configuration", "A misspelt import rule", {ARTICLE: art()}, extra={"config": '[import.outlets."Example Times"]\ncaption = [\'x\']\n'}),
    Case("import-rule-regex", "Configuration", "An import pattern that is not a regular expression", {ARTICLE: art()}, extra={"config": '[import.outlets."Example Times"]\ndrop = [\'(unclosed\']\n'}),
    Case("import-rule-group", "Configuration", "A caption pattern without its group", {ARTICLE: art()}, extra={"config": '[import.outlets."Example Times"]\ncaptions = [\'.*\\(AFP\\)\']\n'}),
    # --- Found by `check` ----------------------------------------------------------------------
    Case("check-broken-link", "Found by check", "A link to an article that does not exist", {ARTICLE: art(A, "See [this](/2020/01/b/).\n"), "content/articles/bb.md": art()}, command=("check",), registries=True),
    Case("check-body-image", "Found by check", "A Markdown image the site does not publish", {ARTICLE: art(A, "![A photo](photo.jpg)\n")}, command=("check",), registries=True),
    Case("check-unused-image", "Found by check", "An image file no article uses", {ARTICLE: art(), "content/articles/photo.png": b"\x89PNG\r\n\x1a\n"}, command=("check",), registries=True),
    Case("check-same-story", "Found by check", "Two articles with one source_url", {ARTICLE: art(A + "source_url: https://example.com/s/1\n"), "content/articles/b.md": art(A + "source_url: http://www.example.com/s/1/\n")}, command=("check",), registries=True),
    Case("check-placeholder", "Found by check", "An article whose body is still `new`'s placeholder", {ARTICLE: art(A, "Paste the article's text here: one paragraph per block, blank lines between them.\n")}, command=("check",), registries=True),
    Case("check-no-registry", "Found by check", "No topics.toml", {ARTICLE: art(), "content/outlets.toml": REGISTRIES["content/outlets.toml"]}, command=("check",)),
    # --- Adding articles: `new` and `import` ------------------------------------------------------
    Case("new-unregistered", "Adding articles", "`new` with an outlet and a topic that are not registered", {},
         command=("new", "Talks resume", "--outlet", "Example Tims", "--topics", "Politcs"), registries=True),
    Case("new-exists", "Adding articles", "`new` for an article that exists", {"content/articles/2020/01/talks-resume.md": art()},
         command=("new", "Talks resume", "--outlet", "Example Times", "--topics", "Politics", "--date", "2020-01-02")),
    Case("new-same-story", "Adding articles", "`new` for a story archived already", {ARTICLE: art(A + "source_url: https://example.com/s/1\n")},
         command=("new", "Talks", "--outlet", "Example Times", "--topics", "Politics", "--source-url", "https://example.com/s/1")),
    Case("import-lacking", "Adding articles", "`import` of a text that lacks outlet, date and topics", {"copied.txt": "A headline\n\nThe story.\n"},
         command=("import", "copied.txt")),
]

EXPECTED: dict[str, str] = {
    'empty-file': "articles/a.md:1: the file is empty (start it with a '---' front matter block)",
    'no-front-matter': "articles/a.md:1: the file does not start with front matter (begin with a line '---', the fields, then another '---')",
    'unclosed-front-matter': "articles/a.md:1: the front matter is never closed (add a line '---' after the last field)",
    'empty-front-matter': 'articles/a.md:1: the front matter is empty (add title, date, outlet and topics)',
    'front-matter-list': "articles/a.md:2: the front matter must be fields ('name: value'), found a list (write one field per line, e.g. 'title: …', 'date: 2016-06-22')",
    'invalid-yaml': "articles/a.md:6: invalid YAML: mapping values are not allowed in this context (a value containing ': ' must be quoted)",
    'yaml-tab': 'articles/a.md:7: invalid YAML: found character that cannot start any token (check the indentation and quoting on this line)',
    'yaml-tag': "articles/a.md:6: invalid YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object:os.system' (YAML tags are not allowed; write plain values)",
    'duplicate-field': 'articles/a.md:6: title: written twice (first on line 2) (keep one of them)',
    'not-utf8': 'articles/a.md:8: not valid UTF-8 (byte 0xe9) (save the file as UTF-8)',
    'yaml-alias': 'articles/a.md:7: YAML anchors and aliases (&name, *name) are not supported (write the value out in full)',
    'unknown-field': "articles/a.md:6: sumary: unknown field (did you mean 'summary'?)",
    'missing-title': "articles/a.md:1: title: missing (add 'title:' to the front matter)",
    'empty-title': "articles/a.md:2: title: must not be empty (write a value after 'title:')",
    'title-not-text': 'articles/a.md:2: title: expected text, found the number 1984 (put the value in quotes)',
    'date-format': "articles/a.md:3: date: '22/06/2016' is not an ISO 8601 date (write YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS+HH:MM with a UTC offset)",
    'date-impossible': "articles/a.md:3: date: '2016-02-30' is not a real date (day is out of range for month) (write YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS+HH:MM with a UTC offset)",
    'date-not-text': 'articles/a.md:3: date: expected a date like 2016-06-22, found the number 2016 (write YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS+HH:MM with a UTC offset)',
    'updated-before-date': "articles/a.md:6: updated: is before the article's date (2020-01-02T00:00:00+00:00) ('updated' is when the article was last changed, so it comes after 'date')",
    'topics-single': 'articles/a.md:5: topics: expected a list of topics, found a single text (write topics: [Politics])',
    'topics-empty': 'articles/a.md:5: topics: expected a non-empty list of topics (write topics: [Topic one, Topic two])',
    'topic-twice': "articles/a.md:5: topics.1: 'politics' is listed twice (remove one)",
    'topic-empty-entry': 'articles/a.md:7: topics.1: an empty topic (remove the empty entry)',
    'source-url': "articles/a.md:6: source_url: expected an absolute http(s) address, found 'www.example.com/story' (copy the full address, starting with https://)",
    'language-tag': "articles/a.md:6: language: 'English' is not a BCP 47 language tag (e.g. en, ar, fa, pt-BR)",
    'language-no': 'articles/a.md:6: language: found false (quote the tag: language: "no")',
    'slug': "articles/a.md:6: slug: 'Kerry Meets' is not a valid slug (use lowercase letters, digits and single hyphens, e.g. kerry-meets-diplomats)",
    'draft-not-bool': "articles/a.md:6: draft: expected true or false, found 'maybe' (write draft: true or draft: false)",
    'id': "articles/a.md:6: id: 'kerry diplomats' is not a URI or UUID (write it once and never change it, e.g. tag:example.org,2016-06-22:kerry-diplomats)",
    'control-character': 'articles/a.md:2: title: contains the invisible control character U+0001 (remove it; it often comes from copying text out of a PDF or a word processor)',
    'date-out-of-range': "articles/a.md:3: date: '9999-12-31' is too close to the year 1 or 9999 to be handled (archive dates lie between the years 1 and 9999)",
    'source-url-quote': 'articles/a.md:6: source_url: \'"\' is not allowed in an address (copy the address from the browser\'s address bar, which encodes such characters, e.g. %22 for ")',
    'too-many-topics': 'articles/a.md:5: topics: 3 topics, more than the limit of 2 (keep the topics that matter, or raise max_topics in config.toml)',
    'images-not-list': "articles/a.md:6: images: expected a list of images (each image is '- caption: …' with optional src, credit and alt)",
    'image-not-fields': "articles/a.md:7: images.0: expected an image with caption, src, credit, alt; found 'photo.jpg' (write '- caption: …' on its own line)",
    'image-unknown-field': "articles/a.md:8: images.0.credits: unknown image field (did you mean 'credit'?)",
    'image-caption-missing': 'articles/a.md:7: images.0: caption is missing (every image needs a caption)',
    'image-src-missing-file': "articles/a.md:8: images.0.src: file 'images/nope.jpg' not found next to the article (put it at content/articles/images/nope.jpg or remove src to keep only the caption)",
    'image-src-remote': "articles/a.md:8: images.0.src: 'https://example.com/a.jpg' is an address; remote images are not fetched (give a path relative to the article's folder, e.g. images/photo.jpg)",
    'image-src-up': "articles/a.md:8: images.0.src: '../../secret.jpg' goes up out of the article's folder (give a path relative to the article's folder, e.g. images/photo.jpg)",
    'image-too-large': "articles/a.md:8: images.0.src: 'huge.png' is 10,000 million pixels, too large to publish (resize it below 89 million pixels)",
    'figure-1': 'articles/a.md:12: body: [[figure 1]] is the lead image, shown above the body (place images 2 and later in the body)',
    'figure-missing': "articles/a.md:12: body: [[figure 2]] but the article has 1 image(s) (number images from 1 in the order of 'images:')",
    'figure-twice': 'articles/a.md:15: body: [[figure 2]] is placed twice (keep one)',
    'figure-marker': 'articles/a.md:12: body: contains a figure marker written by hand (place images with a line [[figure N]])',
    'figure-in-html': 'articles/a.md:12: body: [[figure 2]] is inside a raw HTML block (put a blank line before and after the HTML block, and keep the figure line outside it)',
    'aliases-single': 'articles/a.md:6: aliases: expected a list of addresses, found a single text (write aliases: [/old/])',
    'alias-relative': "articles/a.md:6: aliases.0: 'old/' must be a path from the site's root, starting with / (e.g. aliases: [/2016/06/old-slug/])",
    'alias-dots': "articles/a.md:6: aliases.0: '/a/../b/' is not a plain path (no '..', '.', '//', and not the home page) (e.g. aliases: [/2016/06/old-slug/])",
    'alias-other-site': "articles/a.md:6: aliases.0: 'https://old.example.net/a/' is not an address of this site (https://example.org); a redirect can only live on the site (e.g. aliases: [/2016/06/old-slug/])",
    'alias-query': "articles/a.md:6: aliases.0: '/story.php?id=3' has a query or fragment, which a static site cannot redirect (e.g. aliases: [/2016/06/old-slug/])",
    'alias-reserved': "articles/a.md:6: aliases: '/topics/old/' is under /topics/, which the site itself uses (an alias is an old address that no longer has a page; remove it)",
    'alias-own': "articles/a.md:6: aliases: '/2020/01/a/' is the article's own address (an alias is an old address that no longer has a page; remove it)",
    'alias-taken': "articles/a.md:6: aliases: '/2020/01/b/' is the address of a page the site has (an alias is an old address that no longer has a page; remove it)",
    'alias-shared': "articles/b.md:6: aliases: '/old/' is already an alias of articles/a.md (an alias is an old address that no longer has a page; remove it)",
    'duplicate-url': "articles/a.md:1: slug: '/2020/01/a/' is already the URL of articles/2020-01-02-a.md (set a different 'slug:' in one of them)",
    'duplicate-id': "articles/b.md:6: id: 'tag:example.org,2020:a' is already the id of articles/a.md (ids are permanent and unique: give this article its own)",
    'slug-collision': "articles/b.md:5: topics: 'POLITICS!' and 'Politics' (in articles/a.md) share the URL slug 'politics' (write it as 'Politics' everywhere)",
    'page-reserved': "pages/topics.md:1: slug: 'topics' is a URL the site itself uses (rename the file or set another 'slug:')",
    'page-missing-title': "pages/about.md:1: title: missing (add 'title:' to the front matter)",
    'unregistered-topic': "articles/a.md:5: topics: 'Politcs' is not a registered topic (content/topics.toml) (did you mean 'Politics'?)",
    'unregistered-outlet': "articles/a.md:4: outlet: 'Exmaple Times' is not a registered outlet (content/outlets.toml) (did you mean 'Example Times'?)",
    'topic-and-alias': "articles/a.md:5: topics: 'Government' is the registered topic 'Politics', already listed as 'Politics' (remove 'Government')",
    'registry-unknown-field': "topics.toml:3: topic[1].descripton: unknown field (did you mean 'description'?)",
    'registry-no-name': 'topics.toml:4: topic[2]: the name is missing (every [[topic]] needs name = "…", spelled as articles write it)',
    'registry-twice': "topics.toml:5: topic[2].name: 'politics' is already registered (as 'Politics') (each name and alias may appear once; merge the two entries)",
    'registry-table': 'topics.toml:1: topic: expected a list of entries, found a single table (write [[topic]] (double brackets) before each entry)',
    'registry-toml': 'topics.toml:2: not valid TOML: Invalid value (at line 2, column 8) (each entry is [[topic]] followed by lines \'key = "value"\')',
    'registry-homepage': 'outlets.toml:3: outlet[1].homepage: expected an absolute http(s) address, found \'example.com\' (e.g. "https://www.presstv.ir/")',
    'config-unknown': "config.toml: per_pag: unknown setting (did you mean 'per_page'?)",
    'config-type': "config.toml: per_page: expected a whole number, found '10' (without quotes: per_page = 20)",
    'config-timezone': 'config.toml: timezone: unknown time zone \'Tehran\' (use an IANA name such as "UTC" or "Asia/Tehran")',
    'config-iframes': 'config.toml: allow_iframes: expected a host name, found \'https://www.youtube.com/embed/\' (write only the host, in lowercase, e.g. allow_iframes = ["www.youtube-nocookie.com"])',
    'import-rule-unknown': 'config.toml: import.outlets."Example Times".caption: unknown rule (did you mean \'captions\'?)',
    'import-rule-regex': 'config.toml: import.outlets."Example Times".drop: \'(unclosed\' is not a regular expression: missing ), unterminated subpattern at position 0 (write it in \'single quotes\' so backslashes stay as written)',
    'import-rule-group': 'config.toml: import.outlets."Example Times".captions: \'.*\\\\(AFP\\\\)\' has no group \'caption\' (name the parts: (?P<caption>…))',
    'check-broken-link': "content/articles/a.md:8: body: link '/2020/01/b/' leads to no page of the site (did you mean '/2020/01/bb/'?)",
    'check-body-image': "content/articles/a.md:8: body: image 'photo.jpg' is not an image the site publishes (list the image under 'images:' with src and place it with [[figure N]])",
    'check-unused-image': "content/articles/photo.png: image file is not used by any article (add it to an article's 'images:' with src, or delete it)",
    'check-same-story': "content/articles/b.md:6: source_url: 'http://www.example.com/s/1/' was already archived as articles/a.md (the same story is kept once: delete one file, or merge them and list the removed article's address under 'aliases:')",
    'check-placeholder': "content/articles/a.md:8: body: still holds the placeholder text of `new` (replace it with the article's text)",
    'check-no-registry': 'content/topics.toml: there is no topics.toml, so topics are not curated (create content/topics.toml with one [[topic]] name = "…" per topic; in use: \'Politics\')',
    'new-unregistered': "new: outlet: 'Example Tims' is not a registered outlet (content/outlets.toml) (did you mean 'Example Times'?)\nnew: topics: 'Politcs' is not a registered topic (content/topics.toml) (did you mean 'Politics'?)",
    'new-exists': 'content/articles/2020/01/talks-resume.md: already exists; it was left as it was (edit that file, or pass --slug to choose another name)',
    'new-same-story': "new: source_url: 'https://example.com/s/1' is already archived as articles/a.md (the same story is kept once; edit that file instead)",
    'import-lacking': 'copied.txt: date: not in the text (pass --date YYYY-MM-DD, the publication date as the outlet shows it)\ncopied.txt: outlet: not given, and no outlet\'s import rules recognise the text (pass --outlet "Press TV")\ncopied.txt: topics: not in the text (pass --topics "Syria, Diplomacy"; topics are chosen by a person)',
}


def run_case(case: Case, root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The error lines the command prints, paths relative to the site."""
    (root / "content" / "articles").mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "static", root / "static")
    config = 'title = "Test Archive"\nbase_url = "https://example.org/"\n' + case.extra.get("config", "")
    (root / "config.toml").write_text(config, encoding="utf-8")
    files = {**(REGISTRIES if case.registries else {}), **case.files}
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    old = os.getcwd()
    os.chdir(root)
    try:
        capsys.readouterr()
        code = cli.main([*case.command, "--config", "config.toml", "-q"])
        out = capsys.readouterr()
    finally:
        os.chdir(old)
    assert code == 1, f"{case.id}: exit {code}\n{out.out}\n{out.err}"
    text = out.out if case.command == ("check",) else out.err
    summary = re.compile(r"^(Build failed|checked |(new|import): \d+ errors?;)")
    lines = [line for line in text.splitlines() if not summary.match(line)]
    return "\n".join(lines)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_error(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    actual = run_case(case, tmp_path / "site", capsys)
    if os.environ.get("UPDATE_ERROR_CATALOGUE"):
        _record(case.id, actual)
        return
    assert actual == EXPECTED.get(case.id), f"run `make errors-doc` if this message changed on purpose:\n{actual}"
    for line in actual.splitlines():
        # Every message names a file; content errors name a line; every one says how to fix it.
        assert re.match(r"^[^:\s]+(:\d+)?: ", line), line
        if "(" not in line:
            pytest.fail(f"no hint in {line!r}")


def test_catalogue_is_complete_and_documented() -> None:
    assert len({c.id for c in CASES}) == len(CASES)
    if os.environ.get("UPDATE_ERROR_CATALOGUE"):
        return
    assert set(EXPECTED) == {c.id for c in CASES}, "run `make errors-doc`"
    assert DOC.read_text(encoding="utf-8") == render_doc(), "docs/errors.md is stale: run `make errors-doc`"


def render_doc() -> str:
    out = ["# Error catalogue", "",
           "Every error that content validation reports, with an example of what causes it and the exact",
           "message. Generated from `tests/test_error_catalogue.py` (`make errors-doc`); each example is",
           "a test, so this page cannot drift from what the program says.", "",
           "Messages read `path:line: field: what was found (how to fix it)`. Paths are relative to",
           "`content/` for `build`, and to the working folder for `check`.", ""]
    section = ""
    for case in CASES:
        if case.section != section:
            section = case.section
            out += [f"## {section}", ""]
        command = "python build.py " + " ".join(case.command) if case.command else "python build.py"
        out += [f"### {case.what}", ""]
        sample = next((v for k, v in case.files.items() if k.endswith(".md") and isinstance(v, str) and v), None)
        if case.extra.get("config"):
            out += ["In `config.toml`:", "", "```toml", case.extra["config"].rstrip("\n"), "```", ""]
        elif any(k.endswith(".toml") for k in case.files):
            rel, text = next((k, v) for k, v in case.files.items() if k.endswith(".toml"))
            out += [f"In `{rel}`:", "", "```toml", str(text).rstrip("\n"), "```", ""]
        elif sample is not None and case.id not in ("check-unused-image",):
            out += ["In an article:", "", "```markdown", sample.rstrip("\n"), "```", ""]
        out += [f"`{command}` prints:", "", "```", EXPECTED.get(case.id, ""), "```", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _record(case_id: str, actual: str) -> None:
    """Write the observed message into EXPECTED in this file (make errors-doc)."""
    path = Path(__file__)
    source = path.read_text(encoding="utf-8")
    start = source.index("EXPECTED: dict[str, str] = {\n") + len("EXPECTED: dict[str, str] = {\n")
    end = source.index("}\n", start)  # the first line that is just "}"
    entries = dict(re.findall(r"^    ('[^']*'|\"[^\"]*\"): (.*),$", source[start:end], flags=re.M))
    entries[repr(case_id)] = repr(actual)
    order = [repr(c.id) for c in CASES]
    body = "".join(f"    {k}: {entries[k]},\n" for k in order if k in entries)
    path.write_text(source[:start] + body + source[end:], encoding="utf-8")
