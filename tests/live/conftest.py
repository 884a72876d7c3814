"""
Fixtures of the live tests: the browser ones are shared with tests/browser.
"""

from tests.browser.conftest import _browser_thread, browser

__all__ = ["_browser_thread", "browser"]
