"""
The feeds' JSON routes are in the OpenAPI document, and every feed route documented
there exists.
"""

from __future__ import annotations

import re

from openspace.web.feeds import Feeds
from openspace.web.openapi import OPENAPI

JSON_ROUTES = {
    ("/e/{slug}/schedule.json", "get"),
    ("/e/{slug}/pycon-open-spaces.json", "get"),
    ("/e/{slug}/calendar/stars", "put"),
    ("/e/{slug}/calendar", "delete"),
}


def test_the_json_feeds_are_documented_and_routed() -> None:
    documented = {
        (path, method)
        for path, item in OPENAPI["paths"].items()
        if path.startswith("/e/")
        for method in item
    }
    assert documented == JSON_ROUTES
    routes = Feeds.app.url_map.bind("localhost")
    for path, method in documented:
        concrete = re.sub(r"{\w+}", "conf", path)
        endpoint, _ = routes.match(concrete, method.upper())
        assert endpoint != "everything_else_branch", path
