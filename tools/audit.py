"""`make audit`: Lighthouse's four category scores for the home, an article and a topic page.

    python -m tools.audit --site output

Serves the built site on 127.0.0.1 and prints one line per page; exits non-zero only if
Lighthouse itself could not run.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from . import lighthouse
from .browser import serve


def sample_pages(site: Path) -> dict[str, str]:
    """Home, the newest article and the first topic, found from the built home page."""
    home = (site / "index.html").read_text(encoding="utf-8")
    article = re.search(r'class="card__title"><a href="([^"]+)"', home)
    topics = (site / "topics" / "index.html").read_text(encoding="utf-8")
    topic = re.search(r'<ul class="term-index">\s*<li><a href="([^"]+)"', topics)
    pages = {"home": "/"}
    if article:
        pages["article"] = article[1]
    if topic:
        pages["topic"] = topic[1]
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("output"))
    parser.add_argument("--form-factor", choices=["mobile", "desktop"], default="mobile")
    args = parser.parse_args()
    if not lighthouse.available():
        print("audit: needs node_modules (npm ci) and Chromium (/usr/bin/chromium)", file=sys.stderr)
        return 2
    with serve(args.site) as base:
        print(f"Lighthouse 12 ({args.form_factor}), scores out of 100:")
        for name, path in sample_pages(args.site).items():
            report = lighthouse.audit(base.rstrip("/") + path, args.form_factor)
            print(f"{name:8} {report.line()}   {path}")
            for category, items in report.failures.items():
                for item in items:
                    print(f"           - {category}: {item[:160]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
