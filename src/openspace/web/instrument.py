"""
The web layer's side of the metrics: which route a request was, what it is reported as,
and C{GET /metrics}.

Routes are named by pattern (C{api:board}, C{page:session}, …) so that the metrics'
labels stay few whatever paths clients make up.  C{/metrics} on the main port answers
only the facilitator token (C{Authorization: Bearer …}); a listener of its own
(C{--metrics-listen}, bound where only the monitoring can reach it) answers anyone.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from twisted.web.http import Request
from twisted.web.iweb import IRequest
from twisted.web.resource import Resource

from openspace.metrics import CONTENT_TYPE, Metrics
from openspace.official.sources import SourcePollers
from openspace.store.sql import SQLBoardStore
from openspace.web.live import Live
from openspace.webhooks.dispatcher import Dispatcher

RequestObserver = Callable[[Request, float], None]

_ROUTES: tuple[tuple[str, re.Pattern[bytes]], ...] = tuple(
    (name, re.compile(pattern.encode("ascii")))
    for name, pattern in (
        ("api:board", r"^/api/events/[^/]+/board$"),
        ("api:live", r"^/api/events/[^/]+/live$"),
        ("api:going", r"^/api/events/[^/]+/sessions/[^/]+/going$"),
        ("api:sessions", r"^/api/events/[^/]+/sessions(/[^/]+)?$"),
        ("api:meetups", r"^/api/events/[^/]+/meetups(/[^/]+)?$"),
        ("api:other", r"^/api/"),
        ("page:board", r"^/e/[^/]+/?$"),
        ("page:session", r"^/e/[^/]+/s/[^/]+$"),
        ("page:host", r"^/e/[^/]+/(propose|s/[^/]+/(edit|swap|cancel))$"),
        ("page:meetup", r"^/e/[^/]+/meetup$"),
        ("page:going", r"^/e/[^/]+/going$"),
        ("page:desk", r"^/e/[^/]+/desk(/|$)"),
        ("page:kiosk", r"^/e/[^/]+/kiosk$"),
        ("page:other", r"^/e/"),
        ("static", r"^/static/"),
        ("metrics", r"^/metrics$"),
        ("health", r"^/(healthz|readyz)$"),
        ("home", r"^/$"),
    )
)

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_name(path: bytes) -> str:
    for name, pattern in _ROUTES:
        if pattern.match(path):
            return name
    return "other"


def request_observer(metrics: Metrics) -> RequestObserver:
    def observe(request: Request, seconds: float) -> None:
        method = request.method.decode("ascii", "replace")
        metrics.request(
            route_name(request.path.split(b"?", 1)[0]),
            method if method in _METHODS else "other",
            request.code,
            seconds,
        )

    return observe


def scrape(request: IRequest, metrics: Metrics) -> bytes:
    request.setHeader(b"content-type", CONTENT_TYPE.encode("ascii"))
    request.setHeader(b"cache-control", b"no-store")
    return metrics.scrape()


class MetricsOnly(Resource):
    """
    The site of a metrics-only listener: C{/metrics} and nothing else.
    """

    isLeaf = True

    def __init__(self, metrics: Metrics) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._metrics = metrics

    def render_GET(self, request: IRequest) -> bytes:
        if request.path != b"/metrics":
            request.setResponseCode(404)
            request.setHeader(b"content-type", b"text/plain; charset=utf-8")
            return b"only /metrics is served here\n"
        return scrape(request, self._metrics)


def instrument(
    metrics: Metrics,
    store: SQLBoardStore,
    live: Live,
    sources: SourcePollers | None,
    webhooks: Dispatcher,
) -> None:
    """
    Have the store, the live layer, the schedule pollers and the webhook deliveries
    report to C{metrics}.
    """
    webhooks.add_observer(
        lambda attempt: metrics.webhook_attempt(attempt.delivered, attempt.seconds)
    )
    store.observe = metrics.command
    live.hub.fanned_out = metrics.fanned_out
    live.factory.on_stalled.append(metrics.slow_close)
    metrics.watch_live(lambda: (len(live.factory.connections), live.hub.subscribers()))
    if sources is not None:
        sources.add_status_listener(lambda slug, status: metrics.polled(status.last_error is None))
