"""
The baseline of bench/screens.py: a hello-world Klein route on twisted.web, nothing else,
logging each request to stdout like any deployed server (and like `openspace serve`).

    python bench/hello_klein.py PORT
"""

from __future__ import annotations

import sys

from klein import Klein
from twisted.internet import endpoints, reactor
from twisted.logger import globalLogBeginner, textFileLogObserver
from twisted.web.iweb import IRequest
from twisted.web.server import Site

app = Klein()


@app.route("/")
def hello(request: IRequest) -> bytes:
    return b"Hello, world!"


if __name__ == "__main__":
    globalLogBeginner.beginLoggingTo([textFileLogObserver(sys.stdout)])
    endpoint = endpoints.TCP4ServerEndpoint(reactor, int(sys.argv[1]), interface="127.0.0.1")
    endpoint.listen(Site(app.resource()))
    reactor.run()  # type: ignore[attr-defined]
