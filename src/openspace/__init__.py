"""
openspace: a real-time open-space and hallway scheduler for conferences, built on Twisted.
"""

__version__ = "0.1.0"
