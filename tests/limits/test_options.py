"""
Limits set per deployment, through either front door: C{openspace serve} and
C{twist openspace}.
"""

from __future__ import annotations

import pytest
from twisted.python import usage

from openspace import cli
from openspace.twist import Options
from openspace.web.ratelimit import Rate


def test_a_malformed_limit_stops_serve_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--limit", "going.adress=5/1s"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("openspace: unknown limit 'going.adress'")
    assert len(error.splitlines()) == 1


def test_twist_takes_the_same_limits() -> None:
    options = Options()
    options.parseOptions(
        [
            "--limit",
            "going.client=5/1m",
            "--trusted-proxy",
            "10.0.0.0/8",
            "--metrics-listen",
            "tcp:0",
        ]
    )
    assert options["limits"].limits["going"].client == Rate(5, 60)
    assert options["limits"].trusted_proxies.is_trusted("10.1.2.3")
    assert options["metrics-listen"] == ["tcp:0"]
    with pytest.raises(usage.UsageError, match="not a rate"):
        Options().parseOptions(["--limit", "going.client=lots"])
