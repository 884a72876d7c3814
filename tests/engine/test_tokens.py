"""
Secrets: where the facilitator token comes from, and that it never shows.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from openspace.tokens import FacilitatorKey, SecretError, digest, load_facilitator_key, new_edit_key

TOKEN = "a-facilitator-token-of-length"


def test_the_key_matches_only_its_token_and_hides_it() -> None:
    key = FacilitatorKey.from_token(f"  {TOKEN}\n")
    assert key.matches(TOKEN)
    assert not key.matches(TOKEN + "x")
    assert TOKEN not in repr(key)
    assert digest(TOKEN) not in repr(key)


def test_file_option_wins_over_the_environment(tmp_path: Path) -> None:
    token_file = tmp_path / "t"
    token_file.write_text(TOKEN)
    environ = {"OPENSPACE_FACILITATOR_TOKEN": "env-token-0123456789"}
    key, origin = load_facilitator_key(environ, token_file, tmp_path / "fallback")
    assert key.matches(TOKEN)
    assert origin == f"the file {token_file}"
    key, origin = load_facilitator_key(environ, None, tmp_path / "fallback")
    assert key.matches("env-token-0123456789")
    assert "env-token" not in origin


def test_without_configuration_a_private_token_file_is_made_once(tmp_path: Path) -> None:
    fallback = tmp_path / "openspace-facilitator-token"
    key, origin = load_facilitator_key({}, None, fallback)
    assert "new file" in origin
    assert stat.S_IMODE(fallback.stat().st_mode) == 0o600
    assert key.matches(fallback.read_text().strip())
    again, _ = load_facilitator_key({}, None, fallback)
    assert again == key


def test_unreadable_or_weak_tokens_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="cannot read"):
        load_facilitator_key({}, tmp_path / "missing", tmp_path / "fallback")
    with pytest.raises(SecretError, match="at least 16"):
        load_facilitator_key({"OPENSPACE_FACILITATOR_TOKEN": "short"}, None, tmp_path / "f")


def test_edit_keys_are_long_and_random() -> None:
    keys = {new_edit_key() for _ in range(100)}
    assert len(keys) == 100
    assert all(len(key) >= 32 for key in keys)
