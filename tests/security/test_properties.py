"""Property-based: whatever front matter and body a contributor writes, the build either
succeeds or fails cleanly (exit 1, every error `path:line: …`), never crashes, and never
writes outside output/; and whatever it publishes is free of injected markup."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsarchive import cli
from tests.conftest import REPO
from tests.security.test_escaping import check_html_tree

FIELDS = ["title", "date", "outlet", "topics", "source_url", "byline", "summary", "updated", "language",
          "slug", "draft", "images", "id", "aliases", "unknown", "Title", "tags"]
NASTY = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "../", "..\\", "%2e%2e/", "/etc/passwd",
         "\x00", "\u202e", "\ufeff", "javascript:alert(1)", "]]>", "{{ 7*7 }}", "---", "\t", "&amp;", "\r",
         "!!python/object/apply:os.system [x]", "*alias", "&anchor", "[[figure 2]]", "<!--newsarchive:figure 9-->"]

text = st.one_of(st.text(max_size=40), st.sampled_from(NASTY),
                 st.lists(st.sampled_from(NASTY) | st.text(max_size=8), max_size=4).map("".join))
scalar = st.one_of(text, st.integers(-10**6, 10**6), st.booleans(), st.none(), st.floats(allow_nan=True),
                   st.sampled_from(["2016-02-30", "0000-01-01", "2020-01-02", "2020-01-02T10:00:00+04:30",
                                    "9999-12-31T23:59:59-12:00", "2020-13-01", "https://example.org/x"]))
value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=3),
                     max_leaves=8)
front = st.dictionaries(st.sampled_from(FIELDS), value, max_size=8)

body_piece = st.one_of(
    st.text(max_size=60),
    st.sampled_from(NASTY),
    st.sampled_from(["# Heading", "> quote", "- item", "1. one", "```", "~~~", "| a | b |\n|---|---|\n| 1 | 2 |",
                     "[^1]", "[^1]: note", "<div>", "</div>", "<table><td>", "<iframe src=https://x>", "{: #id .c }",
                     "[[figure 1]]", "[[figure 3]]", "<svg><script>x</script></svg>", "*[HTML]: x", "    code",
                     "<a href='javascript:x'>l</a>", "![i](data:x)", "<style>body{}</style>", ">" * 50]),
)
body = st.lists(body_piece, max_size=12).map("\n".join)

ERROR_LINE = re.compile(r"^(articles|pages)/\S+:\d+: \S")


def valid_front() -> dict:
    return {"title": "T", "date": "2020-01-02", "outlet": "O", "topics": ["A"]}


def encode(fm: dict) -> str:
    # JSON is YAML: every generated value is written exactly, whatever characters it has.
    return "\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in fm.items())


def run_build(files: dict[str, str | bytes], config: str = "", args: tuple[str, ...] = ()) -> tuple[int, str, Path, set[Path], Path]:
    root = Path(tempfile.mkdtemp(prefix="prop-"))
    site = root / "site"
    (site / "content" / "articles").mkdir(parents=True)
    shutil.copytree(REPO / "templates", site / "templates")
    (site / "config.toml").write_text('title = "P"\nbase_url = "https://example.org/"\n' + config, encoding="utf-8")
    for rel, data in files.items():
        path = site / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    before = {Path(d) / n for d, _, fs in os.walk(root) for n in fs}
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["--config", str(site / "config.toml"), "-q", *args])
    return code, err.getvalue(), site, before, root


def check(code: int, err: str, site: Path, before: set[Path], root: Path) -> None:
    try:
        assert code in (0, 1), f"exit {code}: {err}"
        assert "Traceback" not in err and "internal error" not in err, err
        if code == 1:
            lines = err.strip().splitlines()
            assert lines[-1].startswith("Build failed:"), err
            for line in lines[:-1]:
                assert ERROR_LINE.match(line), line
        output = (site / "output").resolve()
        # Besides output/: its lock, the build cache and the spare copy of the previous output.
        allowed = [output, (site / ".cache").resolve(), (site / ".spare-output").resolve()]
        for path in {Path(d) / n for d, _, fs in os.walk(root) for n in fs} - before:
            assert any(path.resolve().is_relative_to(f) for f in allowed) or path.name == ".output.lock", path
        if code == 0:
            for page in output.rglob("*.html"):
                check_html_tree(lxml.html.document_fromstring(page.read_bytes()), str(page.relative_to(output)),
                                titles_only=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)


# A fixed, fast sample in the suite; HYPOTHESIS_EXAMPLES=500 searches deeper, at random.
_EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "0"))
SETTINGS = settings(max_examples=_EXAMPLES or 40, deadline=None, derandomize=not _EXAMPLES, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(fm=front, text=body)
def test_any_front_matter_and_body(fm, text):
    check(*run_build({"articles/x.md": f"---\n{encode(fm)}\n---\n{text}\n"}))


@SETTINGS
@given(extra=st.dictionaries(st.sampled_from(FIELDS[4:]), value, max_size=4), text=body)
def test_valid_articles_with_any_extras(extra, text):
    """Start from a valid article so generated bodies reach Markdown, the sanitiser and templates."""
    fm = valid_front() | extra
    check(*run_build({"articles/x.md": f"---\n{encode(fm)}\n---\n{text}\n",
                      "pages/p.md": f"---\ntitle: P\n---\n{text}\n"}))


@SETTINGS
@given(raw=st.binary(max_size=300), prefix=st.sampled_from([b"", b"---\n", b"\xef\xbb\xbf---\r\n", b"---\ntitle: "]))
def test_any_bytes(raw, prefix):
    check(*run_build({"articles/x.md": prefix + raw}))


@SETTINGS
@given(raw_yaml=st.text(alphabet=st.sampled_from(list("ab: -[]{}'\"!&*|>#%@`?,\n\t\\0123")), max_size=80))
def test_any_yaml_like_text(raw_yaml):
    check(*run_build({"articles/x.md": f"---\n{raw_yaml}\n---\nBody\n"}))


@SETTINGS
@given(name=st.text(alphabet=st.sampled_from(list("ab.-_%2eé \\\u202e")), min_size=1, max_size=12))
def test_any_file_name(name):
    if name in (".", "..") or "/" in name:
        return
    check(*run_build({f"articles/{name}.md": f"---\n{encode(valid_front())}\n---\nBody\n"}))


date_text = st.builds(
    lambda y, mo, d, h, mi, off: f"{y:04d}-{mo:02d}-{d:02d}" + (f"T{h:02d}:{mi:02d}:00{off}" if h is not None else ""),
    st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.none() | st.integers(0, 24), st.integers(0, 60),
    st.sampled_from(["", "Z", "+00:00", "+14:00", "-12:00", "+04:30", "-0330"]))


@SETTINGS
@given(published=date_text, updated=st.none() | date_text,
       timezone=st.sampled_from(["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Tehran"]))
def test_any_date(published, updated, timezone):
    fm = valid_front() | {"date": published} | ({"updated": updated} if updated else {})
    files = {"articles/x.md": f"---\n{encode(fm)}\n---\nBody\n"}
    check(*run_build(files, config=f'timezone = "{timezone}"\n', args=("--future",)))
