"""
C{openspace serve} with switches for benchmark experiments (not product options):

    --gc-freeze    call gc.freeze() once the server listens: what start-up allocated
                   (modules, the demo board) moves to the permanent generation, so full
                   collections stop walking it
    --plain-send   send frames with Autobahn's sendPreparedMessage (always queued in
                   the transport) instead of the product's direct send, to measure
                   what the direct send brings

Every other argument goes to C{openspace serve}.
"""

from __future__ import annotations

import gc
import sys

from openspace import cli, service
from openspace.web.live import LiveProtocol


def main(argv: list[str]) -> int:
    rest = [a for a in argv if a not in ("--gc-freeze", "--plain-send")]
    if "--plain-send" in argv:
        LiveProtocol.send_frame = LiveProtocol.sendPreparedMessage  # type: ignore[method-assign]
    if "--gc-freeze" in argv:
        start = service.OpenspaceService.startService

        def start_and_freeze(self: service.OpenspaceService) -> None:
            start(self)

            def freeze(urls: list[str]) -> list[str]:
                gc.freeze()
                print(f"bench: gc.freeze() moved {gc.get_freeze_count()} objects", flush=True)
                return urls

            self.ready.addCallback(freeze)

        service.OpenspaceService.startService = start_and_freeze  # type: ignore[method-assign]
    return cli.main(["serve", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
