"""
What start-up refuses, in one clear line: a database file that is empty or not a
database at all, and a PostgreSQL URL without the driver installed.
"""

from __future__ import annotations

import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest
import pytest_twisted

from tests.process import OpenspaceProcess, run_openspace

WITHOUT_PSYCOPG = (
    sys.executable,
    "-c",
    # As if psycopg were not installed: importing it fails.
    "import sys; sys.modules['psycopg'] = None; from openspace.cli import run; run()",
)
PG_URL = "postgresql://openspace@127.0.0.1:5432/openspace"


def bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    text = tmp_path / "notes.sqlite3"
    text.write_text("these are my notes, not a database\n" * 20)
    other = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE contacts (name TEXT)")
    return {
        "empty": (empty, "empty"),
        "text": (text, "not an SQLite database"),
        "other": (other, "something else"),
    }


@pytest.mark.parametrize("kind", ["empty", "text", "other"])
@pytest_twisted.ensureDeferred
async def test_serve_refuses_a_file_that_is_not_a_database(tmp_path: Path, kind: str) -> None:
    path, words = bad_files(tmp_path)[kind]
    before = path.read_bytes()
    child = OpenspaceProcess(["serve", "--db", str(path), "--listen", "tcp:0:interface=127.0.0.1"])
    try:
        await child._child.listening
    except RuntimeError:
        pass
    else:
        await child.stop()
        pytest.fail(f"served the {kind} file {path} as a database")
    assert await child.ended() != 0
    assert words in child.stderr and str(path) in child.stderr
    assert "Traceback" not in child.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize("kind", ["empty", "text", "other"])
@pytest.mark.parametrize("command", [["migrate"], ["event", "list"], ["export"]])
@pytest_twisted.ensureDeferred
async def test_commands_refuse_a_file_that_is_not_a_database(
    tmp_path: Path, kind: str, command: list[str]
) -> None:
    path, words = bad_files(tmp_path)[kind]
    before = path.read_bytes()
    code, _, err = await run_openspace(*command, "--db", str(path))
    assert code == 2
    assert err.count("\n") == 1 and words in err and str(path) in err, err
    assert path.read_bytes() == before


@pytest_twisted.ensureDeferred
async def test_a_fresh_file_and_a_real_database_still_open(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    assert (await run_openspace("migrate", "--db", str(db)))[0] == 0
    assert (await run_openspace("migrate", "--db", str(db)))[0] == 0
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] > 0


@pytest.mark.parametrize(
    "command",
    [
        ["migrate", "--db", PG_URL],
        ["serve", "--db", PG_URL, "--listen", "tcp:0:interface=127.0.0.1"],
        ["event", "list", "--db", PG_URL],
    ],
)
@pytest_twisted.ensureDeferred
async def test_a_missing_postgres_driver_is_one_line_naming_the_extra(command: list[str]) -> None:
    child = OpenspaceProcess(command, command=WITHOUT_PSYCOPG)
    child._child.listening.addErrback(lambda _: None)
    code = await child.ended()
    assert code == 2
    assert child.stderr.count("\n") == 1, child.stderr
    assert "pip install 'openspace[postgres]'" in child.stderr
    assert child.stdout == ""
