"""
Property tests: whatever bytes or JSON arrive, parsers fail only with L{ParseError},
and every talk they return has aware UTC times with C{start <= end}.

Besides arbitrary bytes, the JSON documents of the shared fixtures are mutated (one
value somewhere in the tree replaced by arbitrary JSON), which reaches far deeper
into each parser than random bytes can.
"""

from __future__ import annotations

import json
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openspace.official.detect import PARSERS, parse_any
from openspace.official.parsed import ParseError, ParseResult

JSON_FORMATS = sorted(name for name in PARSERS if name not in ("frab-xml", "ical"))

#: Strings that parsers give meaning to, including dates at the ends of time.
EDGE_STRINGS = [
    "",
    "00:30",
    "99:99",
    "2024-06-01T10:00:00",
    "2024-06-01T10:00:00+02:00",
    "9999-12-31T23:59:00-05:00",
    "0001-01-01T00:00:00+05:00",
    "9999-12-31",
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(EDGE_STRINGS),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)

fixture_settings = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def check(body: bytes, format: str | None, timezone: str | None = "Europe/Berlin") -> None:
    try:
        result = parse_any(body, None, source="s", timezone=timezone, format=format)
    except ParseError:
        return
    assert_sound(result)


def assert_sound(result: ParseResult) -> None:
    for talk in result.talks:
        assert talk.start.utcoffset() == timedelta(0)
        assert talk.end.utcoffset() == timedelta(0)
        assert talk.start <= talk.end
        assert talk.id
        assert talk.title


def mutate(tree: object, path: list[int], replacement: object) -> object:
    """
    C{tree} with the node reached by following C{path} (indices modulo the number of
    children) replaced.
    """
    if not path or not isinstance(tree, dict | list) or not tree:
        return replacement
    keys = list(tree) if isinstance(tree, dict) else list(range(len(tree)))
    key = keys[path[0] % len(keys)]
    copy = dict(tree) if isinstance(tree, dict) else list(tree)
    copy[key] = mutate(tree[key], path[1:], replacement)  # type: ignore[index]
    return copy


@given(body=st.binary(max_size=300), format=st.sampled_from([None, *sorted(PARSERS)]))
@settings(max_examples=300, deadline=None)
def test_arbitrary_bytes(body: bytes, format: str | None) -> None:
    check(body, format)


@given(value=json_values, format=st.sampled_from([None, *JSON_FORMATS]))
@settings(max_examples=200, deadline=None)
def test_arbitrary_json(value: object, format: str | None) -> None:
    check(json.dumps(value).encode(), format)


@given(
    format=st.sampled_from(JSON_FORMATS),
    path=st.lists(st.integers(0, 50), max_size=8),
    replacement=json_values,
    timezone=st.sampled_from([None, "Europe/Berlin", "Pacific/Chatham"]),
)
@fixture_settings
def test_mutated_fixture_documents(
    documents: dict[str, bytes],
    format: str,
    path: list[int],
    replacement: object,
    timezone: str | None,
) -> None:
    tree = mutate(json.loads(documents[format]), path, replacement)
    check(json.dumps(tree).encode(), format, timezone)
    check(json.dumps(tree).encode(), None, timezone)


moments = st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat())
times = moments | st.sampled_from(EDGE_STRINGS) | st.none()
durations = st.integers(-10, 10**6) | st.sampled_from(["00:30", "24:00", "744:00", "1:2:3"])


@given(start=times, end=times, duration=durations, day=times, clock=times)
@settings(max_examples=300, deadline=None)
def test_any_times_of_an_item(
    start: str | None, end: str | None, duration: object, day: str | None, clock: str | None
) -> None:
    talk = {"code": "A", "title": "T", "start": start, "end": end, "duration": duration}
    widget = {"talks": [talk]}
    check(json.dumps(widget).encode(), "pretalx-widget")
    event = {"id": 1, "title": "T", "date": start, "start": clock, "duration": duration}
    days = [{"date": day, "day_start": end, "rooms": {"R": [event]}}]
    check(json.dumps({"schedule": {"conference": {"days": days}}}).encode(), "frab-json")


@given(
    format=st.sampled_from(["frab-xml", "ical"]),
    position=st.integers(0, 2000),
    insertion=st.text(max_size=20),
)
@fixture_settings
def test_damaged_text_documents(
    documents: dict[str, bytes], format: str, position: int, insertion: str
) -> None:
    body = documents[format]
    position %= len(body)
    check(body[:position] + insertion.encode() + body[position:], format)
