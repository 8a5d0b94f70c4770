"""One room on several instances, joined by the relay (collab/relay.py, relay_link.py) over an in-process hub
that can lose messages: edits and cursors cross, relayed copies are neither stored nor sent back, gaps heal by
STATE exchanges, a gone instance's cursors vanish, and bad relay messages harm nothing."""

import random

import pytest
from pycrdt import Doc, Text

from collab import MemoryPersistence, Room, RoomRegistry
from collab.anti_entropy import digest_of
from collab.relay import Kind, MemoryHub, RelayMessage, encode_state
from collab.relay_link import RelayLink
from tests.wiring import Wire


def instance(hub: MemoryHub, name: str, stored: list | None = None) -> tuple[Room, RelayLink, Wire]:
    room = Room('r', on_update=(lambda room_id, update, author: stored.append((name, update)))
                if stored is not None else None)
    link = RelayLink(room, hub.relay(name))
    return room, link, Wire(room)


def typist(wire: Wire, name: str):
    client = wire.add(name)
    wire.connect(name)
    wire.settle()
    return client


def test_an_edit_on_one_instance_reaches_the_tabs_of_another_and_is_stored_once():
    hub, stored = MemoryHub(), []
    room_a, _, wire_a = instance(hub, 'a', stored)
    room_b, _, wire_b = instance(hub, 'b', stored)
    ada, bob = typist(wire_a, 'ada'), typist(wire_b, 'bob')
    ada.insert(0, 'hello')
    wire_a.settle()
    wire_b.settle()
    assert room_b.text == bob.text == 'hello'
    bob.insert(5, ' world')
    wire_b.settle()
    wire_a.settle()
    assert ada.text == room_a.text == room_b.text == 'hello world'
    assert [name for name, _ in stored] == ['a', 'b']  # each change stored by the instance whose tab made it
    kinds = [m.kind for _, m in hub.published]
    assert kinds.count(Kind.UPDATE) == 2  # relayed copies are not published again


def test_cursors_cross_and_vanish_with_their_instance():
    hub = MemoryHub()
    room_a, link_a, wire_a = instance(hub, 'a')
    room_b, link_b, wire_b = instance(hub, 'b')
    ada, bob = typist(wire_a, 'ada'), typist(wire_b, 'bob')
    ada.set_awareness({'user': {'name': 'Ada'}})
    wire_a.settle()
    wire_b.settle()
    client_id = ada.awareness.client_id
    assert room_b.awareness.states[client_id]['user'] == {'name': 'Ada'}
    assert bob.awareness.states[client_id]['user'] == {'name': 'Ada'}
    assert link_b.instances == {'a'}
    assert not link_b.drop_gone({'a', 'b'})
    assert link_b.drop_gone({'b'})  # a's liveness key expired
    wire_b.settle()
    assert client_id not in room_b.awareness.states and client_id not in bob.awareness.states


def test_a_tab_closing_on_one_instance_removes_its_cursor_everywhere():
    hub = MemoryHub()
    room_a, _, wire_a = instance(hub, 'a')
    room_b, _, wire_b = instance(hub, 'b')
    ada, bob = typist(wire_a, 'ada'), typist(wire_b, 'bob')
    ada.set_awareness({'user': {'name': 'Ada'}})
    wire_a.settle()
    wire_b.settle()
    wire_a.disconnect('ada')
    wire_b.settle()
    assert ada.awareness.client_id not in bob.awareness.states


def test_another_instance_cannot_take_over_a_local_cursor():
    hub = MemoryHub()
    room_a, link_a, wire_a = instance(hub, 'a')
    ada = typist(wire_a, 'ada')
    ada.set_awareness({'user': {'name': 'Ada'}})
    wire_a.settle()
    forged = ada.awareness.encode_awareness_update([ada.awareness.client_id])
    link_a.receive(RelayMessage('mallory', Kind.AWARENESS, forged))  # logged and dropped
    assert link_a.instances == set()


def test_lost_relay_messages_heal_by_state_exchanges():
    hub = MemoryHub()
    rng = random.Random(7)
    hub.lose = lambda room_id, to, message: message.kind is not Kind.STATE and rng.random() < 0.4
    rooms = [instance(hub, name) for name in 'abc']
    clients = [typist(wire, f'tab{i}') for i, (_, _, wire) in enumerate(rooms)]
    for step in range(60):
        i = rng.randrange(3)
        client = clients[i]
        if client.text and rng.random() < 0.3:
            client.delete(rng.randrange(len(client.text)), 1)
        else:
            client.insert(rng.randrange(len(client.text) + 1), f'{i}{step}')
        for _, _, wire in rooms:
            wire.settle()
    hub.lose = lambda room_id, to, message: False
    for _ in range(3):  # the periodic announcements of rooms with tabs
        for _, link, wire in rooms:
            link.announce()
        for _, _, wire in rooms:
            wire.settle()
    texts = {room.text for room, _, _ in rooms} | {client.text for client in clients}
    assert len(texts) == 1, texts


def test_a_deletion_lost_on_the_relay_heals_too():
    hub = MemoryHub()
    room_a, link_a, wire_a = instance(hub, 'a')
    room_b, link_b, wire_b = instance(hub, 'b')
    ada, bob = typist(wire_a, 'ada'), typist(wire_b, 'bob')
    ada.insert(0, 'keep this, drop that')
    wire_a.settle()
    wire_b.settle()
    hub.lose = lambda room_id, to, message: message.kind is Kind.UPDATE
    ada.delete(10, 10)
    wire_a.settle()
    assert room_b.text == 'keep this, drop that'  # the deletion never arrived; state vectors are equal
    hub.lose = lambda room_id, to, message: False
    link_b.announce()
    wire_b.settle()
    assert room_b.text == bob.text == room_a.text == 'keep this,'


@pytest.mark.parametrize('data', [b'', b'\x01', b'\x09\x01a', b'\x01\x00', b'\x01\x05ab',
                                  b'\x03\x01a\x05\x01', b'\x01\x01a\xff\xfe\xfd', b'\x02\x01a[1]'])
def test_a_malformed_relay_message_is_dropped_and_harms_nothing(data, caplog):
    hub = MemoryHub()
    room_a, link_a, wire_a = instance(hub, 'a')
    ada = typist(wire_a, 'ada')
    ada.insert(0, 'safe')
    wire_a.settle()
    try:
        message = RelayMessage.decode(data)
    except ValueError:
        return  # refused by the decoder: what the Redis subscriber logs and drops
    link_a.receive(message)
    assert 'dropped a relay message' in caplog.text
    assert room_a.text == 'safe'


def test_a_state_from_an_instance_that_lacks_everything_is_answered_with_everything():
    hub = MemoryHub()
    room_a, link_a, wire_a = instance(hub, 'a')
    ada = typist(wire_a, 'ada')
    ada.insert(0, 'unsaved on a')
    wire_a.settle()
    answers = []
    newcomer = hub.relay('newcomer')
    newcomer.subscribe('r', answers.append)
    empty = Doc()
    newcomer.publish('r', Kind.STATE, encode_state(empty.get_state(), digest_of(empty)))
    update = next(m.payload for m in answers if m.kind is Kind.UPDATE)
    empty.apply_update(update)
    assert str(empty.get('code', type=Text)) == 'unsaved on a'


async def test_a_room_loaded_later_on_another_instance_gets_what_was_not_stored_yet():
    hub, store = MemoryHub(), MemoryPersistence()
    first = RoomRegistry(MemoryPersistence(), relay=hub.relay('a'))  # as if its commit window had not passed yet
    second = RoomRegistry(store, relay=hub.relay('b'))
    await first.start()
    await second.start()
    try:
        room_a = await first.get('r')
        wire = Wire(room_a)
        ada = typist(wire, 'ada')
        ada.insert(0, 'only in memory on a')
        wire.settle()
        assert store.load('r') == []
        room_b = await second.get('r')  # loads from the store (empty), then asks: a answers
        assert room_b.text == 'only in memory on a'
    finally:
        await second.stop()
        await first.stop()


async def test_a_survivor_stores_the_room_of_an_instance_that_died():
    hub, store = MemoryHub(), MemoryPersistence()
    first = RoomRegistry(MemoryPersistence(), relay=hub.relay('a'))  # what a stored is lost with it
    second = RoomRegistry(store, relay=hub.relay('b'))
    await first.start()
    await second.start()
    try:
        room_a, room_b = await first.get('r'), await second.get('r')
        wire_a, wire_b = Wire(room_a), Wire(room_b)
        ada, bob = typist(wire_a, 'ada'), typist(wire_b, 'bob')
        ada.set_awareness({'user': {'name': 'Ada'}})
        ada.insert(0, 'typed on a, never stored by a')
        wire_a.settle()
        wire_b.settle()
        hub.relays.pop('a')  # a dies: no goodbye, its liveness key expires
        second._relay_round(now=0.0)
        await second.writer.flush()
        reloaded = Room('check')
        reloaded.load(store.load('r'))
        assert reloaded.text == 'typed on a, never stored by a'
        wire_b.settle()
        assert ada.awareness.client_id not in bob.awareness.states
    finally:
        await second.stop()
        first.relay.stopped = True
        await first.stop()


async def test_an_interview_deleted_on_one_instance_closes_its_room_on_the_others():
    hub, store = MemoryHub(), MemoryPersistence()
    first = RoomRegistry(store, relay=hub.relay('a'))
    second = RoomRegistry(store, relay=hub.relay('b'))
    await first.start()
    await second.start()
    try:
        room_b = await second.get('r')
        closed = []
        room_b.on_close(closed.append)
        first.forget('r', 'this interview was deleted')  # a never even loaded the room
        assert closed == ['this interview was deleted'] and room_b.closed
        assert second.loaded('r') is None
    finally:
        await second.stop()
        await first.stop()
