"""Command-line parsing only: one function per verb, each handing off to newsarchive.commands."""

from __future__ import annotations

import argparse
import errno
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from . import __version__
from .config import Config, load_config
from .errors import BuildError, ContentError
from .output import LockedError, OutputError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_FAILURE, EXIT_INTERNAL = 0, 1, 2, 3, 4
_WRITE_HINTS = {
    errno.ENOSPC: "the disk is full: free some space (the build needs room for the changed files) and build again",
    errno.EDQUOT: "the disk quota is used up: free some space and build again",
    errno.EFBIG: "a file is larger than this system or account allows (ulimit -f)",
    errno.EROFS: "the output folder is on a read-only file system: pass --output DIR on a writable one",
    errno.EACCES: "no permission to write there: the build writes beside the output folder too, so its parent must be writable",
    errno.EPERM: "no permission to write there: the build writes beside the output folder too, so its parent must be writable",
}
BUG_REPORT_HINT = ("this is a bug in newsarchive, not in your content; please report it with the command "
                   "you ran and the output of --verbose")


def _site_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """Options every verb that reads the site takes. Sub-commands suppress defaults so a
    value given before the verb is not overwritten by the verb's own default."""
    default = argparse.SUPPRESS if suppress else None
    flag_default = argparse.SUPPRESS if suppress else False
    group = parser.add_argument_group("site options")
    group.add_argument("--config", metavar="FILE", type=Path, default=default if suppress else Path("config.toml"),
                       help="configuration file (default: config.toml); other paths default to its folder")
    group.add_argument("--content", metavar="DIR", type=Path, default=default,
                       help="content folder (default: content/ beside the config file)")
    group.add_argument("--output", metavar="DIR", type=Path, default=default,
                       help="where the site is written (default: output/ beside the config file)")
    group.add_argument("--templates", metavar="DIR", type=Path, default=default,
                       help="templates folder (default: templates/ beside the config file)")
    group.add_argument("--cache", metavar="DIR", type=Path, default=default,
                       help="build cache, reused by later builds (default: .cache/ beside the config file)")
    group.add_argument("--drafts", action="store_true", default=flag_default,
                       help="include articles and pages marked 'draft: true'")
    group.add_argument("--future", action="store_true", default=flag_default,
                       help="include articles dated in the future (skipped by default, with a notice)")
    noise = group.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", default=flag_default,
                       help="print errors only")
    noise.add_argument("-v", "--verbose", action="store_true", default=flag_default,
                       help="also print notices (skipped drafts and the like)")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build the news archive: content/ -> output/. With no verb, builds the site.",
        epilog="Exit status: 0 built, 1 content or template errors (all are listed), "
               "2 usage error, 3 the output could not be written, 4 internal error (a bug).",
    )
    parser.add_argument("--version", action="version", version=f"newsarchive {__version__}")
    _site_options(parser, suppress=False)
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")
    build = verbs.add_parser("build", help="build the site (the default)",
                             description="Build the site into the output folder, atomically.")
    _site_options(build, suppress=True)

    check = verbs.add_parser(
        "check", help="validate the site without publishing it",
        description="Everything a build validates, plus: links and images in bodies resolve, every "
                    "image file is used, no two articles share a source_url, topics and outlets are "
                    "registered. Drafts and future articles are checked too. Exit 0 only when clean.")
    _site_options(check, suppress=True)
    check.add_argument("files", nargs="*", type=Path, metavar="FILE",
                       help="report only problems in (or involving) these files; the whole site is still read")
    check.add_argument("--format", choices=("text", "json", "github"), default="text",
                       help="text: 'path:line: message' lines (default); json: one JSON document; "
                            "github: GitHub Actions annotations")

    new = verbs.add_parser(
        "new", help="scaffold an article file",
        description="Write content/articles/YYYY/MM/<slug>.md with front matter filled in, and print "
                    "its path. Outlet and topics must be registered when registries exist. Never overwrites.")
    _site_options(new, suppress=True)
    new.add_argument("title", metavar="TITLE", help="the headline, as the outlet published it")
    _article_options(new)
    new.add_argument("--draft", action=argparse.BooleanOptionalAction, default=True,
                     help="mark it 'draft: true' so it is not published until finished (default: yes)")

    imp = verbs.add_parser(
        "import", help="turn text copied from an outlet's page into article files",
        description="Each FILE holds an article as copied from the outlet's page: the headline on the "
                    "first line, paragraphs separated by blank lines, photo captions and page furniture "
                    "among them. The outlet's rules in config.toml ([import.outlets.\"Name\"]) recognise "
                    "captions and boilerplate; options fill what the text lacks. Every decision is reported.")
    _site_options(imp, suppress=True)
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE", help="plain-text file(s), UTF-8")
    _article_options(imp, required=False)
    imp.add_argument("--stdout", action="store_true", help="print the article instead of writing it")

    srv = verbs.add_parser(
        "serve", help="preview the site, rebuilding and reloading on every change",
        description="Build the site with drafts and future articles into .cache/serve/ (or --output), "
                    "serve it, watch content/, templates/, static/ and the config file, rebuild on "
                    "change and reload open pages. Build errors are shown in the browser and here; "
                    "the server keeps running. Ctrl+C (or SIGTERM) stops it.")
    _site_options(srv, suppress=True)
    srv.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    srv.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    return parser


def _article_options(parser: argparse.ArgumentParser, required: bool = True) -> None:
    group = parser.add_argument_group("article")
    group.add_argument("--outlet", default="", required=required and False,
                       help='the publication, e.g. "Press TV" (import: recognised from the text when its rules match)')
    group.add_argument("--topics", default="", help='comma-separated, e.g. "Syria, US foreign policy"')
    group.add_argument("--source-url", default="", metavar="URL", help="the original article's address")
    group.add_argument("--date", type=_iso_date, default=None, metavar="YYYY-MM-DD",
                       help="publication date (new: default today, in the site's time zone)")
    group.add_argument("--slug", default="", help="the file and URL name (default: from the title)")
    group.add_argument("--byline", default="", help="the author(s)")


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2016-06-22") from None


def _now() -> datetime | None:
    """NEWSARCHIVE_NOW pins the clock that decides which articles are "in the future"."""
    value = os.environ.get("NEWSARCHIVE_NOW", "").strip()
    if not value:
        return None
    try:
        now = datetime.fromisoformat(value)
    except ValueError:
        raise SystemExit(f"error: NEWSARCHIVE_NOW={value!r} is not an ISO 8601 date and time") from None
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def _config_from(args: argparse.Namespace, **overrides: object) -> Config:
    settings: dict[str, object] = {
        "content_dir": args.content,
        "output_dir": args.output,
        "templates_dir": args.templates,
        "cache_dir": getattr(args, "cache", None),
        "drafts": args.drafts or None,
        "future": getattr(args, "future", False) or None,
        "now": _now(),
    }
    settings.update(overrides)
    return load_config(args.config, **settings)


def run_build(args: argparse.Namespace) -> int:
    from .commands.build import build
    from .progress import for_terminal

    config = _config_from(args)
    progress = for_terminal(args.quiet)
    try:
        result = build(config, progress)
    finally:
        progress.finish()  # a failed build's errors start on a clean line
    if args.verbose:
        for notice in result.notices:
            print(notice, file=sys.stderr)
    if not args.quiet:
        print(result.summary())
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    from .commands.check import check, display_path
    from .commands.report import print_report

    try:
        config = _config_from(args)
    except BuildError as exc:
        print_report(exc.errors, args.format, summary="the configuration is invalid")
        return EXIT_CONTENT
    report = check(config, only=args.files)
    errors = [display_path(e, Path(config.content_dir)) for e in report.errors]
    if args.verbose:
        for notice in report.notices:
            print(notice, file=sys.stderr)
    scope = f"{len(args.files)} file(s) of " if args.files else ""
    articles = f"{report.articles} article{'' if report.articles == 1 else 's'}"
    pages = f"{report.pages} page{'' if report.pages == 1 else 's'}"
    summary = (f"checked {scope}{articles} and {pages}: "
               + (f"{len(errors)} problem{'s' if len(errors) != 1 else ''}" if errors else "no problems"))
    print_report(errors, args.format, summary=summary, quiet=args.quiet)
    return EXIT_CONTENT if errors else EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    from .commands.new import NewArticle, display, new_article
    from .content.writer import split_list

    config = _config_from(args)
    created = new_article(config, NewArticle(
        title=args.title, outlet=args.outlet, topics=split_list(args.topics), source_url=args.source_url,
        day=args.date, slug=args.slug, draft=args.draft, byline=args.byline))
    for notice in created.notices:
        print(notice, file=sys.stderr)
    print(display(created.path))
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    from .commands.importer import ImportOptions, convert, write
    from .commands.new import display
    from .content.writer import split_list

    if len(args.files) > 1 and (args.source_url or args.slug):
        print("error: --source-url and --slug describe one article; import the files one at a time",
              file=sys.stderr)
        return EXIT_USAGE
    config = _config_from(args)
    options = ImportOptions(outlet=args.outlet, day=args.date, source_url=args.source_url,
                            topics=split_list(args.topics), slug=args.slug, byline=args.byline)
    errors = []
    for file in args.files:
        try:
            raw = file.read_bytes()
        except OSError as exc:
            errors.append(ContentError(str(file), 0, "", f"cannot be read: {exc.strerror}"))
            continue
        result = convert(str(file), raw, config, options)
        if not args.quiet:
            for notice in result.notices:
                print(f"{file}: {notice}", file=sys.stderr)
        if result.errors:
            errors += result.errors
            continue
        if args.stdout:
            sys.stdout.write(result.text)
            continue
        problems = write(result)
        errors += problems
        if not problems:
            print(display(result.path))  # type: ignore[arg-type]
    if errors:
        raise BuildError(errors)
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    from .commands.serve import ServeOptions, main_streams, serve

    out, err = main_streams()
    return serve(lambda: _config_from(args), args.config, getattr(args, "output", None),
                 ServeOptions(host=args.host, port=args.port, quiet=args.quiet), out=out, err=err)


VERBS: dict[str, Callable[[argparse.Namespace], int]] = {
    "build": run_build, "check": run_check, "new": run_new, "import": run_import, "serve": run_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    verb = VERBS[args.verb or "build"]
    try:
        return verb(args)
    except BuildError as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        count = len(exc.errors)
        errors = f"{count} error{'s' if count != 1 else ''}"
        if args.verb in ("new", "import"):
            print(f"{args.verb}: {errors}; no file was written for them.", file=sys.stderr)
        else:
            print(f"Build failed: {errors}; output/ was left as it was.", file=sys.stderr)
        return EXIT_CONTENT
    except LockedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except (OutputError, OSError) as exc:
        print(f"error: could not write the site: {exc}; the previous output was left as it was.",
              file=sys.stderr)
        hint = _WRITE_HINTS.get(getattr(exc, "errno", None) or 0)
        if hint:
            print(f"hint: {hint}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("interrupted; the previous output was left as it was.", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a raw traceback
        if getattr(args, "verbose", False):
            traceback.print_exc()
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print(f"The previous output was left as it was; {BUG_REPORT_HINT}.", file=sys.stderr)
        return EXIT_INTERNAL
