"""
The session pages' QR codes are made once per address and kept in a bounded cache
(that they scan to the address is checked on screen: L{tests.browser.test_share}).
"""

from __future__ import annotations

from unittest.mock import patch

from openspace.web.pages import share
from openspace.web.pages.share import QRCodes, qr_tag

URL = "https://openspace.example/e/pycon/s/s12"


def test_a_code_is_made_once_per_address() -> None:
    codes = QRCodes(size=2)
    with patch.object(share, "qr_tag", wraps=qr_tag) as made:
        first = codes(URL)
        assert codes(URL) is first
        codes(URL + "3")
        codes(URL)  # the most recently used stays
        codes(URL + "4")
        assert codes(URL) is first
        assert [call.args[0] for call in made.call_args_list] == [URL, URL + "3", URL + "4"]
        codes(URL + "3")  # pushed out before, made again
    assert made.call_count == 4
