"""
The c3voc schemas every export is validated against, from the shared samples folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

ROOT = Path(__file__).parents[2]


def samples_folder() -> Path | None:
    """
    C{../shared/samples} beside the repository (or beside a folder above it, for a
    worktree kept one level down).
    """
    for folder in ROOT.parents:
        candidate = folder / "shared" / "samples"
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture(scope="session")
def samples() -> Path:
    found = samples_folder()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but there is no shared/samples folder beside the repository")
        pytest.skip("no shared/samples folder beside the repository")
    return found


@pytest.fixture(scope="session")
def xml_schemas(samples: Path) -> list[etree.XMLSchema]:
    """
    The current c3voc XSD (the older, "without-person" variant predates the
    document-level C{<url>} that exports carry).
    """
    return [etree.XMLSchema(etree.parse(str(samples / "c3voc-schedule.xml.xsd")))]


@pytest.fixture(scope="session")
def json_schema(samples: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((samples / "c3voc-schedule.json.schema.json").read_text())
    return schema
