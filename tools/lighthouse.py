"""Run Lighthouse (npm `lighthouse`, pinned in package.json) against a page, offline.

Lighthouse drives the system Chromium (CHROME_PATH) with every background-networking
feature off, so the only requests are the ones the page itself makes to the local server.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .browser import CHROMIUM_ARGS, chromium_path

REPO = Path(__file__).resolve().parent.parent
LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


@dataclass(frozen=True)
class Report:
    url: str
    scores: dict[str, float]
    failures: dict[str, list[str]]  # category -> audits that lost points, with their detail
    requests: tuple[str, ...] = ()  # every URL the page loaded, from the network-requests audit

    def line(self) -> str:
        return "  ".join(f"{name} {round(self.scores[name] * 100):3d}" for name in CATEGORIES)


def available() -> bool:
    return LIGHTHOUSE.is_file() and chromium_path() is not None


def audit(url: str, form_factor: str = "mobile") -> Report:
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    with tempfile.TemporaryDirectory(prefix="newsarchive-lighthouse-") as tmp:
        out = Path(tmp) / "report.json"
        cmd = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
               f"--chrome-flags={flags}", f"--only-categories={','.join(CATEGORIES)}",
               f"--form-factor={form_factor}"]
        if form_factor == "desktop":
            cmd.append("--preset=desktop")
        env = dict(os.environ, CHROME_PATH=chromium_path() or "", HOME=tmp)
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
        if result.returncode != 0 or not out.is_file():
            raise RuntimeError(f"lighthouse failed on {url} ({result.returncode}): {result.stderr[-2000:]}")
        data = json.loads(out.read_text(encoding="utf-8"))
    scores = {name: data["categories"][name]["score"] for name in CATEGORIES}
    failures: dict[str, list[str]] = {}
    for name in CATEGORIES:
        for ref in data["categories"][name]["auditRefs"]:
            entry = data["audits"][ref["id"]]
            if ref["weight"] > 0 and entry["score"] is not None and entry["score"] < 1:
                items = entry.get("details", {}).get("items", [])
                failures.setdefault(name, []).append(f"{ref['id']}: {entry['title']} {json.dumps(items)[:300]}")
    requests = tuple(item["url"] for item in data["audits"]["network-requests"]["details"]["items"])
    return Report(url=url, scores=scores, failures=failures, requests=requests)
