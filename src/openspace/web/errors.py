"""
API errors and their JSON form: C{{"error": {"code", "message", "field"}}}.

Board refusals (L{openspace.commands.Refused}) map to HTTP statuses here, in one table.
"""

from __future__ import annotations

import json
from typing import Any

from twisted.web.iweb import IRequest

from openspace.commands import Refused

STATUS_OF_CODE = {
    "invalid": 422,
    "unknown_room": 422,
    "unknown_slot": 422,
    "not_a_room": 422,
    "cell_taken": 409,
    "blocked": 409,
    "official_talk": 409,
    "slot_over": 409,
    "undo_conflict": 409,
    "layout_conflict": 409,
    "nothing_to_undo": 409,
    "placement_stale": 409,
    "frozen": 409,
    "room_unavailable": 409,
    "quota": 409,
    "not_found": 404,
    "forbidden": 403,
}


class ApiError(Exception):
    """
    A request the API answers with an error status.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.details = details

    @classmethod
    def from_refusal(cls, refusal: Refused) -> ApiError:
        return cls(
            STATUS_OF_CODE.get(refusal.code, 422),
            refusal.code,
            refusal.message,
            refusal.field,
            dict(refusal.details) or None,
        )

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "field": self.field}
        if self.details:
            error["details"] = self.details
        return {"error": error}


# Twisted's table of reason phrases predates RFC 9110's 422.
_REASONS = {422: b"Unprocessable Content", 426: b"Upgrade Required", 429: b"Too Many Requests"}


def write_json(request: IRequest, status: int, body: Any) -> bytes:
    request.setResponseCode(status, _REASONS.get(status))
    request.setHeader(b"content-type", b"application/json; charset=utf-8")
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def write_error(request: IRequest, error: ApiError) -> bytes:
    if error.status == 401:
        request.setHeader(b"www-authenticate", b'Bearer realm="openspace"')
    return write_json(request, error.status, error.body())
