"""`serve`: build, serve on localhost, rebuild on every change, reload open pages.

The preview is built with drafts and future-dated articles, for this address
(base_url's path is kept, its scheme and host become the server's), into its own folder
(.cache/serve/ beside config.toml, unless --output says otherwise) so it never replaces the
published output/.

Live reload is the server's business only: HTML it serves gets one script tag before
</body>, added in flight; the files on disk are exactly what `build` writes. The script
listens to /__newsarchive/events (Server-Sent Events) and reloads the page when the build
number changes. When a build fails, every page request gets the error list instead (and the
terminal prints it); the last good files stay on disk, and the next good build recovers.
"""

from __future__ import annotations

import gc
import html
import json
import mimetypes
import posixpath
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from watchfiles import Change, DefaultFilter, watch

from ..config import Config
from ..errors import BuildError, ContentError
from ..output import OutputError
from .build import build

PREFIX = "/__newsarchive/"
# Reload when the build number differs from the one the page was served with; reconnects on
# its own (EventSource retries), so a restarted server reloads open pages too.
LIVERELOAD_JS = """\
(function () {
  "use strict";
  var build = document.currentScript && document.currentScript.getAttribute("data-build");
  if (!window.EventSource) { return; }
  var events = new EventSource("/__newsarchive/events");
  events.onmessage = function (event) {
    if (event.data !== build) { window.location.reload(); }
  };
})();
"""


@dataclass
class SiteState:
    """The latest build: its number, and its errors when it failed. Shared by all threads."""

    number: int = 0
    errors: list[ContentError] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, errors: list[ContentError]) -> None:
        with self.changed:
            self.number += 1
            self.errors = errors
            self.changed.notify_all()

    def wait_past(self, number: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.number != number, timeout=timeout)
            return self.number


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream must not keep the process alive
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], site: Path, base_path: str, state: SiteState,
                 stopping: threading.Event):
        self.site, self.base_path, self.state, self.stopping = site, base_path, state, stopping
        super().__init__(address, PreviewHandler)


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass  # requests are not news; errors are printed by the build

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        path = urlsplit(self.path).path
        if path == PREFIX + "events":
            return self._events()
        if path == PREFIX + "livereload.js":
            return self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", LIVERELOAD_JS.encode(), head)
        if path == PREFIX + "status":
            state = self.server.state
            body = {"build": state.number, "ok": not state.errors, "errors": [e.as_dict() for e in state.errors]}
            return self._send(HTTPStatus.OK, "application/json", json.dumps(body).encode(), head)

        base = self.server.base_path
        if path == "/" and base != "/":
            return self._redirect(base)
        if not path.startswith(base):
            return self._not_found(head)
        rel = posixpath.normpath(unquote(path[len(base):]) or ".")
        if rel.startswith("..") or "\x00" in rel:
            return self._not_found(head)
        target = self.server.site / rel
        if target.is_dir():
            if not path.endswith("/"):
                return self._redirect(path + "/")
            target = target / "index.html"
        is_page = target.suffix in (".html", ".htm") or not target.suffix
        if self.server.state.errors and is_page:
            return self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/html; charset=utf-8",
                              self._inject(error_page(self.server.state.errors)), head)
        if not target.is_file():
            return self._not_found(head)
        data = target.read_bytes()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html":
            data, kind = self._inject(data.decode("utf-8", "replace")), "text/html; charset=utf-8"
        elif kind.startswith("text/") or kind in ("application/javascript", "application/json", "image/svg+xml"):
            kind += "; charset=utf-8"
        self._send(HTTPStatus.OK, kind, data, head)

    def _inject(self, page: str) -> bytes:
        tag = f'<script src="{PREFIX}livereload.js" data-build="{self.server.state.number}"></script>'
        at = page.rfind("</body>")
        page = page[:at] + tag + "\n" + page[at:] if at >= 0 else page + tag
        return page.encode("utf-8")

    def _not_found(self, head: bool) -> None:
        page = self.server.site / "404.html"
        body = page.read_text(encoding="utf-8") if page.is_file() else "<!doctype html><title>Not found</title><h1>Not found</h1></html>"
        self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", self._inject(body), head)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, kind: str, data: bytes, head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")  # a preview is never stale
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        state, stopping = self.server.state, self.server.stopping
        number, last_sent = state.number, time.monotonic()
        try:
            self.wfile.write(f"retry: 1000\ndata: {number}\n\n".encode())
            self.wfile.flush()
            while not stopping.is_set():
                now = state.wait_past(number, timeout=0.5)
                if now != number:
                    number = now
                    self.wfile.write(f"data: {number}\n\n".encode())
                elif time.monotonic() - last_sent > 15:
                    self.wfile.write(b": keep-alive\n\n")  # finds closed tabs
                else:
                    continue
                self.wfile.flush()
                last_sent = time.monotonic()
        except (BrokenPipeError, ConnectionResetError):
            pass


def error_page(errors: list[ContentError]) -> str:
    items = "\n".join(
        f"<li><code>{html.escape(e.path)}{':' + str(e.line) if e.line else ''}</code>"
        f"{' <b>' + html.escape(e.field) + '</b>' if e.field else ''} {html.escape(e.message)}"
        f"{'<br><small>' + html.escape(e.hint) + '</small>' if e.hint else ''}</li>"
        for e in errors)
    count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Build failed: {count}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font:1rem/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}}
h1{{color:#8a1c1c}}li{{margin:.6rem 0}}code{{background:#f3f0ea;padding:.1rem .3rem}}small{{color:#5b5b60}}</style>
</head><body>
<h1>Build failed: {count}</h1>
<p>The preview shows the site again as soon as the files are fixed; this page reloads by itself.</p>
<ol class="build-errors">
{items}
</ol>
</body></html>
"""


@dataclass
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    quiet: bool = False


def serve(make_config: Callable[[], Config], config_path: Path, output: Path | None, options: ServeOptions,
          out: Callable[[str], None] = print, err: Callable[[str], None] = print) -> int:
    """Run until SIGINT or SIGTERM; returns the exit status (0 on a clean stop)."""
    gc.enable()  # build.py turns the collector off for one-shot commands; a server lives long
    stopping = threading.Event()
    state = SiteState()
    first = _config_or_errors(make_config)
    base_path = first.base_path if isinstance(first, Config) else "/"
    site = output or (config_path.resolve().parent / ".cache" / "serve")
    try:
        server = PreviewServer((options.host, options.port), site, base_path, state, stopping)
    except OSError as exc:
        err(f"error: cannot listen on {options.host}:{options.port}: {exc.strerror}; pass --port N (0 picks a free one)")
        return 3
    host, port = server.server_address[:2]
    shown_host = "localhost" if host in ("0.0.0.0", "::") else host
    address = f"http://{shown_host}:{port}"

    fingerprints: list[dict[str, tuple[int, int]]] = [{}]

    def rebuild(reason: str) -> None:
        started = time.perf_counter()
        # Taken before reading, so a change made during the build is seen as one afterwards.
        fingerprints[0] = _fingerprint(make_config, config_path, site)
        config = _config_or_errors(make_config)
        errors: list[ContentError] = []
        if isinstance(config, Config):
            local = replace(config, base_url=address + config.base_path, output_dir=site, drafts=True, future=True)
            try:
                build(local)
            except BuildError as exc:
                errors = exc.errors
            except (OutputError, OSError) as exc:
                errors = [ContentError(str(site), 0, "", f"could not write the preview: {exc}",
                                       "free some disk space, or pass --output DIR")]
            except Exception as exc:  # a bug in the generator must not take the preview down
                errors = [ContentError(str(config_path), 0, "", f"internal error: {type(exc).__name__}: {exc}",
                                       "a bug in newsarchive, not in your content; please report it")]
        else:
            errors = config
        state.publish(errors)
        took = time.perf_counter() - started
        if errors:
            for error in errors:
                err(str(error))
            err(f"{reason}: build failed with {len(errors)} error{'s' if len(errors) != 1 else ''} "
                f"({took:.2f} s); the browser shows them; fix the files and it recovers")
        elif not options.quiet:
            out(f"{reason}: built in {took:.2f} s")

    def stop(signum: int, frame: Any) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    try:
        rebuild("initial build")
        thread.start()
        out(f"Serving {address}{base_path} (drafts and future articles included, built into {site}); "
            "Ctrl+C to stop")
        def stale() -> bool:
            return _fingerprint(make_config, config_path, site) != fingerprints[0]

        for changed in _changes(make_config, config_path, site, stopping, stale):
            rebuild("changed " + ", ".join(changed[:3]) + (" …" if len(changed) > 3 else ""))
    finally:
        stopping.set()
        if thread.is_alive():
            server.shutdown()  # waits for serve_forever, so only when it runs
        server.server_close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not options.quiet:
        out("stopped")
    return 0


def _config_or_errors(make_config: Callable[[], Config]) -> Config | list[ContentError]:
    try:
        return make_config()
    except BuildError as exc:
        return exc.errors


def _watched(make_config: Callable[[], Config], config_path: Path) -> list[Path]:
    config_file = config_path.resolve()
    config = _config_or_errors(make_config)
    folders = ([config.content_dir, config.templates_dir, config.static_dir] if isinstance(config, Config)
               else [config_file.parent / name for name in ("content", "templates", "static")])
    paths = [Path(p).resolve() for p in folders if Path(p).is_dir()]
    return paths + ([config_file] if config_file.is_file() else [])


def _fingerprint(make_config: Callable[[], Config], config_path: Path, site: Path) -> dict[str, tuple[int, int]]:
    """(modification time, size) of every watched file: what a build read."""
    site_dir = site.resolve()
    found: dict[str, tuple[int, int]] = {}
    for root in _watched(make_config, config_path):
        for path in [root] if root.is_file() else root.rglob("*"):
            try:
                if path.is_file() and not path.is_relative_to(site_dir):
                    stat = path.stat()
                    found[str(path)] = (stat.st_mtime_ns, stat.st_size)
            except OSError:
                continue
    return found


def _changes(make_config: Callable[[], Config], config_path: Path, site: Path, stopping: threading.Event,
             stale: Callable[[], bool]):  # noqa: ANN202
    """Batches of changed paths under content/, templates/, static/ and the config file.

    The config file is watched by itself, since its folder also holds .venv and output; an
    editor that saves by replacing the file ends that watch, so it is started again. A
    change made before a watch was in place is caught by comparing the files with what the
    last build read, once the watch is running (its first timeout).
    """
    config_file = config_path.resolve()
    ignore = DefaultFilter()
    site_dir = site.resolve()

    def wanted(change: Change, path: str) -> bool:
        return ignore(change, path) and not Path(path).is_relative_to(site_dir)

    while not stopping.is_set():
        paths = _watched(make_config, config_path)
        if not paths:
            stopping.wait(0.5)
            continue
        restart, started = False, False
        for batch in watch(*paths, watch_filter=wanted, stop_event=stopping, debounce=300, step=50,
                           raise_interrupt=False, yield_on_timeout=True, rust_timeout=500):
            if not batch:
                if not started and stale():
                    yield ["files changed while the watch started"]
                started = True
                continue
            started = True
            names = sorted({_short(Path(p), config_file.parent) for _, p in batch})
            yield names
            if any(Path(p) == config_file for _, p in batch):
                restart = True  # the watch may be on a file that was replaced
                break
        if not restart:
            return


def _short(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def main_streams() -> tuple[Callable[[str], None], Callable[[str], None]]:
    return (lambda text: print(text, flush=True)), (lambda text: print(text, file=sys.stderr, flush=True))
