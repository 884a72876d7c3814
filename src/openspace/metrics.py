"""
What an operator can graph: the server's Prometheus metrics, in a registry of its own.

L{Metrics} owns one C{prometheus_client} C{CollectorRegistry} per server (never the
global one, so two servers in one process, or two tests, never share a counter) and
offers each part of the server a small method to report through; the parts are handed
those methods (or this object) when they are built, so none of them imports
C{prometheus_client} or reaches for a global.  Gauges that describe the present
(WebSocket connections, subscribers per board) are read when scraped, from callables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# From a cached board (a millisecond) to a request stuck behind a slow disk.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
_FANOUT_BUCKETS = (0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)

LiveStatus = Callable[[], tuple[int, Mapping[str, int]]]


class _LiveCollector(Collector):
    """
    Reads the live layer's connections and subscribers per board at each scrape.
    """

    def __init__(self, read: LiveStatus) -> None:
        self._read = read

    def collect(self) -> Iterable[Metric]:
        connections, boards = self._read()
        yield GaugeMetricFamily(
            "openspace_live_connections", "Open live WebSocket connections", value=connections
        )
        subscribers = GaugeMetricFamily(
            "openspace_live_subscribers", "Live subscribers per board", labels=["board"]
        )
        for slug, count in sorted(boards.items()):
            subscribers.add_metric([slug], count)
        yield subscribers


class Metrics:
    """
    The metrics of one server.
    """

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self._request_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self.requests = Counter(
            "openspace_http_requests",
            "HTTP requests answered, by route, method and status",
            ["route", "method", "status"],
            registry=registry,
        )
        self.request_seconds = Histogram(
            "openspace_http_request_duration_seconds",
            "Time from a request's last byte to its answer, by route",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.rate_limited = Counter(
            "openspace_rate_limited",
            "Requests refused by a rate limit, by limit",
            ["limit"],
            registry=registry,
        )
        self.connections_refused = Counter(
            "openspace_connections_refused",
            "Connections refused at a cap or cut at the request deadline, by reason",
            ["reason"],
            registry=registry,
        )
        self.open_connections = Gauge(
            "openspace_http_connections", "Open HTTP connections", registry=registry
        )
        self.frames = Counter(
            "openspace_live_frames_sent",
            "Live frames handed to subscribers (one per subscriber per event)",
            registry=registry,
        )
        self.fanout_seconds = Histogram(
            "openspace_live_fanout_duration_seconds",
            "Time to hand one event's frame to every subscriber of its board",
            buckets=_FANOUT_BUCKETS,
            registry=registry,
        )
        self.slow_closes = Counter(
            "openspace_live_slow_consumer_closes",
            "Live connections closed because they stopped reading",
            registry=registry,
        )
        self.commits = Counter(
            "openspace_commands",
            "Board commands run through the store, by outcome "
            "(committed, unchanged, refused, failed)",
            ["outcome"],
            registry=registry,
        )
        self.commit_seconds = Histogram(
            "openspace_command_duration_seconds",
            "Time to decide and commit one board command",
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.webhook_deliveries = Counter(
            "openspace_webhook_deliveries",
            "Webhook delivery attempts, by outcome (delivered, failed)",
            ["outcome"],
            registry=registry,
        )
        self.webhook_seconds = Histogram(
            "openspace_webhook_delivery_duration_seconds",
            "Time from sending a batch to a webhook receiver to its answer or failure",
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.polls = Counter(
            "openspace_source_polls",
            "Polls of official schedule sources, by outcome (ok, failed)",
            ["outcome"],
            registry=registry,
        )

    # --- what the parts report ---

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        children = self._request_children.get(key)
        if children is None:
            # Looking a child up by its labels costs more than counting in it, once per
            # request; the keys are few (routes by pattern, known methods, statuses).
            children = self._request_children[key] = (
                self.requests.labels(route, method, str(status)),
                self.request_seconds.labels(route),
            )
        count, seconds_taken = children
        count.inc()
        seconds_taken.observe(seconds)

    def limited(self, limit: str) -> None:
        self.rate_limited.labels(limit).inc()

    def connection_refused(self, reason: str) -> None:
        self.connections_refused.labels(reason).inc()

    def fanned_out(self, frames: int, seconds: float) -> None:
        self.frames.inc(frames)
        self.fanout_seconds.observe(seconds)

    def slow_close(self) -> None:
        self.slow_closes.inc()

    def command(self, outcome: str, seconds: float) -> None:
        self.commits.labels(outcome).inc()
        self.commit_seconds.observe(seconds)

    def webhook_attempt(self, delivered: bool, seconds: float | None) -> None:
        """
        One delivery attempt; C{seconds} is L{None} when it failed before sending.
        """
        self.webhook_deliveries.labels("delivered" if delivered else "failed").inc()
        if seconds is not None:
            self.webhook_seconds.observe(seconds)

    def polled(self, ok: bool) -> None:
        self.polls.labels("ok" if ok else "failed").inc()

    def watch_live(self, read: LiveStatus) -> None:
        """
        Report the live layer's connections and subscribers per board, read at scrape.
        """
        self.registry.register(_LiveCollector(read))

    def watch_connections(self, read: Callable[[], int]) -> None:
        self.open_connections.set_function(lambda: float(read()))

    def scrape(self) -> bytes:
        """
        Every metric, in the Prometheus text format.
        """
        return generate_latest(self.registry)
