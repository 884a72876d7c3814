"""
Small builders shared by the parts of the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]


def ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: JSON, description: str) -> JSON:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error(description: str) -> JSON:
    return json_content(ref("Error"), description)
