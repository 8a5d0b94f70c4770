"""SocketPeer speaks the app's real socket protocol: two of them and a real browser edit one interview at once
and end with the same text, which the server holds too."""

import asyncio

import pytest

from peers import SocketPeer
from peers.loop_thread import LoopThread
from tests.e2e.room_page import RoomPage


@pytest.fixture
def loop():
    with LoopThread() as thread:
        yield thread


def test_two_socket_peers_and_a_browser_converge(server, new_page, loop):
    interview = server.create_interview(language='plaintext')
    ada = loop.run(SocketPeer.join(server.url, interview['id'], 'Ada', key=interview['candidate_key']))
    bob = loop.run(SocketPeer.join(server.url, interview['id'], 'Bob', key=interview['interviewer_key']))
    carol = RoomPage(new_page(), server, interview['id']).join('Carol')
    participants = server.participants(interview['id'])
    assert {p['name'] for p in participants.values() if p['status'] == 'online'} == {'Ada', 'Bob', 'Carol'}

    loop.run(ada.insert(0, 'ada:'))
    carol.wait_text('ada:')
    loop.run(bob.wait_text('ada:'))

    # All three at once: the peers insert while the browser types real keystrokes.
    carol.focus_end()
    async def peers_type() -> None:
        for _ in range(10):
            await ada.insert(0, 'a')
            await bob.insert(len(bob.text), 'b')
            await asyncio.sleep(0.02)
    typing = asyncio.run_coroutine_threadsafe(peers_type(), loop.loop)
    carol.page.keyboard.type('cccccccccc', delay=20)
    typing.result(10)
    length = len('ada:') + 30
    final = carol.text_when_settled(length)
    loop.run(ada.wait_text(final))
    loop.run(bob.wait_text(final))
    assert sorted(final) == sorted('ada:' + 'a' * 10 + 'b' * 10 + 'c' * 10)
    server.wait_code(interview['id'], final)

    # A deletion by a peer reaches everyone; the browser's remote cursors include both peers.
    loop.run(bob.delete(0, 4))
    carol.wait_text(final[4:])
    loop.run(ada.wait_text(final[4:]))
    server.wait_code(interview['id'], final[4:])
    loop.run(ada.close())
    loop.run(bob.close())
