"""Command-line parsing only: one function per verb, each handing off to newsarchive.commands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from . import __version__
from .config import Config, load_config
from .errors import BuildError
from .output import LockedError, OutputError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_FAILURE = 0, 1, 2, 3


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
               "2 usage error, 3 the output could not be written.",
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
    return parser


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
        "drafts": args.drafts or None,
        "future": getattr(args, "future", False) or None,
        "now": _now(),
    }
    settings.update(overrides)
    return load_config(args.config, **settings)


def run_build(args: argparse.Namespace) -> int:
    from .commands.build import build

    config = _config_from(args)
    result = build(config)
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
    summary = (f"checked {scope}{report.articles} articles and {report.pages} pages: "
               + (f"{len(errors)} problem{'s' if len(errors) != 1 else ''}" if errors else "no problems"))
    print_report(errors, args.format, summary=summary, quiet=args.quiet)
    return EXIT_CONTENT if errors else EXIT_OK


VERBS: dict[str, Callable[[argparse.Namespace], int]] = {"build": run_build, "check": run_check}


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    verb = VERBS[args.verb or "build"]
    try:
        return verb(args)
    except BuildError as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        count = len(exc.errors)
        print(f"Build failed: {count} error{'s' if count != 1 else ''}; output/ was left as it was.",
              file=sys.stderr)
        return EXIT_CONTENT
    except LockedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except (OutputError, OSError) as exc:
        print(f"error: could not write the site: {exc}; the previous output was left as it was.",
              file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("interrupted; the previous output was left as it was.", file=sys.stderr)
        return 130
