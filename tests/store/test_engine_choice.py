"""
Choosing the database: C{--db}, C{$OPENSPACE_DB}, the default; psycopg stays optional.
"""

from __future__ import annotations

import subprocess
import sys

from openspace.service import DEFAULT_DB, database, is_postgres_url


def test_the_option_wins_over_the_environment_which_wins_over_the_default() -> None:
    env = {"OPENSPACE_DB": "postgresql://db.example/openspace"}
    assert database("here.sqlite3", env) == "here.sqlite3"
    assert database(None, env) == "postgresql://db.example/openspace"
    assert database(None, {}) == DEFAULT_DB


def test_postgresql_urls_are_told_from_file_names() -> None:
    assert is_postgres_url("postgresql://u@h/db")
    assert is_postgres_url("postgres://h/db")
    assert not is_postgres_url("postgresql.sqlite3")
    assert not is_postgres_url("/var/lib/openspace/board.sqlite3")


def test_sqlite_alone_never_imports_psycopg() -> None:
    # An install without the postgres extra has no psycopg: nothing may need it.
    check = "import sys, openspace.cli, openspace.twist; print('psycopg' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
