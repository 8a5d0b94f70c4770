"""The stdin box is the document's second text (collab.document.STDIN): it syncs between peers like the code, the
room reads it for a run (Room.stdin), it survives a reload from the store, and it counts towards the same size
limit as the code (so the box is no way around it)."""

import pytest
from pycrdt import Text

from collab import Limits, ProtocolError, Room
from collab.document import STDIN, read_stdin
from tests.wiring import Wire


def _type_stdin(peer, text: str) -> None:
    peer._edit(lambda: peer.doc.get(STDIN, type=Text).insert(0, text))


def test_stdin_syncs_between_peers_and_the_room_reads_it():
    room = Room('r')
    wire = Wire(room)
    alice, bob = wire.add('alice'), wire.add('bob')
    wire.connect('alice')
    wire.connect('bob')
    wire.settle()
    _type_stdin(alice, '3\n1 2 3\n')
    wire.settle()
    assert room.stdin == '3\n1 2 3\n' and read_stdin(bob.doc) == '3\n1 2 3\n'
    assert room.text == ''  # the code is untouched

    again = Room('r')
    again.load([room.doc.get_update()])
    assert again.stdin == '3\n1 2 3\n'


def test_code_and_stdin_share_the_document_limit():
    room = Room('r', limits=Limits(max_document_bytes=1000))
    wire = Wire(room)
    alice = wire.add('alice')
    wire.connect('alice')
    wire.settle()
    alice.insert(0, 'x' * 700)
    wire.settle()
    _type_stdin(alice, 'y' * 400)
    with pytest.raises(ProtocolError, match='code and stdin 1,100 bytes, over the limit of 1,000 bytes'):
        wire.settle()
    assert room.stdin == '' and room.text == 'x' * 700
