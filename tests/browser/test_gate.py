"""
Without a browser the browser tests skip on a developer's machine and fail under CI.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import missing


def test_a_missing_browser_skips_locally_and_fails_on_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        missing("no Chromium at /usr/bin/chromium")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="no Chromium"):
        missing("no Chromium at /usr/bin/chromium")
