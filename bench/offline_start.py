"""
How long a phone takes to show the board: cold start offline (from the service worker's
copy) and on emulated 3G (400 kbit/s, 400 ms RTT) with a warm cache, next to the same
phone on the unthrottled loopback network in the same run (the baseline).

    .venv/bin/python bench/offline_start.py [--runs 5]

Starts C{openspace serve --demo} on a fresh database, drives Debian's headless Chromium
(Playwright), and reports medians of "time to show the board": from the start of the
navigation to the first contentful paint of the page (Paint Timing API), and to the
moment the board's live region is in the DOM.  3G is emulated with the DevTools
protocol (C{Network.emulateNetworkConditions}) on the page's session and on the
service worker's (found through the browser session), so the worker's network-first
fetch of the page is throttled too.  Figures go in README "Offline phones".
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
THREE_G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
MEASURE = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return {fcp: paint ? paint.startTime : null, dom: nav.domContentLoadedEventEnd,
          banner: !!document.querySelector(".offline-banner:not([hidden])")};
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve(db: Path, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, OPENSPACE_FACILITATOR_TOKEN="bench-facilitator-token-0123456789")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "openspace", "serve", "--demo", "--db", str(db)),
            *("--listen", f"tcp:{port}:interface=127.0.0.1"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if b"listening on" in line:
            return process
    raise RuntimeError("openspace serve did not start")


def installed(browser: Any, base: str) -> Any:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{base}/e/demo/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.reload()
    page.wait_for_function(
        "async () => !!(await (await caches.open('os-pages')).match('/e/demo/'))"
    )
    page.close()
    return context


def throttle(browser: Any, context: Any, page: Any, conditions: dict[str, Any]) -> None:
    context.new_cdp_session(page).send("Network.emulateNetworkConditions", conditions)
    # The worker's fetches go out from its own target: throttle it as well.
    root = browser.new_browser_cdp_session()
    for target in root.send("Target.getTargets")["targetInfos"]:
        if target["type"] == "service_worker":
            session = root.send(
                "Target.attachToTarget", {"targetId": target["targetId"], "flatten": False}
            )["sessionId"]
            message = (
                '{"id":1,"method":"Network.emulateNetworkConditions","params":'
                + json.dumps(conditions)
                + "}"
            )
            root.send("Target.sendMessageToTarget", {"sessionId": session, "message": message})


def run(browser: Any, base: str, prepare: Callable[[Any, Any], None]) -> dict[str, Any]:
    context = installed(browser, base)
    page = context.new_page()
    prepare(context, page)
    started = time.perf_counter()
    page.goto(f"{base}/e/demo/", wait_until="domcontentloaded")
    page.locator("[data-live]").wait_for(state="attached")
    wall = (time.perf_counter() - started) * 1000
    page.wait_for_load_state("load")
    page.wait_for_function("() => performance.getEntriesByName('first-contentful-paint').length")
    result: dict[str, Any] = page.evaluate(MEASURE)
    result["wall"] = wall
    context.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        server = serve(Path(folder) / "bench.sqlite3", port)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
                )
                cases: dict[str, Callable[[Any, Any], None]] = {
                    "online, loopback (baseline)": lambda context, page: None,
                    "offline cold start": lambda context, page: context.set_offline(True),
                    "3G 400 kbit/s 400 ms, warm cache": lambda context, page: throttle(
                        browser, context, page, THREE_G
                    ),
                }
                figures = {
                    name: [run(browser, base, prepare) for _ in range(runs)]
                    for name, prepare in cases.items()
                }
                browser.close()
        finally:
            server.terminate()
            server.wait()
    baseline = statistics.median(r["fcp"] for r in figures["online, loopback (baseline)"])
    print(f"time to show the board, medians of {runs} runs (ms)")
    print("| case | first contentful paint | live region in DOM (wall) | banner | ÷ baseline FCP |")
    print("|---|---:|---:|---|---:|")
    for name, results in figures.items():
        fcp = statistics.median(r["fcp"] for r in results)
        wall = statistics.median(r["wall"] for r in results)
        banner = "yes" if all(r["banner"] for r in results) else "no"
        print(f"| {name} | {fcp:.0f} | {wall:.0f} | {banner} | {fcp / baseline:.2f} |")


if __name__ == "__main__":
    main()
