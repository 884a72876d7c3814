"""
What a session clashes with: its host elsewhere at the same time, or the official
schedule (its host speaking in a talk, or a talk held in its room).

The official talks are indexed per slot, by room and by speaker (L{OfficialIndex}),
because a board's warnings check every session against a schedule of ~1,000 talks.
Names are compared by L{openspace.text.name_key}: case, accents and spacing ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from attrs import define, field, frozen

from openspace.commands import Warning
from openspace.model import Board, OfficialTalk, Room, Session, Slot
from openspace.replay import talk_order
from openspace.text import name_key

# Kinds of official item that occupy nobody (see the module docstring).
NOT_BLOCKING_KINDS = frozenset({"break"})
# Separators between co-hosts' names in a session's host field ("Ann, Bo & Cy").
_CO_HOSTS = re.compile(r"\s*(?:[,;&+/]|\band\b)\s*", re.IGNORECASE)


def session_warnings(
    board: Board, session: Session, official: OfficialIndex | None = None
) -> tuple[Warning, ...]:
    """
    Everything that clashes with C{session}: its host elsewhere, or an official talk.
    """
    official = official or OfficialIndex(board)
    return host_overlaps(board, session) + official.warnings(session)


def host_overlaps(board: Board, session: Session) -> tuple[Warning, ...]:
    slot = board.slot(session.slot)
    if slot is None:
        return ()
    key = name_key(session.host)
    clashes = []
    for other in board.visible_sessions():
        if other.id == session.id or name_key(other.host) != key:
            continue
        other_slot = board.slot(other.slot)
        if other_slot is not None and other_slot.overlaps(slot):
            clashes.append(other.id)
    if not clashes:
        return ()
    return (
        Warning(
            "host_overlap",
            f"{session.host} also hosts another session at the same time",
            (session.id, *clashes),
        ),
    )


@frozen
class _SlotTalks:
    """
    The official talks during one slot, by the name key of their room (only those
    that block it) and of each speaker.
    """

    by_room: Mapping[str, tuple[OfficialTalk, ...]]
    by_speaker: Mapping[str, tuple[OfficialTalk, ...]]


def _index(talks: Sequence[OfficialTalk]) -> _SlotTalks:
    by_room: dict[str, list[OfficialTalk]] = {}
    by_speaker: dict[str, list[OfficialTalk]] = {}
    for talk in talks:
        if talk.room and talk.kind not in NOT_BLOCKING_KINDS:
            by_room.setdefault(name_key(talk.room), []).append(talk)
        for key in {name_key(name) for name in talk.speakers} - {""}:
            by_speaker.setdefault(key, []).append(talk)
    return _SlotTalks(
        {k: tuple(v) for k, v in by_room.items()}, {k: tuple(v) for k, v in by_speaker.items()}
    )


@define
class OfficialIndex:
    """
    A board's official talks as the rules look them up: per slot, by room and by
    speaker.  Each slot is indexed once, when first asked for, because a board's
    warnings check every session against a schedule of ~1,000 talks.
    """

    board: Board
    _slots: dict[str, _SlotTalks] = field(factory=dict)

    def _during(self, slot: Slot) -> _SlotTalks:
        indexed = self._slots.get(slot.id)
        if indexed is None:
            indexed = _index(
                [t for t in self.board.official if t.start < slot.end and slot.start < t.end]
            )
            self._slots[slot.id] = indexed
        return indexed

    def held_in(self, room: Room, slot: Slot) -> tuple[OfficialTalk, ...]:
        """
        The talks that keep C{room} (matched by its name or id) busy during C{slot}.
        """
        by_room = self._during(slot).by_room
        return _union(by_room.get(key, ()) for key in {name_key(room.name), name_key(room.id)})

    def warnings(self, session: Session) -> tuple[Warning, ...]:
        slot = self.board.slot(session.slot)
        room = self.board.room(session.room)
        if slot is None or room is None:
            return ()
        by_speaker = self._during(slot).by_speaker
        speaking = _union(by_speaker.get(key, ()) for key in _host_keys(session.host))
        held_here = self.held_in(room, slot)
        found = []
        if speaking:
            found.append(
                Warning(
                    "speaker_clash",
                    f"{session.host} also speaks at the same time in the official talk "
                    f"{_titles(speaking)}",
                    (session.id,),
                )
            )
        if held_here:
            found.append(
                Warning(
                    "official_room",
                    f"{room.name} is also used at that time by the official talk "
                    f"{_titles(held_here)}",
                    (session.id,),
                )
            )
        return tuple(found)


def _union(groups: Iterable[Sequence[OfficialTalk]]) -> tuple[OfficialTalk, ...]:
    """
    The talks of all C{groups}, each once, in the board's order of talks.
    """
    unique = {(t.source, t.id): t for group in groups for t in group}
    return tuple(sorted(unique.values(), key=talk_order))


def _host_keys(host_field: str) -> frozenset[str]:
    """
    The name keys of the people in a host field: the whole field and each co-host.
    """
    names = (host_field, *_CO_HOSTS.split(host_field))
    return frozenset(key for key in map(name_key, names) if key)


def _titles(talks: Sequence[OfficialTalk]) -> str:
    return ", ".join(f"“{talk.title}”" for talk in talks)
