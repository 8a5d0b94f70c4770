"""Presence across instances (pages/presence_link.py) over an in-process relay hub: two PresenceServices on one
database stand for two instances. A join and every change on one show on the other; the other never sweeps the
first one's people; when the first instance is gone its people go offline; bad presence messages are dropped."""

import pytest

from collab import initial_update
from collab.relay import Kind, MemoryHub, RelayMessage
from pages.presence_link import CHANNEL, PresenceLink
from presence import PresenceService
from store import create_db, create_interview
from tests.clock import ManualClock


@pytest.fixture
def two(tmp_path):
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    interview = create_interview(engine, title='T', language='plaintext', initial_update=initial_update('plaintext'))
    hub, clock = MemoryHub(), ManualClock()
    services = []
    for name in ('a', 'b'):
        presence = PresenceService(engine, clock=clock, offline_after=5.0)
        PresenceLink(presence, hub.relay(name))
        services.append(presence)
    return interview.id, services[0], services[1], hub, clock


def test_a_join_and_its_changes_show_on_the_other_instance(two):
    interview_id, a, b, hub, clock = two
    seen = []
    b.subscribe(interview_id, seen.append)
    ada, _ = a.join(interview_id, name='Ada', role='candidate')
    assert [p.name for p in b.participants(interview_id)] == ['Ada']
    assert [p.name for p in seen] == ['Ada']  # b's chips hear of her join (a relayed newcomer is never 'cursor only')
    a.update_participant(interview_id, ada.id, is_typing=True)
    assert b.participant(interview_id, ada.id).is_typing is True
    assert seen[-1].id == ada.id and seen[-1].is_typing
    a.update_participant(interview_id, ada.id, status='away')
    assert b.participant(interview_id, ada.id).status == 'away'


async def test_the_other_instance_does_not_sweep_them_but_their_instance_s_death_does(two):
    interview_id, a, b, hub, clock = two
    ada, _ = a.join(interview_id, name='Ada', role='candidate')
    b.subscribe(interview_id, lambda view: None)
    a.update_participant(interview_id, ada.id, status='online')
    clock.advance(60)  # no heartbeat ever reaches b: they are a's to sweep
    await b.sweep()
    assert b.participant(interview_id, ada.id).status == 'online'
    b.drop_instance('a')
    assert b.participant(interview_id, ada.id).status == 'offline'


def test_an_instance_that_loads_the_interview_later_asks_who_is_where(two):
    interview_id, a, b, hub, clock = two
    ada, _ = a.join(interview_id, name='Ada', role='candidate')
    a.update_participant(interview_id, ada.id, status='online', is_typing=True)
    c = PresenceService(a.engine, clock=clock)
    PresenceLink(c, hub.relay('c'))
    assert c.participant(interview_id, ada.id).is_typing is True  # a answered c's question


@pytest.mark.parametrize('payload', [b'not json', b'[1]', b'{}', b'{"id": 5}',
                                     b'{"id": "x", "status": "hacking", "is_typing": false}',
                                     b'{"id": "x", "status": "online", "is_typing": "yes"}',
                                     b'{"id": "x", "status": "online", "is_typing": false, "cursor": ["a", 1]}'])
def test_a_bad_presence_message_is_dropped(two, payload, caplog):
    interview_id, a, b, hub, clock = two
    ada, _ = a.join(interview_id, name='Ada', role='candidate')
    hub.relay('mallory').publish(CHANNEL + interview_id, Kind.PRESENCE, payload)
    assert 'dropped a presence message' in caplog.text
    assert b.participant(interview_id, ada.id).status == 'online'


def test_a_message_for_an_unknown_participant_changes_nothing(two):
    interview_id, a, b, hub, clock = two
    b.participants(interview_id)
    hub.relay('mallory').publish(CHANNEL + interview_id, Kind.PRESENCE,
                                 b'{"id": "nobody", "status": "online", "is_typing": false, "cursor": null}')
    assert b.participants(interview_id) == []
