"""
What C{twist openspace} runs: its command-line options and the service they make.

The plugin that names it to Twisted is C{src/twisted/plugins/openspace_plugin.py}.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from twisted.application.service import IService
from twisted.python import usage

from openspace.model import DEFAULT_SOURCE_INTERVAL, ScheduleSource
from openspace.service import DB_HELP, DEFAULT_LISTEN, OpenspaceService, ServerConfig, database
from openspace.web.clientaddr import ClientAddresses
from openspace.web.limits import LimitOptions
from openspace.web.live import LiveOptions, normalize_origin


class Options(usage.Options):
    optParameters = [
        ["db", None, None, DB_HELP],
        ["facilitator-token-file", None, None, "file holding the facilitator token"],
        [
            "source-interval",
            None,
            DEFAULT_SOURCE_INTERVAL,
            "seconds between polls of each --source",
            float,
        ],
        ["event", None, None, "the event that --source belongs to"],
    ]
    optFlags = [
        ["demo", None, "create the demo event"],
        ["public-status", None, "serve /api/status to anyone, not only to facilitators"],
    ]

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self["listen"] = []
        self["origin"] = []
        self["source"] = []
        self["limit"] = []
        self["trusted-proxy"] = []
        self["metrics-listen"] = []

    def opt_listen(self, description: str) -> None:
        """
        Twisted endpoint string to listen on (repeatable).
        """
        self["listen"].append(description)

    def opt_origin(self, origin: str) -> None:
        """
        Origin browsers may open live updates from, besides the listening URLs
        (repeatable).
        """
        try:
            self["origin"].append(normalize_origin(origin))
        except ValueError as e:
            raise usage.UsageError(str(e)) from e

    def opt_source(self, url: str) -> None:
        """
        Official schedule to poll into the event (repeatable): the demo event with
        --demo, else the --event, else the only event.
        """
        self["source"].append(url)

    def opt_limit(self, setting: str) -> None:
        """
        Change one rate limit, e.g. going.address=600/30s (repeatable).
        """
        self["limit"].append(setting)

    def opt_trusted_proxy(self, network: str) -> None:
        """
        Believe Forwarded/X-Forwarded-For from this proxy address or CIDR (repeatable).
        """
        self["trusted-proxy"].append(network)

    def opt_metrics_listen(self, description: str) -> None:
        """
        Also serve /metrics, to anyone, on this endpoint (repeatable).
        """
        self["metrics-listen"].append(description)

    def postOptions(self) -> None:
        try:
            self["limits"] = LimitOptions(
                trusted_proxies=ClientAddresses.of(self["trusted-proxy"])
            ).with_rates(self["limit"])
        except ValueError as e:
            raise usage.UsageError(str(e)) from e


def makeService(options: Options) -> IService:
    from twisted.internet import reactor

    token_file = options["facilitator-token-file"]
    interval = options["source-interval"]
    config = ServerConfig(
        db=database(options["db"], os.environ),
        listen=tuple(options["listen"] or [DEFAULT_LISTEN]),
        demo=bool(options["demo"]),
        live=LiveOptions(origins=tuple(options["origin"])),
        freeze_gc=True,
        token_file=Path(token_file) if token_file else None,
        sources=tuple(ScheduleSource(url, interval=interval) for url in options["source"]),
        source_event=options["event"],
        public_status=bool(options["public-status"]),
        limits=options["limits"],
        metrics_listen=tuple(options["metrics-listen"]),
    )
    service = OpenspaceService(config, reactor)

    def stop(failure: Any) -> None:
        reactor.stop()

    service.ready.addErrback(stop)
    return service
