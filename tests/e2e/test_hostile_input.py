"""Issue 4: hostile and broken input over the real socket, sent by a real Socket.IO client (peers.SocketPeer)
to the running app. Each case: the sender gets a clear error (or, where the input is harmless, nothing happens),
the other participant and the server's document are untouched, and the room keeps serving.

The table of cases and observed outcomes is docs/hostile-input.md; REST cases are in tests/unit/test_api.py.
"""

import base64
import json
import time

import httpx
import pytest
from pycrdt import Doc, Text, write_var_uint

from collab import protocol
from store import notes_room_id
from tools.peers.socket_peer import SocketPeer


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def foreign_update(text: str = 'x') -> bytes:
    doc = Doc()
    doc.get('code', type=Text).insert(0, text)
    return doc.get_update()


def awareness_update(entries: list[tuple[int, int, bytes]]) -> bytes:
    out = write_var_uint(len(entries))
    for client_id, clock, state in entries:
        out += write_var_uint(client_id) + write_var_uint(clock) + write_var_uint(len(state)) + state
    return out


def yjs(room: str, *messages: bytes) -> dict:
    return {'room': room, 'm': [b64(m) for m in messages]}


# name → (event, payload built from (mallory, room id, other interview id), fragment of the error shown, or None)
CASES = {
    'invalid base64': ('yjs', lambda m, r, o: {'room': r, 'm': ['%%%not base64%%%']}, 'not valid base64'),
    'm is not a list': ('yjs', lambda m, r, o: {'room': r, 'm': 'AAAA'}, 'list m'),
    'm item is a number': ('yjs', lambda m, r, o: {'room': r, 'm': [12345]}, 'base64 string'),
    'payload is a string': ('yjs', lambda m, r, o: 'hello', 'must be an object'),
    'payload names no room': ('yjs', lambda m, r, o: {'m': []}, 'names no room'),
    'room of another interview': ('yjs', lambda m, r, o: yjs(o, protocol.update(foreign_update())), 'did not join'),
    "the interviewers' notes, from a candidate": ('yjs', lambda m, r, o: yjs(notes_room_id(r), protocol.sync_step1(
        b'\x00')), 'did not join'),
    'room that does not exist': ('yjs', lambda m, r, o: yjs('no-such-room', protocol.update(foreign_update())),
                                 'did not join'),
    'over 1000 messages at once': ('yjs', lambda m, r, o: {'room': r, 'm': ['AA=='] * 1001}, 'at most 1000'),
    'part index out of range': ('yjs', lambda m, r, o: {'room': r, 'part': {'id': 'a', 'i': 5, 'n': 2}, 'd': 'AAAA'},
                                'out of range'),
    'part announcing 9 GB': ('yjs', lambda m, r, o: {'room': r, 'part': {'id': 'a', 'i': 0, 'n': 10 ** 9}, 'd': 'AAAA'},
                             'larger than the limit'),
    'part without data': ('yjs', lambda m, r, o: {'room': r, 'part': {'id': 'a', 'i': 0, 'n': 2}, 'd': 5},
                          'a part needs'),
    'part count changes': ('yjs', lambda m, r, o: [{'room': r, 'part': {'id': 'a', 'i': 0, 'n': 3}, 'd': 'AAAA'},
                                                   {'room': r, 'part': {'id': 'a', 'i': 1, 'n': 2}, 'd': 'AAAA'}],
                           'part count changed'),
    'five unfinished chunked messages': ('yjs', lambda m, r, o: [
        {'room': r, 'part': {'id': f'p{i}', 'i': 0, 'n': 2}, 'd': 'AAAA'} for i in range(5)], 'too many unfinished'),
    'empty message': ('yjs', lambda m, r, o: yjs(r, b''), 'empty message'),
    'unknown message type': ('yjs', lambda m, r, o: yjs(r, b'\x07\x00'), 'unknown message type'),
    'unknown sync type': ('yjs', lambda m, r, o: yjs(r, b'\x00\x09\x00'), 'unknown sync message type'),
    'truncated sync step 1': ('yjs', lambda m, r, o: yjs(r, b'\x00\x00\x05\x01'), 'truncated'),
    'truncated update': ('yjs', lambda m, r, o: yjs(r, protocol.update(foreign_update())[:-4]), 'truncated'),
    'trailing bytes': ('yjs', lambda m, r, o: yjs(r, protocol.update(foreign_update()) + b'\x00'), 'trailing bytes'),
    'update that is not Yjs': ('yjs', lambda m, r, o: yjs(r, protocol.update(b'\xff\xfe\xfd\xfc')),
                               'invalid Yjs update'),
    'state vector that is not Yjs': ('yjs', lambda m, r, o: yjs(r, protocol.sync_step1(b'\xff\xff\xff')),
                                     'invalid state vector'),
    'update past the document size limit': ('yjs', lambda m, r, o: [
        {'room': r, 'part': part['part'], 'd': part['d']} for part in _chunked(protocol.update(
            foreign_update('z' * (1024 * 1024 + 10))))], 'over the limit of 1,048,576 bytes'),
    'awareness state not JSON': ('yjs', lambda m, r, o: yjs(r, protocol.awareness(
        awareness_update([(m.client.doc.client_id, 9, b'{not json')]))), 'not JSON'),
    'awareness state is an array': ('yjs', lambda m, r, o: yjs(r, protocol.awareness(
        awareness_update([(m.client.doc.client_id, 9, b'[1,2]')]))), 'JSON object or null'),
    'awareness state over 8 KB': ('yjs', lambda m, r, o: yjs(r, protocol.awareness(
        awareness_update([(m.client.doc.client_id, 9, json.dumps({'x': 'y' * 9000}).encode())]))), 'exceeds the limit'),
    "awareness wearing someone else's name": ('yjs', lambda m, r, o: yjs(r, protocol.awareness(awareness_update([(
        m.client.doc.client_id, 9, json.dumps({'user': {**m.user, 'name': 'Alice'}}).encode())]))),
        'does not match your participant'),
    "awareness for another tab's client id": ('yjs', lambda m, r, o: yjs(r, protocol.awareness(awareness_update([(
        o_alice_client_id[0], 99, json.dumps({'user': m.user}).encode())]))), 'belongs to another participant'),
    'awareness with many client ids': ('yjs', lambda m, r, o: yjs(r, protocol.awareness(awareness_update(
        [(900 + i, 1, json.dumps({'user': m.user}).encode()) for i in range(8)]))), 'too many awareness client ids'),
    'presence with an unknown status': ('presence', lambda m, r, o: {'status': 'hacking'}, 'status must be one of'),
    'presence with is_typing as text': ('presence', lambda m, r, o: {'is_typing': 'yes'}, 'true or false'),
    'presence without any field': ('presence', lambda m, r, o: {'hello': 1}, 'without status or is_typing'),
    'cursor with negative, non-numeric values': ('cursor', lambda m, r, o: {'line': -5, 'column': 'x'}, None),
    'cursor far outside the document': ('cursor', lambda m, r, o: {'line': 10 ** 6, 'column': 1}, None),
    'replayed old update': ('yjs', lambda m, r, o: yjs(r, protocol.update(m.first_update)), None),
    # what rides on a yjs event (the caret, the typing flag: collab_editor.js takeRiders) is checked as if alone
    'riding caret that is not an object': ('yjs', lambda m, r, o: {'room': r, 'm': [], 'c': 'garbage'}, None),
    'riding caret far outside the document': ('yjs', lambda m, r, o: {'room': r, 'm': [],
                                                                      'c': {'line': 10 ** 6, 'column': 1}}, None),
    'riding is_typing as text': ('yjs', lambda m, r, o: {'room': r, 'm': [], 'p': {'is_typing': 'yes'}},
                                 'true or false'),
    'riding presence that is a list': ('yjs', lambda m, r, o: {'room': r, 'm': [], 'p': [1, 2]},
                                       'without status or is_typing'),
}

o_alice_client_id: list[int] = [0]  # Alice's Y.Doc client id, filled per case


def _chunked(message: bytes) -> list[dict]:
    from components.collab_editor.chunks import encode
    return encode([message])


@pytest.fixture
async def room(server):
    interview = server.create_interview(language='plaintext')
    other = server.create_interview(language='plaintext')
    alice = await SocketPeer.join(server.url, interview['id'], 'Alice', key=interview['candidate_key'])
    mallory = await SocketPeer.join(server.url, interview['id'], 'Mallory', key=interview['candidate_key'])
    await alice.insert(0, 'safe')
    await mallory.wait_text('safe')
    mallory.first_update = protocol.parse(protocol.update(alice.client.doc.get_update())).payload
    o_alice_client_id[0] = alice.client.doc.client_id
    yield server, interview['id'], other['id'], alice, mallory
    await alice.close()
    await mallory.close()


@pytest.mark.parametrize('case', CASES)
async def test_hostile_input_is_refused_and_harms_nothing(room, case):
    server, room_id, other_id, alice, mallory = room
    event, build, expected = CASES[case]
    payloads = build(mallory, room_id, other_id)
    for payload in payloads if isinstance(payloads, list) else [payloads]:
        await mallory.emit_raw(event, payload)
    if expected is not None:
        await mallory.wait_for(lambda: any(expected in n for n in mallory.notifications), 10,
                               lambda: f'no error containing {expected!r}; got {mallory.notifications}')
    await mallory.insert(len(mallory.text), '+')  # a barrier: sent after the hostile input on the same socket
    await alice.wait_text('safe+')
    assert alice.notifications == []
    assert server.interview(room_id)['code'] == 'safe+'
    print(f'\n{case}: {mallory.notifications[-1] if mallory.notifications else "no error shown, nothing changed"}')


async def test_flooding_peer_is_rate_limited_while_the_other_keeps_its_latency(server):
    interview = server.create_interview(language='plaintext')
    alice = await SocketPeer.join(server.url, interview['id'], 'Alice', key=interview['candidate_key'])
    bob = await SocketPeer.join(server.url, interview['id'], 'Bob', key=interview['candidate_key'])
    mallory = await SocketPeer.join(server.url, interview['id'], 'Mallory', key=interview['candidate_key'])

    async def latency() -> float:
        start = time.perf_counter()
        await alice.insert(len(alice.text), 'a')
        await bob.wait_text(alice.text)
        return time.perf_counter() - start

    quiet = sorted([await latency() for _ in range(10)])[5]
    flood = [b64(protocol.awareness(awareness_update([(mallory.client.doc.client_id, 100 + i, b'{}')])))
             for i in range(3000)]
    for i in range(0, len(flood), 10):  # 300 socket events of 10 messages each, as fast as the socket takes them
        await mallory.emit_raw('yjs', {'room': interview['id'], 'm': flood[i:i + 10]})
    during = sorted([await latency() for _ in range(10)])[5]
    await mallory.wait_for(lambda: any('too fast' in n for n in mallory.notifications), 10)
    print(f'\nflood: median latency {quiet * 1000:.1f} ms quiet, {during * 1000:.1f} ms during and after the flood')
    assert during < max(0.25, 10 * quiet)
    assert server.interview(interview['id'])['code'] == alice.text
    for peer in (alice, bob, mallory):
        await peer.close()


async def test_server_keeps_serving_after_all_of_it(server):
    response = httpx.get(f'{server.url}/api/interviews/nope', headers={'X-Pairpad-Key': 'x'})
    assert response.status_code == 404
    assert server.create_interview()['id']
