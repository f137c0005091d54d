"""Command-line parsing only: one function per verb, each handing off to newsarchive.commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
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
    return parser


def _config_from(args: argparse.Namespace) -> Config:
    return load_config(
        args.config,
        content_dir=args.content,
        output_dir=args.output,
        templates_dir=args.templates,
        drafts=args.drafts or None,
    )


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


VERBS: dict[str, Callable[[argparse.Namespace], int]] = {"build": run_build}


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
