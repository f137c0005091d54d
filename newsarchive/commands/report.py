"""Printing a list of errors for people (text), tools (json) or CI annotations (github)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from ..errors import ContentError


def print_report(errors: Sequence[ContentError], fmt: str, summary: str = "", quiet: bool = False) -> None:
    if fmt == "json":
        json.dump({"ok": not errors, "count": len(errors), "summary": summary,
                   "errors": [e.as_dict() for e in errors]}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    for error in errors:
        print(github_annotation(error) if fmt == "github" else str(error))
    if summary and not quiet:
        print(summary, file=sys.stderr)


def github_annotation(error: ContentError) -> str:
    """`::error file=…,line=…,title=…::message`: shown on the pull request's changed lines."""
    def escape(value: str, prop: bool = False) -> str:
        value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return value.replace(":", "%3A").replace(",", "%2C") if prop else value

    props = f"file={escape(error.path, True)}"
    if error.line:
        props += f",line={error.line}"
    if error.field:
        props += f",title={escape(error.field, True)}"
    message = error.message + (f" ({error.hint})" if error.hint else "")
    return f"::error {props}::{escape(message)}"
