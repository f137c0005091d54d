"""`build.py serve` end to end: a real server process, real HTTP, real file changes."""

from __future__ import annotations

import json
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable

import pytest

from conftest import BASIC_ARTICLE, REPO

TIMEOUT = 60.0  # generous: the machine is shared; every wait polls and returns early


class Server:
    def __init__(self, site, *args: str):
        self.site = site
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--port", "0",
             "--config", str(site.root / "config.toml"), *args],
            cwd=site.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        for stream in (self.proc.stdout, self.proc.stderr):
            threading.Thread(target=self._pump, args=(stream,), daemon=True).start()
        line = self.wait_line(lambda text: text.startswith("Serving "))
        self.url = re.search(r"(http://\S+?)(/\S*) ", line)[1]  # type: ignore[index]

    def _pump(self, stream) -> None:  # noqa: ANN001
        for line in stream:
            self.lines.put(line.rstrip("\n"))

    def wait_line(self, pred: Callable[[str], bool]) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.proc.poll() is None, f"server exited: {self.log}"
                continue
            self.log.append(line)
            if pred(line):
                return line
        raise AssertionError(f"no such line; output so far: {self.log}")

    def get(self, path: str) -> tuple[int, str, dict[str, str]]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as resp:
                return resp.status, resp.read().decode("utf-8"), dict(resp.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8"), dict(exc.headers)

    def status(self) -> dict:
        return json.loads(self.get("/__newsarchive/status")[1])

    def wait_for(self, path: str, pred: Callable[[int, str], bool]) -> str:
        deadline = time.monotonic() + TIMEOUT
        last: tuple[int, str] = (0, "")
        while time.monotonic() < deadline:
            code, body, _ = self.get(path)
            last = (code, body)
            if pred(code, body):
                return body
            time.sleep(0.1)
        raise AssertionError(f"{path} never matched; last: {last[0]} {last[1][:2000]}; log: {self.log}")

    def stop(self, sig: int = signal.SIGINT) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=TIMEOUT)


@pytest.fixture
def server(site):
    servers: list[Server] = []

    def start(*args: str) -> Server:
        servers.append(Server(site, *args))
        return servers[-1]

    yield start
    for s in servers:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()


def test_serve_rebuilds_shows_errors_recovers_and_stops_cleanly(site, server):
    site.article("2020-01-02-first", BASIC_ARTICLE, "The first version of the text.\n")
    site.article("draft", BASIC_ARTICLE + "draft: true\n", "A draft.\n")
    srv = server()
    page = "/2020/01/first/"
    body = srv.wait_for(page, lambda code, text: code == 200 and "The first version" in text)
    # The live-reload script is added by the server only; the file on disk has none.
    assert '<script src="/__newsarchive/livereload.js" data-build="1"></script>' in body
    built = next((site.root / ".cache" / "serve").rglob("first/index.html")).read_text(encoding="utf-8")
    assert "__newsarchive" not in built
    assert not site.output.exists()  # the preview never touches output/
    # Drafts are shown; links point at the server, not at base_url.
    assert srv.wait_for("/2020/01/draft/", lambda code, _: code == 200)
    assert f'href="{srv.url}/2020/01/first/"' in body  # canonical link

    # Change a file: the new content is served, under a new build number.
    site.article("2020-01-02-first", BASIC_ARTICLE, "The second version of the text.\n")
    body = srv.wait_for(page, lambda code, text: "The second version" in text)
    # Files are swapped in first, then the new number is announced: poll for it.
    srv.wait_for("/__newsarchive/status", lambda code, text: json.loads(text)["build"] >= 2)

    # Break it: the browser gets the error page, the terminal the error, the server stays up.
    site.article("2020-01-02-first", BASIC_ARTICLE.replace("date: 2020-01-02", "date: 2020-02-30"), "Broken.\n")
    body = srv.wait_for(page, lambda code, text: code == 500)
    assert "Build failed: 1 error" in body
    assert "articles/2020-01-02-first.md" in body and "is not a real date" in body
    assert "livereload.js" in body  # so the page reloads itself once fixed
    srv.wait_line(lambda line: "is not a real date" in line)
    assert srv.status()["ok"] is False
    code, css, headers = srv.get("/static/css/site.css")  # the last good files are still served
    assert code == 200 and headers["Content-Type"].startswith("text/css")

    # Fix it: the site is back.
    site.article("2020-01-02-first", BASIC_ARTICLE, "The fixed version of the text.\n")
    srv.wait_for(page, lambda code, text: code == 200 and "The fixed version" in text)
    assert srv.status()["ok"] is True

    # Templates and the config file are watched too.
    config = site.root / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("Test Archive", "Renamed Archive"), encoding="utf-8")
    srv.wait_for("/", lambda code, text: "Renamed Archive" in text)

    assert srv.stop(signal.SIGINT) == 0
    srv.wait_line(lambda line: line == "stopped")


def test_serve_reports_events_and_stops_on_sigterm(site, server):
    site.article("a", BASIC_ARTICLE)
    srv = server()
    srv.wait_for("/", lambda code, _: code == 200)
    # The event stream says the current build number at once.
    with urllib.request.urlopen(srv.url + "/__newsarchive/events", timeout=TIMEOUT) as events:
        assert events.headers["Content-Type"] == "text/event-stream"
        first = [events.readline().decode() for _ in range(2)]
        assert first == ["retry: 1000\n", "data: 1\n"]
        site.article("a", BASIC_ARTICLE, "Changed.\n")
        seen = ""
        deadline = time.monotonic() + TIMEOUT
        while "data: 2" not in seen and time.monotonic() < deadline:
            seen += events.readline().decode()
        assert "data: 2" in seen
    code, _, _ = srv.get("/no/such/page/")
    assert code == 404
    code, _, _ = srv.get("/../../etc/passwd")
    assert code == 404
    assert srv.stop(signal.SIGTERM) == 0


def test_serve_under_a_sub_path_and_with_a_broken_start(site, server):
    site.config(base_url="https://example.org/archive/")
    site.article("a", BASIC_ARTICLE.replace("2020-01-02", "2020-13-01"))
    srv = server()
    assert srv.url.startswith("http://127.0.0.1:")
    body = srv.wait_for("/archive/", lambda code, _: code == 500)
    assert "is not a real date" in body or "not an ISO 8601 date" in body
    site.article("a", BASIC_ARTICLE)
    body = srv.wait_for("/archive/2020/01/a/", lambda code, _: code == 200)
    assert f'href="{srv.url}/archive/2020/01/a/"' in body
    code, _, headers = srv.get("/")
    assert code == 200  # urllib follows the redirect to /archive/
    assert srv.stop() == 0


def test_port_in_use_is_a_clear_error(site, server):
    srv = server()
    port = srv.url.rsplit(":", 1)[1]
    result = site.run("serve", "--port", port)
    assert result.returncode == 3
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert srv.stop() == 0


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
def test_open_pages_reload_themselves_in_a_real_browser(site, server):
    import os
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI needs Chromium at /usr/bin/chromium")
        pytest.skip("no Chromium")
    playwright = pytest.importorskip("playwright.sync_api")
    site.article("2020-01-02-first", BASIC_ARTICLE, "Before the change.\n")
    srv = server()
    srv.wait_for("/2020/01/first/", lambda code, _: code == 200)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(srv.url + "/2020/01/first/")
        assert "Before the change." in page.inner_text("main")
        page.evaluate("window.__not_reloaded = true")
        site.article("2020-01-02-first", BASIC_ARTICLE, "After the change.\n")
        page.wait_for_function("document.body.innerText.includes('After the change.')", timeout=TIMEOUT * 1000)
        assert page.evaluate("window.__not_reloaded === undefined")  # a real reload, by the script
        # A broken file shows the errors in the open page; fixing it brings the page back.
        site.article("2020-01-02-first", BASIC_ARTICLE + "colour: red\n", "x\n")
        page.wait_for_selector("ol.build-errors", timeout=TIMEOUT * 1000)
        assert "colour: red" not in page.inner_text("body") and "unknown field" in page.inner_text("body")
        page.screenshot(path=str(site.root / "error.png"))
        site.article("2020-01-02-first", BASIC_ARTICLE, "Fixed.\n")
        page.wait_for_function("document.body.innerText.includes('Fixed.')", timeout=TIMEOUT * 1000)
        browser.close()
    assert srv.stop() == 0
