"""SocketPeer speaks the app's real socket protocol: two of them and a real browser edit one interview at once
and end with the same text, which the server holds too."""

import asyncio

import pytest

from tools.peers import SocketPeer
from tools.peers.loop_thread import LoopThread
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


def test_socket_peer_reconnects_like_a_tab_and_loses_nothing(own_server, loop):
    """With reconnect=True a peer rides out a server kill (-9) and restart: it keeps typing offline, re-opens the
    page for a fresh NiceGUI client and resyncs; the edits the server lost (commit window) and those typed while it
    was down all end up everywhere. A peer without the flag stays disconnected."""
    server = own_server
    interview = server.create_interview(language='plaintext')
    ada = loop.run(SocketPeer.join(server.url, interview['id'], 'Ada', key=interview['candidate_key'], reconnect=True))
    bob = loop.run(SocketPeer.join(server.url, interview['id'], 'Bob', key=interview['candidate_key'], reconnect=True,
                                 apply_remote=False))
    eve = loop.run(SocketPeer.join(server.url, interview['id'], 'Eve', key=interview['candidate_key']))
    loop.run(ada.insert(0, 'ada1 '))
    loop.run(bob.insert(0, 'bob1 '))
    loop.run(ada.wait_for(lambda: set(ada.text.split()) == {'ada1', 'bob1'}))
    server.wait_code(interview['id'], ada.text)

    server.kill()
    loop.run(ada.wait_for(lambda: ada.disconnects and bob.disconnects and eve.disconnects, 30))
    loop.run(ada.insert(len(ada.text), 'ada2 '))   # typed while the server is down
    loop.run(bob.insert(len(bob.text), 'bob2 '))
    server.start()
    loop.run(ada.wait_for(lambda: ada.reconnections == 1 and bob.reconnections == 1, 60,
                          lambda: f'reconnections: ada {ada.disconnects}, bob {bob.disconnects}'))
    loop.run(ada.insert(len(ada.text), 'ada3 '))   # and after the reconnection
    loop.run(bob.insert(len(bob.text), 'bob3 '))

    words = {'ada1', 'ada2', 'ada3', 'bob1', 'bob2', 'bob3'}
    loop.run(ada.wait_for(lambda: set(ada.text.split()) == words, 20, lambda: f'ada has {ada.text!r}'))
    loop.run(bob.sync())  # bob applies nothing remote by itself: one more handshake brings everything
    assert bob.text == ada.text
    server.wait_code(interview['id'], ada.text)
    assert sorted(ada.text) == sorted('ada1 ada2 ada3 bob1 bob2 bob3 ')
    assert ada.disconnects[0].offline_s is not None and ada.connected
    assert eve.reconnections == 0 and not eve.connected  # no reconnect flag: stays down, as before
    for peer in (ada, bob, eve):
        loop.run(peer.close())
