"""The invariants a schedule must hold once everything is delivered and every peer has run a final handshake.

Each check raises InvariantViolation naming the invariant and showing where the texts part, so a failure line
says what broke without a debugger; the seed's trace says how.
"""

from collections import Counter
from typing import Iterable

from collab import Room
from collab.client import ProtocolClient

from .server import Server


class InvariantViolation(AssertionError):
    def __init__(self, invariant: str, detail: str) -> None:
        super().__init__(f'{invariant}: {detail}')
        self.invariant = invariant
        self.detail = detail


def check_local_edit(name: str, client: ProtocolClient, expected: str) -> None:
    """A peer's own edit lands where it asked, counted in code points (pycrdt counts UTF-8 bytes)."""
    if client.text != expected:
        raise InvariantViolation('local edit', f'{name} holds {client.text!r}, expected {expected!r}')


def check_converged(room: Room, clients: Iterable[tuple[str, ProtocolClient]]) -> None:
    """Every peer holds the server's text and language."""
    for name, client in clients:
        if client.text != room.text:
            raise InvariantViolation('convergence', f'{name}: {difference(client.text, room.text)}')
        language = client.meta.get('language')
        if language != room.language:
            raise InvariantViolation('convergence', f'{name} has language {language!r}, the server {room.language!r}')


def check_characters(text: str, present: set[str], deleted: set[str]) -> None:
    """Each character that ever was in the text is there exactly once, unless some peer deleted it.

    Characters are unique per schedule (see alphabet.py), so this multiset check is exact: concurrent deletes
    of one character count once, and a doubled character is a duplication, not a coincidence.
    """
    final = Counter(text)
    expected = present - deleted
    lost = expected - final.keys()
    extra = final.keys() - expected
    doubled = sorted(char for char, count in final.items() if count > 1)
    if lost or extra or doubled:
        raise InvariantViolation('no typed character lost', f'lost {"".join(sorted(lost))!r}, deleted or never '
                                 f'typed yet present {"".join(sorted(extra))!r}, duplicated {"".join(doubled)!r}')


def check_store(server: Server) -> None:
    """After a last commit, a Room loaded from the store holds the live room's text; after a compaction too."""
    room = server.room
    server.commit()
    for stage in ('after the last commit', 'after compaction'):
        reloaded = server.boot(on_update=lambda *_: None)
        if reloaded.text != room.text or reloaded.language != room.language:
            raise InvariantViolation('store reload', f'{stage}: {difference(reloaded.text, room.text)}, '
                                     f'language {reloaded.language!r} vs {room.language!r}')
        server.compact()


def difference(got: str, want: str) -> str:
    if got == want:
        return 'same text'
    at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
    return (f'{len(got)} vs {len(want)} characters, first difference at {at}: '
            f'{got[at:at + 12]!r} vs {want[at:at + 12]!r}')
