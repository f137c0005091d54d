"""Screenshots of the home and article pages at phone and desktop widths, for the README.

    python -m tools.screenshots --site demo-output --out docs

Uses the built site as it is; `make screenshots` builds the demo archive first.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

from .browser import launch, serve

WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}


def first_article(site: Path) -> str:
    """The newest article in the site's own language (its card carries no lang of its own)."""
    html = (site / "index.html").read_text(encoding="utf-8")
    for card in re.finditer(r'<li class="card"(?P<attrs>[^>]*)>.*?class="card__title"><a href="(?P<href>[^"]+)"', html, re.S):
        if "lang=" not in card["attrs"]:
            return card["href"]
    raise SystemExit(f"no article found on {site / 'index.html'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("output"))
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--article", help="path of the article page (default: the newest)")
    parser.add_argument("--dark", action="store_true", help="also take dark-mode screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pages = {"home": "/", "article": args.article or first_article(args.site)}
    schemes = ["light", "dark"] if args.dark else ["light"]
    with serve(args.site) as base, sync_playwright() as pw:
        browser = launch(pw)
        for scheme in schemes:
            for device, (width, height) in WIDTHS.items():
                context = browser.new_context(viewport={"width": width, "height": height},
                                              device_scale_factor=1, color_scheme=scheme)
                page = context.new_page()
                for name, path in pages.items():
                    page.goto(base.rstrip("/") + path, wait_until="networkidle")
                    suffix = "" if scheme == "light" else "-dark"
                    target = args.out / f"{name}-{device}{suffix}.png"
                    page.screenshot(path=str(target), full_page=False)
                    print(target)
                context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
