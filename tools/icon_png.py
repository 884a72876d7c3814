"""
Make static/icon.png (512×512) from static/icon.svg with the headless Chromium the
browser tests use, so the PNG is exactly the SVG.  Run after changing the SVG:

    .venv/bin/python tools/icon_png.py
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parents[1] / "static"


def main() -> None:
    svg = (STATIC / "icon.svg").read_text(encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 512, "height": 512})
        page.set_content(f"<body style='margin:0'>{svg}</body>")
        page.locator("svg").screenshot(path=str(STATIC / "icon.png"), omit_background=True)
        browser.close()


if __name__ == "__main__":
    main()
