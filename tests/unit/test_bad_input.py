"""Bad messages are refused with a clear ProtocolError or FramingError; the document, the stored log and the
other peers are untouched."""

import base64
import json
import random

import pytest
from pycrdt import Doc, Text, write_var_uint

from collab import Limits, MemoryPersistence, NotSynced, PendingUpdate, ProtocolError, Room, initial_update
from collab import protocol
from collab.guards import TokenBucket
from components.collab_editor.chunks import FramingError, Reassembler, decode_base64, encode
from tests.clock import ManualClock
from tests.wiring import Wire


@pytest.fixture
def room_with_peers():
    stored = MemoryPersistence()
    room = Room('r', limits=Limits(max_message_bytes=64 * 1024, max_awareness_state_bytes=512),
                on_update=lambda *item: stored.append([PendingUpdate(*item)]))
    room.load([initial_update('python', 'original\n')])
    wire = Wire(room)
    for name in ('mallory', 'alice'):
        wire.add(name)
        wire.connect(name)
    wire.settle()
    wire.down['alice'].clear()
    return room, wire, stored


def _awareness_update(entries: list[tuple[int, int, bytes]]) -> bytes:
    out = write_var_uint(len(entries))
    for client_id, clock, state in entries:
        out += write_var_uint(client_id) + write_var_uint(clock) + write_var_uint(len(state)) + state
    return out


def _foreign_update() -> bytes:
    doc = Doc()
    doc.get('code', type=Text).insert(0, 'x')
    return doc.get_update()


BAD_MESSAGES = {
    'empty': b'',
    'unknown message type': b'\x07\x00',
    'unknown sync type': b'\x00\x09\x00',
    'truncated sync step 1': b'\x00\x00\x05\x01',
    'truncated update': protocol.update(_foreign_update())[:-4],
    'trailing bytes': protocol.update(_foreign_update()) + b'\x00',
    'update that is not Yjs': protocol.update(b'\xff\xfe\xfd\xfc'),
    'state vector that is not Yjs': protocol.sync_step1(b'\xff\xff\xff'),
    'oversized message': protocol.update(b'\x00' * (65 * 1024)),
    'awareness not JSON': protocol.awareness(_awareness_update([(99, 1, b'{not json')])),
    'awareness JSON array': protocol.awareness(_awareness_update([(99, 1, b'[1,2]')])),
    'awareness state too large': protocol.awareness(_awareness_update([(99, 1, json.dumps({'x': 'y' * 600}).encode())])),
    'awareness truncated': protocol.awareness(_awareness_update([(99, 1, b'{}')])[:-1] + b'\x00')[:-1],
    'awareness invalid UTF-8': protocol.awareness(_awareness_update([(99, 1, b'"\xff\xfe"')])),
}


@pytest.mark.parametrize('name', BAD_MESSAGES)
def test_bad_message_is_refused_and_harms_nothing(room_with_peers, name):
    room, wire, stored = room_with_peers
    before_text, before_stored = room.text, list(stored.updates.get('r', []))
    with pytest.raises(ProtocolError):
        room.receive('mallory', BAD_MESSAGES[name])
    assert room.text == before_text == 'original\n'
    assert stored.updates.get('r', []) == before_stored
    assert not wire.down['alice']  # nothing reached the other peer
    wire.clients['alice'].insert(0, 'still works: ')  # and the room keeps serving
    wire.settle()
    assert room.text == wire.clients['mallory'].text == 'still works: original\n'


def test_message_from_a_peer_that_never_joined_is_refused(room_with_peers):
    room, _, _ = room_with_peers
    with pytest.raises(ProtocolError, match='has not joined'):
        room.receive('stranger', protocol.update(_foreign_update()))
    assert room.text == 'original\n'


def test_awareness_for_someone_elses_client_id_is_refused(room_with_peers):
    room, wire, _ = room_with_peers
    alice = wire.clients['alice']
    alice.set_awareness({'user': {'name': 'Alice'}})
    wire.settle()
    forged = protocol.awareness(_awareness_update([(alice.doc.client_id, 99, b'{"user":{"name":"Mallory"}}')]))
    with pytest.raises(ProtocolError, match='belongs to another participant'):
        room.receive('mallory', forged)
    assert room.awareness.states[alice.doc.client_id] == {'user': {'name': 'Alice'}}


def test_a_peer_cannot_claim_unbounded_awareness_ids(room_with_peers):
    room, _, _ = room_with_peers
    many = protocol.awareness(_awareness_update([(1000 + i, 1, b'{}') for i in range(10)]))
    with pytest.raises(ProtocolError, match='too many awareness client ids'):
        room.receive('mallory', many)
    assert all(1000 + i not in room.awareness.states for i in range(10))


def test_framing_rejects_invalid_base64_and_wrong_types():
    with pytest.raises(FramingError, match='not valid base64'):
        decode_base64('%%%not base64%%%')
    with pytest.raises(FramingError, match='expected a base64 string'):
        decode_base64(12345)


def test_chunked_messages_reassemble_and_respect_the_budget():
    message = bytes(range(256)) * 5000  # 1.28 MB, above the socket's frame cap
    items = encode([message], chunk_chars=300_000)
    assert len(items) > 1 and all(isinstance(item, dict) for item in items)
    reassembler = Reassembler(max_bytes=2 * 1024 * 1024)
    results = [reassembler.add(item['part'], item['d']) for item in reversed(items)]
    assert results[-1] == message and all(r is None for r in results[:-1])
    small = Reassembler(max_bytes=100_000)
    with pytest.raises(FramingError, match='larger than the limit'):
        for item in items:
            small.add(item['part'], item['d'])
    with pytest.raises(FramingError, match='index out of range'):
        small.add({'id': 'x', 'i': 5, 'n': 2}, 'AAAA')
    with pytest.raises(FramingError):
        small.add('not a dict', 'AAAA')


def test_small_messages_travel_whole_as_base64():
    assert encode([b'\x00\x02\x01\x00']) == [base64.b64encode(b'\x00\x02\x01\x00').decode()]


def test_awareness_user_must_be_the_peers_own_participant():
    room = Room('r')
    wire = Wire(room)
    mallory = wire.add('mallory')
    room.connect('mallory', wire.down['mallory'].append, identity={'participantId': 'm', 'name': 'Mallory'})
    mallory.awareness.set_local_state({'user': {'participantId': 'a', 'name': 'Alice'}})
    forged = protocol.awareness(mallory.awareness.encode_awareness_update([mallory.doc.client_id]))
    with pytest.raises(ProtocolError, match='does not match your participant'):
        room.receive('mallory', forged)
    mallory.awareness.set_local_state({'user': {'participantId': 'm', 'name': 'Mallory'}, 'selection': None})
    room.receive('mallory', protocol.awareness(mallory.awareness.encode_awareness_update([mallory.doc.client_id])))
    assert room.awareness.states[mallory.doc.client_id]['user']['name'] == 'Mallory'


def _size_limited(room_id: str, max_document_bytes: int, *names: str):
    """A room with that document limit and connected, synced peers of those names."""
    room = Room(room_id, limits=Limits(max_document_bytes=max_document_bytes))
    wire = Wire(room)
    peers = [wire.add(name) for name in names]
    for name in names:
        wire.connect(name)
    wire.settle()
    return room, wire, peers


def test_document_size_limit_refuses_the_update_that_crosses_it():
    room, wire, (alice, bob) = _size_limited('r', 1000, 'alice', 'bob')
    alice.insert(0, 'x' * 900)
    wire.settle()
    alice.insert(0, 'y' * 200)
    with pytest.raises(ProtocolError, match='over the limit of 1,000 bytes'):
        wire.settle()
    assert room.text == 'x' * 900 and bob.text == 'x' * 900


def test_the_size_limit_holds_for_many_small_updates_and_after_deletes_and_server_changes():
    """The room keeps an upper bound of the code's size instead of measuring it per update; it must still refuse
    exactly the change that crosses the limit, however the text got there."""
    room, wire, (alice, bob) = _size_limited('r', 300, 'alice', 'bob')
    for i in range(60):  # 60 one-character updates: their sizes add up far past the limit, the text does not
        alice.insert(len(alice.text), 'ab'[i % 2])
        wire.settle()
    alice.delete(0, 60)  # and deleting gives the room back
    wire.settle()
    assert room.text == '' and bob.text == ''
    alice.insert(0, 'x' * 250)
    wire.settle()
    alice.insert(0, 'y' * 60)
    with pytest.raises(ProtocolError, match='over the limit of 300 bytes'):
        wire.settle()
    assert room.text == 'x' * 250 and bob.text == 'x' * 250

    room, wire, (alice,) = _size_limited('s', 1000, 'alice')
    alice.insert(0, 'a' * 10)
    wire.settle()
    with room.doc.transaction():  # a change that does not come through a peer (what load and the server do)
        room.doc.get('code', type=Text).insert(10, 'z' * 985)
    alice.insert(0, 'y' * 6)  # 995 + 6 > 1000
    with pytest.raises(ProtocolError, match='over the limit of 1,000 bytes'):
        wire.settle()
    assert room.text == 'a' * 10 + 'z' * 985


def test_flooding_peer_is_rate_limited_then_resynced_without_loss():
    clock = ManualClock()  # the bucket refills only when the test moves time, whatever the machine's load
    room = Room('r', limits=Limits(message_rate=50, message_burst=20), clock=clock)
    wire = Wire(room)
    flooder, other = wire.add('flooder'), wire.add('other')
    wire.connect('flooder'), wire.connect('other')
    wire.settle()
    for i in range(100):
        flooder.insert(len(flooder.text), str(i % 10))
    limited = 0
    while any(wire.up.values()) or any(wire.down.values()):
        try:
            wire.step(random.Random(0))
        except ProtocolError:
            limited += 1
    assert limited > 50  # most of the flood was dropped at the door
    assert room.text != flooder.text and other.text == room.text
    clock.time += 0.1  # the bucket refills with time: the next message is accepted and triggers a resync
    flooder.insert(0, '!')
    wire.settle()
    assert room.text == flooder.text == other.text and len(room.text) == 101


def test_the_rate_limit_allows_a_burst_then_the_rate():
    clock = ManualClock()
    bucket = TokenBucket(rate=50, burst=20, clock=clock)
    assert [bucket.take() for _ in range(21)] == [True] * 20 + [False]
    clock.time += 0.1  # 5 tokens
    assert [bucket.take() for _ in range(6)] == [True] * 5 + [False]
    clock.time += 10  # a long pause refills the burst, not more
    assert sum(bucket.take() for _ in range(30)) == 20


def test_deleting_everything_without_having_synced_is_refused(room_with_peers):
    """A client that knows the document (say, from another tab) but writes on a connection where it never sent
    its state first: a blind "delete everything" is refused and harms nothing."""
    room, wire, stored = room_with_peers
    copy = Doc()
    copy.apply_update(room.doc.get_update())
    before = copy.get_state()
    code = copy.get('code', type=Text)
    del code[0:len(str(code).encode())]
    wipe = protocol.update(copy.get_update(before))
    room.connect('blind', lambda _: None)
    with pytest.raises(NotSynced, match='sync step 1'):
        room.receive('blind', wipe)
    assert room.text == 'original\n' and not wire.down['alice']
    room.receive('blind', protocol.sync_step1(copy.get_state()))  # having opened the handshake, it may edit
    room.receive('blind', wipe)
    assert room.text == ''
