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


SERVER_ERRORS = {
    "500": error("a bug: nothing was changed"),
    "503": error("storage cannot be used right now (e.g. disk full); see Retry-After"),
}
BODY_ERRORS = {
    "400": error("the body is not a JSON object"),
    "413": error("the body is over 64 KiB"),
}


def body_of(schema: JSON) -> JSON:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def operation(
    summary: str,
    responses: JSON,
    *,
    body: JSON | None = None,
    auth: bool = False,
    params: tuple[str, ...] = (),
    query: tuple[JSON, ...] = (),
) -> JSON:
    responses = {**responses, **SERVER_ERRORS}
    if body is not None:
        responses = {**responses, **BODY_ERRORS}
    operation: JSON = {"summary": summary, "responses": responses}
    if query:
        operation["parameters"] = list(query)
    if params:
        operation["parameters"] = [
            *operation.get("parameters", ()),
            *(
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in params
            ),
        ]
    if body is not None:
        operation["requestBody"] = body_of(body)
    if auth:
        operation["security"] = [{"bearer": []}]
    return operation
