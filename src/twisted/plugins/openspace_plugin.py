"""
Names openspace to Twisted's plugin system, so that C{twist openspace} works.
"""

from twisted.application.service import ServiceMaker

openspace = ServiceMaker(
    "openspace", "openspace.twist", "A real-time open-space scheduler.", "openspace"
)
