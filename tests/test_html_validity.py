"""The Nu Html Checker (npm `vnu-jar`, run with Java) finds no error on any page of the real content."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, require

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_nu_html_checker_finds_no_errors_on_any_page_of_the_real_content(tmp_path: Path) -> None:
    require(VNU.is_file(), "node_modules/vnu-jar (npm ci)")
    require(shutil.which("java") is not None, "Java (apt-get install default-jre-headless)")
    out = tmp_path / "output"
    subprocess.run([sys.executable, str(REPO / "build.py"), "--output", str(out), "-q"], check=True, cwd=REPO)
    pages = sorted(str(p) for p in out.rglob("*.html"))
    assert len(pages) >= 10
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
                            capture_output=True, text=True, timeout=300)
    report = json.loads(result.stderr or result.stdout)
    errors = [f"{m.get('url', '').rsplit('/output/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in report["messages"] if m.get("type") in ("error", "non-document-error")]
    assert errors == []
