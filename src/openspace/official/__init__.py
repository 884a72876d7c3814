"""
The official talk schedule: one parser per upstream format, and the treq poller.
"""
