"""
Real headless Chromium for the browser tests, driven by Playwright's sync API.

The server under test runs on the Twisted reactor in the main thread (see
L{tests.support}); Playwright's sync API blocks, so every browser call runs in one
dedicated thread (Playwright objects must stay in the thread that made them), and the
tests await it while the reactor keeps serving.  One browser serves the whole session;
each test gets fresh contexts.

Without /usr/bin/chromium (or Playwright) the tests skip with the reason, except under
CI (C{CI=true}), where that is a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from twisted.internet.defer import Deferred

from tests.conftest import NOW, on_ci

T = TypeVar("T")

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def missing(reason: str) -> None:
    if on_ci():
        pytest.fail(f"{reason} (CI=true: browser tests must run)")
    pytest.skip(reason)


class BrowserThread:
    """
    The one thread that owns Playwright and the browser.
    """

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")
        self.browser: Any = None
        self._playwright: Any = None

    def start(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=ARGS, headless=True
        )

    def stop(self) -> None:
        if self.browser is not None:
            self.browser.close()
        if self._playwright is not None:
            self._playwright.stop()

    def run(self, work: Callable[..., T], *args: Any) -> Deferred[T]:
        """
        Run C{work(browser, *args)} in the browser thread; fires in the reactor thread.
        """
        from twisted.internet import reactor

        done: Deferred[T] = Deferred()

        def finished(future: Future[T]) -> None:
            error = future.exception()
            if error is not None:
                reactor.callFromThread(done.errback, error)
            else:
                reactor.callFromThread(done.callback, future.result())

        self.executor.submit(work, self.browser, *args).add_done_callback(finished)
        return done


@pytest.fixture(scope="session")
def _browser_thread() -> Iterator[BrowserThread | str]:
    if not CHROMIUM.exists():
        yield f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        return
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        yield "Playwright for Python is not installed (pip install -e '.[test]')"
        return
    thread = BrowserThread()
    thread.executor.submit(thread.start).result(timeout=60)
    yield thread
    thread.executor.submit(thread.stop).result(timeout=60)
    thread.executor.shutdown()


@pytest.fixture
def browser(_browser_thread: BrowserThread | str) -> BrowserThread:
    if isinstance(_browser_thread, str):
        missing(_browser_thread)
    assert isinstance(_browser_thread, BrowserThread)
    return _browser_thread


@pytest.fixture
def axe_source() -> str:
    if not AXE.exists():
        missing(f"axe-core is not installed at {AXE} (npm install --prefix tests/browser)")
    return AXE.read_text(encoding="utf-8")


def new_context(browser: Any, now: datetime | None = NOW, **options: Any) -> Any:
    """
    A fresh browser context (its own cookies and storage) that fails fast: nothing on
    these pages should take seconds.

    Its clock starts at C{now} (the test server's clock starts at L{NOW}) and runs on
    from there: pages work out "now" and "next" from the browser's clock, which must
    agree with the server's.  Tests move it with C{context.clock}.
    """
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    if now is not None:
        context.clock.install(time=now)
    return context


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def axe_violations(page: Any, axe_source: str) -> list[str]:
    """
    Every axe-core violation on C{page} as it is now, whatever its impact, by every rule
    axe-core has (its AAA and experimental rules too, which it leaves out by default):
    rule, impact and the first few elements at fault with axe's reason.
    """
    page.evaluate(axe_source)
    violations = page.evaluate(
        "axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'rule', values: axe.getRules().map(r => r.ruleId)}})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map("
        "n => n.target.join(' ') + (n.any[0] ? ': ' + n.any[0].message : ''))})))"
    )
    return [f"{v['id']} ({v['impact']}): {v['nodes'][:3]}" for v in violations]
