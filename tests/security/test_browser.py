"""In a real browser: no page of a site built from hostile content runs a contributor's
script, including the search page, which renders results from the Pagefind index."""

from __future__ import annotations

import functools
import http.server
import os
import threading

import pytest

from tests.security.test_escaping import hostile_site

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def served(site):
    hostile_site(site)
    # Bodies try too: each payload would open a dialog if it ran.
    site.article("2020/body", """
        title: Body attacks
        date: 2020-03-03
        outlet: Body outlet
        topics: [Body]
        """, "Body alert text.\n\n<script>alert('body script')</script>\n\n<img src=x onerror=\"alert('body img')\">\n\n"
             "<a href=\"javascript:alert('body link')\" id=\"jslink\">click</a>\n\n<svg onload=\"alert('body svg')\"></svg>\n\n"
             "<details open ontoggle=\"alert('body toggle')\">x</details>\n")
    site.build()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site.output))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_no_contributor_script_runs_in_a_browser(served):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI needs Chromium at /usr/bin/chromium")
        pytest.skip("no Chromium")
    playwright = pytest.importorskip("playwright.sync_api")
    site, base = served
    pages = ["/", "/2020/01/hostile-1/", "/2020/03/body/", "/topics/", "/outlets/", "/archive/2020/", "/about/"]
    pages += sorted("/" + p.parent.relative_to(site.output).as_posix() + "/"
                    for p in site.output.glob("topics/*/index.html"))
    dialogs: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))
        for path in pages:
            page.goto(base + path, wait_until="load")
            page.wait_for_timeout(100)
        # Clicking the body's link does nothing either (its javascript: address was removed).
        page.goto(base + "/2020/03/body/")
        page.click("#jslink")
        # Search: results show hostile titles, outlets and excerpts from the index.
        if (site.output / "pagefind").is_dir():
            for query in ("alert", "script", "Title", "Body"):
                page.goto(f"{base}/search/?q={query}")
                page.wait_for_selector(".search__results li", timeout=20_000)
                cards = page.inner_text(".search__results")
                assert "alert(" in cards or query == "Body"  # hostile text is shown as text
        page.screenshot(path=str(site.root / "search.png"), full_page=True)
        browser.close()
    assert dialogs == []
