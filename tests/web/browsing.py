"""
A tiny cookie-keeping HTTP "browser" for page tests: GET pages, POST their forms.

It keeps cookies per name (paths are ignored: tests stay within one event), never
follows redirects, and finds the CSRF token in the last page it fetched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from http.cookies import SimpleCookie
from io import BytesIO
from urllib.parse import urlencode

import treq
from attrs import define, field

from tests.support import Client, Reply

CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


async def send(
    client: Client,
    method: str,
    path: str,
    headers: Mapping[str, str] | None = None,
    data: bytes | None = None,
) -> tuple[Reply, list[str]]:
    """
    One request as a browser sends it, without treq's cookie jar, redirects or gzip
    decoding: the reply as it travels, and its Set-Cookie headers.
    """
    from twisted.internet import reactor
    from twisted.web.client import Agent, FileBodyProducer
    from twisted.web.http_headers import Headers

    agent = Agent(reactor, pool=client.pool)
    body = FileBodyProducer(BytesIO(data)) if data is not None else None
    sent = Headers({k: [v] for k, v in (headers or {}).items()})
    response = await agent.request(method.encode(), (client.base + path).encode(), sent, body)
    content = await treq.content(response)
    got = {k.decode().lower(): v[-1].decode() for k, v in response.headers.getAllRawHeaders()}
    cookies = [v.decode() for v in response.headers.getRawHeaders(b"set-cookie", [])]
    return Reply(response.code, got, content), cookies


async def raw_get(client: Client, path: str, headers: Mapping[str, str]) -> Reply:
    return (await send(client, "GET", path, headers))[0]


@define
class Browser:
    client: Client
    cookies: dict[str, str] = field(factory=dict)
    set_cookies: list[str] = field(factory=list)
    last: Reply | None = None

    async def _send(
        self, method: str, path: str, data: bytes | None, extra: Mapping[str, str]
    ) -> Reply:
        headers = dict(extra)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.last, self.set_cookies = await send(self.client, method, path, headers, data)
        for raw in self.set_cookies:
            jar: SimpleCookie = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return self.last

    async def get(self, path: str, headers: Mapping[str, str] | None = None) -> Reply:
        return await self._send("GET", path, None, headers or {})

    def csrf(self) -> str:
        assert self.last is not None
        found = CSRF_FIELD.search(self.last.body.decode())
        assert found, "no CSRF token on the last page"
        return found.group(1)

    async def post(
        self,
        path: str,
        fields: Mapping[str, str | list[str]],
        *,
        csrf: str | None = "auto",
        site: str | None = None,
        origin: str | None = None,
    ) -> Reply:
        """
        POST a form; a list value sends its field once per item (checkboxes).  C{site}
        is what the browser says in C{Sec-Fetch-Site} (and then C{Origin}: C{origin}, or
        this site's), as current browsers do; L{None} is a browser that says neither,
        which must carry the page's CSRF token.
        """
        sent = dict(fields)
        if csrf == "auto":
            sent["csrf"] = self.csrf()
        elif csrf is not None:
            sent["csrf"] = csrf
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if site is not None:
            headers["Sec-Fetch-Site"] = site
            headers["Origin"] = origin or self.client.base
        return await self._send("POST", path, urlencode(sent, doseq=True).encode(), headers)

    def text(self) -> str:
        assert self.last is not None
        return self.last.body.decode()
