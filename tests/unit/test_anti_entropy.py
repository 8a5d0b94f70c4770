"""Room.check, the idle anti-entropy check: a peer whose document differs from the room's, in either direction
and by inserts or by deletions alone, heals without reconnecting; an equal one gets nothing back."""

from pycrdt import Doc, Text

from collab import ProtocolError, Room, protocol
from collab.protocol import delete_set_digest
from tests.wiring import Wire


def digest_of(doc: Doc) -> str:
    return delete_set_digest(doc.get_update(doc.get_state()))


def check(wire: Wire, room: Room, name: str) -> None:
    doc = wire.clients[name].doc
    room.check(name, doc.get_state(), digest_of(doc))


def synced_pair() -> tuple[Room, Wire]:
    room = Room('r')
    wire = Wire(room)
    for name in ('a', 'b'):
        wire.add(name)
        wire.connect(name)
    wire.settle()
    wire.clients['a'].insert(0, 'hello world')
    wire.settle()
    return room, wire


def test_an_equal_peer_gets_nothing_back():
    room, wire = synced_pair()
    check(wire, room, 'b')
    assert not wire.down['b'] and not wire.up['b']


def test_a_peer_that_missed_an_update_gets_it():
    room, wire = synced_pair()
    wire.clients['a'].insert(0, '>> ')
    room.receive('a', wire.up['a'].popleft())
    wire.down['b'].clear()  # lost on its way to b
    assert wire.clients['b'].text == 'hello world'
    check(wire, room, 'b')
    assert [m[:2] for m in wire.down['b']] == [bytes((0, 1))]  # a SyncStep2 with what b lacks
    wire.settle()
    assert wire.clients['b'].text == room.text == '>> hello world'


def test_a_peer_that_holds_what_the_room_missed_sends_it():
    room, wire = synced_pair()
    wire.clients['b'].insert(11, '!')
    wire.up['b'].clear()  # never reached the room
    check(wire, room, 'b')
    assert [m[:2] for m in wire.down['b']] == [bytes((0, 0))]  # a SyncStep1: send what the room lacks
    wire.settle()
    assert room.text == wire.clients['a'].text == 'hello world!'


def test_a_difference_in_deletions_alone_is_seen_and_healed_both_ways():
    room, wire = synced_pair()
    wire.clients['b'].delete(5, 6)  # deletes create no struct: the state vectors stay equal
    wire.up['b'].clear()
    assert wire.clients['b'].doc.get_state() == room.doc.get_state()
    assert digest_of(wire.clients['b'].doc) != digest_of(room.doc)
    check(wire, room, 'b')
    wire.settle()
    assert room.text == wire.clients['a'].text == wire.clients['b'].text == 'hello'
    check(wire, room, 'b')
    assert not wire.down['b']  # equal again


def test_the_digest_ignores_how_ranges_were_split_and_clients_ordered():
    one, two = Doc(), Doc()
    text = one.get('code', type=Text)
    text += 'abcdefgh'
    del text[2:4]
    del text[1:2]
    two.apply_update(one.get_update())
    assert digest_of(one) == digest_of(two) != digest_of(Doc())
    assert delete_set_digest(b'\x01junk') == '' and delete_set_digest(b'') == ''


def test_a_check_with_a_truncated_state_vector_is_refused_and_harms_nothing():
    room, wire = synced_pair()
    for bad in (b'\x05\x01', b'\x01\x80'):
        try:
            room.check('b', bad, '00000000')
        except ProtocolError as error:
            assert 'state vector' in str(error)
        else:
            raise AssertionError('a truncated state vector was accepted')
    assert room.text == 'hello world'


def test_a_check_from_a_peer_that_has_not_opened_its_handshake_is_left_to_the_handshake():
    room = Room('r')
    sent = []
    room.connect('p', sent.append)
    sent.clear()
    room.check('p', Doc().get_state(), '811c9dc5')
    assert sent == []
