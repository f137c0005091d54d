"""The Jinja environment: autoescaping on, undefined names are errors, a few filters."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import jinja2
from markupsafe import Markup

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def human_date(value: datetime) -> str:
    """'22 June 2016': unambiguous to every reader, whatever the locale of the machine."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def month_name(number: int) -> str:
    return MONTHS[number - 1]


def make_environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,  # every template, whatever its extension: front matter is untrusted
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["human_date"] = human_date
    env.filters["month_name"] = month_name
    env.filters["iso"] = lambda value: value.isoformat()
    env.globals["Markup"] = Markup
    return env
