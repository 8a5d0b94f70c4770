"""A room of more people than chips (issue 17 §3): an operator who raised PAIRPAD_MAX_PARTICIPANTS (a workshop)
gets one chip per person up to components.participant_list.MAX_CHIPS, then one summary that counts the rest and
how many of them are online. A join past the cap changes that summary in every tab, and a tab that joins late
builds no more chips than the cap. Protocol-level peers (tools/peers, the browser's socket path) stand for the
crowd; the observers are real Chromium tabs."""

import asyncio

import pytest
from playwright.sync_api import expect

from components.participant_list import MAX_CHIPS
from tests.e2e.conftest import _run
from tests.e2e.room_page import RoomPage
from tools.peers.light import LightSocketPeer
from tools.peers.loop_thread import LoopThread

CROWD = MAX_CHIPS + 2  # peers besides the two browser tabs


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    yield from _run(tmp_path_factory.mktemp('many'), env={'PAIRPAD_MAX_PARTICIPANTS': str(CROWD + 10),
                                                          'PAIRPAD_RECONNECT_TIMEOUT': '2'})


@pytest.fixture
def loop():
    with LoopThread() as thread:
        yield thread


def more(room: RoomPage):
    return room.page.get_by_test_id('participants-more')


def test_past_the_chip_cap_a_summary_counts_the_rest_and_follows_their_coming_and_going(server, new_page, loop):
    interview = server.create_interview(language='plaintext')
    ada = RoomPage(new_page(), server, interview['id']).join('Ada', role='interviewer')

    async def crowd_joins() -> list[LightSocketPeer]:
        peers = []
        for start in range(0, CROWD, 8):  # 8 at a time, as a fan-out worker joins
            peers += await asyncio.gather(*(LightSocketPeer.join(server.url, interview['id'], f'Peer {i}',
                                                                 key=interview['candidate_key'])
                                            for i in range(start, min(CROWD, start + 8))))
        return peers

    peers = loop.run(crowd_joins())
    # Ada's tab: her chip and MAX_CHIPS - 1 others, then the summary of the 3 past the cap, all online
    expect(ada.page.get_by_test_id('participant')).to_have_count(MAX_CHIPS)
    expect(more(ada)).to_have_attribute('data-count', str(CROWD + 1 - MAX_CHIPS))
    expect(more(ada)).to_have_attribute('data-online', str(CROWD + 1 - MAX_CHIPS))
    expect(more(ada)).to_have_text(f'+{CROWD + 1 - MAX_CHIPS} more · {CROWD + 1 - MAX_CHIPS} online')

    bob = RoomPage(new_page(), server, interview['id']).join('Bob', role='interviewer')
    # the late tab builds at most the cap (its own chip comes whenever its participant is first seen)
    expect(bob.page.get_by_test_id('participant').filter(has_text='Bob (you)')).to_have_count(1)
    chips = bob.page.get_by_test_id('participant')
    expect(more(bob)).to_be_visible()
    total = CROWD + 2
    bob.page.wait_for_function(
        '([total]) => document.querySelectorAll("[data-testid=participant]").length + '
        'Number(document.querySelector("[data-testid=participants-more]")?.dataset.count || 0) === total',
        arg=[total])
    assert chips.count() <= MAX_CHIPS + 1
    # Bob came past the cap in Ada's tab: the summary counted him, no chip was added
    expect(more(ada)).to_have_attribute('data-count', str(CROWD + 2 - MAX_CHIPS))
    expect(ada.page.get_by_test_id('participant')).to_have_count(MAX_CHIPS)

    async def crowd_leaves() -> None:
        await asyncio.gather(*(peer.close() for peer in peers))

    loop.run(crowd_leaves())  # the crowd leaves: of the people past the cap, only Bob stays online
    expect(more(ada)).to_have_attribute('data-online', '1', timeout=30_000)
    expect(more(ada)).to_have_attribute('data-count', str(CROWD + 2 - MAX_CHIPS))  # gone, still counted (offline)
    expect(ada.page.get_by_test_id('participant').and_(ada.page.locator('[data-status=offline]'))) \
        .to_have_count(MAX_CHIPS - 1, timeout=30_000)
