"""Serve a built site on 127.0.0.1 and open it in Debian's headless Chromium.

Shared by the browser tests, `make screenshots` and `make audit`. Nothing here downloads a
browser: Playwright drives the system Chromium through `executable_path`.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# Keep the browser off the network: no update checks, no sync, no field trials.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync", "--disable-default-apps", "--disable-extensions",
    "--metrics-recording-only", "--no-default-browser-check", "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    """CHROMIUM_PATH when set (None if it is not an executable), else the system Chromium."""
    wanted = os.environ.get("CHROMIUM_PATH")
    candidates = [wanted] if wanted else [*CHROMIUM_CANDIDATES, shutil.which("chromium") or ""]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        pass


@contextmanager
def serve(root: Path, port: int = 0) -> Iterator[str]:
    """Serve `root` over HTTP on 127.0.0.1 in a background thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def launch(playwright, executable: str | None = None):  # type: ignore[no-untyped-def]
    """A headless Chromium from the system, never one Playwright would download."""
    path = executable or chromium_path()
    if path is None:
        raise RuntimeError("Chromium not found: install Debian's chromium (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
