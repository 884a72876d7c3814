"""
Server-rendered pages: the phone board, session pages, the host's forms, the
facilitator's desk and the kiosk.  L{openspace.web.pages.app.Pages} holds the routes.
"""
