"""
What flows out of a board: calendars, conference schedule formats and a change feed.

One module per format, each a pure function of a L{history.History} (the board and
what its log says about every session and meetup): no I/O, no clock of its own.  The
web layer (L{openspace.web.feeds}) builds each document once per board sequence number
and serves the bytes from memory.
"""
