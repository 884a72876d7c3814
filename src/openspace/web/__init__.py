"""
The Klein application: pages, JSON API and the WebSocket endpoint.
"""
