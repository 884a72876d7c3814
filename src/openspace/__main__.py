"""
C{python -m openspace}: the same as the C{openspace} command.
"""

from openspace.cli import run

run()
