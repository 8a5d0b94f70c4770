"""Issue 15 §4, the server's side: a paste claim is checked against what the tab's own change inserted in the room's
document; time away is measured with the server's clock (a ManualClock here: no test sleeps); bad events are refused
at WARNING with the room untouched; the hub stores a fact and tells the listeners of every instance."""

import logging
from datetime import datetime, timezone

import pytest
from pycrdt import Doc, Text

from collab import Room, initial_update, protocol
from collab.relay import Kind, MemoryHub
from pages.signal_checks import (BURST, MAX_AWAY_SECONDS, PASTE_WINDOW, Counts, Fact, InsertionWatch, SignalRefused,
                                 TabSignals, chip_text, count_lines, duration, inserted, totals)
from pages.signal_hub import SignalHub
from pages.signal_tab import SignalTab
from store import create_db, create_interview, list_signals
from tests.clock import ManualClock

ROOM, ME = 'room-1', 'cara'


def _tab(clock: ManualClock) -> TabSignals:
    return TabSignals(ROOM, ME, clock)


def _paste(characters: int, lines: int, **extra) -> dict:
    return {'room': ROOM, 'kind': 'paste', 'characters': characters, 'lines': lines, **extra}


def _away(away, **extra) -> dict:
    return {'room': ROOM, 'kind': 'away', 'away': away, **extra}


# -- pastes -------------------------------------------------------------------------------------------------------

def test_lines_and_characters_of_an_insertion():
    assert [count_lines(t) for t in ('', 'a', 'a\n', 'a\nb', 'a\nb\n', '\n\n')] == [0, 1, 1, 2, 2, 2]
    assert inserted([{'retain': 3}, {'delete': 2}, {'insert': 'x\ny😊'}, {'insert': 'z'}]) == (5, 3)
    assert inserted([{'delete': 9}]) == (0, 0)


def test_a_paste_claim_matched_by_the_tab_s_insertion_records_what_was_inserted():
    tab = _tab(ManualClock())
    tab.saw_insertion([{'retain': 4}, {'insert': 'a\nb\nc'}])
    assert tab.receive(_paste(5, 3)) == Fact('paste', characters=5, lines=3)


def test_a_claim_that_lies_about_the_size_is_recorded_as_the_document_saw_it():
    clock = ManualClock()
    tab = _tab(clock)
    tab.saw_insertion([{'insert': 'x' * 40 + '\n' + 'y' * 40}])
    fact = tab.receive(_paste(3, 1))  # understated: a big paste passed off as a small one
    assert (fact.characters, fact.lines) == (81, 2)
    assert 'reported 3 characters in 1 lines' in fact.detail
    tab.saw_insertion([{'insert': 'ok'}])
    assert tab.receive(_paste(9000, 400)).characters == 2  # overstated: the same rule


@pytest.mark.parametrize('setup', ['nothing inserted', 'already claimed', 'too old', 'deletion only'])
def test_a_claim_without_a_matching_insertion_is_refused(setup):
    clock = ManualClock()
    tab = _tab(clock)
    if setup == 'already claimed':
        tab.saw_insertion([{'insert': 'abc'}])
        tab.receive(_paste(3, 1))
    elif setup == 'too old':
        tab.saw_insertion([{'insert': 'abc'}])
        clock.advance(PASTE_WINDOW + 0.1)
    elif setup == 'deletion only':
        tab.saw_insertion([{'retain': 2}, {'delete': 40}])
    with pytest.raises(SignalRefused, match='no insertion'):
        tab.receive(_paste(3, 1))


@pytest.mark.parametrize('claim', [(0, 1), (3, 0), (-3, 1), (3.5, 1), ('3', 1), (True, 1), (10 ** 12, 1)])
def test_a_paste_claim_with_impossible_figures_is_refused(claim):
    tab = _tab(ManualClock())
    tab.saw_insertion([{'insert': 'abc'}])
    with pytest.raises(SignalRefused, match='whole numbers'):
        tab.receive(_paste(*claim))


# -- time away ----------------------------------------------------------------------------------------------------

def test_time_away_is_measured_by_the_server_s_clock():
    clock = ManualClock()
    tab = _tab(clock)
    assert tab.receive(_away(True)) is None
    clock.advance(2)
    assert tab.receive(_away(True)) is None  # said again (a reconnect): the period goes on from its start
    clock.advance(1.04)
    assert tab.receive(_away(False)) == Fact('away', seconds=3.0)
    assert tab.receive(_away(False)) is None  # back without having left: nothing to record


def test_a_flicker_is_not_recorded_and_a_closed_tab_ends_its_period():
    clock = ManualClock()
    tab = _tab(clock)
    tab.receive(_away(True))
    clock.advance(0.4)
    assert tab.receive(_away(False)) is None
    tab.receive(_away(True))
    clock.advance(7)
    assert tab.end() == Fact('away', seconds=7.0)
    assert tab.end() is None and not tab.away


@pytest.mark.parametrize('jump', [-5.0, MAX_AWAY_SECONDS + 1])
def test_a_negative_or_absurd_measured_period_is_refused(jump):
    clock = ManualClock()
    tab = _tab(clock)
    tab.receive(_away(True))
    clock.time += jump  # a clock that went backwards, or a period of more than a day
    with pytest.raises(SignalRefused, match='not believable'):
        tab.receive(_away(False))
    assert not tab.away


@pytest.mark.parametrize('payload, reason', [
    ('away', 'an object'),
    ({'room': ROOM, 'kind': 'verdict'}, 'unknown signal kind'),
    (_away(False, seconds=-5), 'measures durations itself'),
    (_away(False, seconds=10 ** 9), 'measures durations itself'),
    (_away('yes'), 'true or false'),
    ({'room': 'another-room', 'kind': 'away', 'away': True}, 'did not join'),
    (_away(True, participant='ivan'), "not this tab's"),
    (_paste(3, 1, participant='ivan'), "not this tab's"),
    ({**_away(True), **{f'k{i}': 'x' * 1000 for i in range(100)}}, 'does not carry'),
])
def test_malformed_events_are_refused(payload, reason):
    with pytest.raises(SignalRefused, match=reason):
        _tab(ManualClock()).receive(payload)


def test_an_event_naming_the_tab_s_own_participant_is_fine():
    tab = _tab(ManualClock())
    assert tab.receive(_away(True, participant=ME)) is None and tab.away


def test_signal_events_are_rate_limited_per_tab():
    clock = ManualClock()
    tab, other = _tab(clock), _tab(clock)
    for i in range(BURST):
        tab.receive(_away(i % 2 == 0))
    with pytest.raises(SignalRefused, match='too many'):
        tab.receive(_away(True))
    assert other.receive(_away(True)) is None  # another tab has its own allowance
    clock.advance(1.0)
    tab.receive(_away(True))  # one more a second


# -- the tab: its own changes on the room's document --------------------------------------------------------------

class _Editor:
    def __init__(self) -> None:
        self.handlers = []

    def enable_signals(self):
        return self

    def on_signal(self, handler):
        self.handlers.append(handler)
        return self


class _Client:
    def __init__(self) -> None:
        self.disconnect, self.delete = [], []

    def on_disconnect(self, callback):
        self.disconnect.append(callback)

    def on_delete(self, callback):
        self.delete.append(callback)


class _Session:
    """What SignalTab needs of pages.editor_session.EditorSession."""

    def __init__(self, peer_id: str) -> None:
        self.editor, self.client = _Editor(), _Client()
        self.room_id, self.participant_id, self.peer_id = ROOM, ME, peer_id
        self.attach = []

    def on_attach(self, callback):
        self.attach.append(callback)


class _Hub:
    def __init__(self, refuse: bool = False) -> None:
        self.recorded, self.refuse = [], refuse
        self.insertions = InsertionWatch()

    async def record(self, interview_id, participant_id, fact):
        if self.refuse:
            raise SignalRefused(f'participant {participant_id!r} is not in interview {interview_id!r}')
        self.recorded.append((interview_id, participant_id, fact))


def _peer_update(room: Room, peer_id: str, change) -> None:
    """`change(text)` made in a peer's own doc, sent to the room the way a browser's update arrives."""
    doc = Doc()
    doc.apply_update(room.doc.get_update())
    before = doc.get_state()
    change(doc.get('code', type=Text))
    room.receive(peer_id, protocol.update(doc.get_update(before)))


def _room_with(*peer_ids: str) -> Room:
    room = Room(ROOM)
    room.load([initial_update('plaintext')])
    for peer_id in peer_ids:
        room.connect(peer_id, send=lambda message: None)
        room.receive(peer_id, protocol.sync_step1(b'\x00'))
    return room


async def test_a_tab_s_claim_is_checked_against_its_own_change_only(caplog):
    clock = ManualClock()
    room = _room_with('mine', 'theirs')
    hub = _Hub()
    mine, theirs = _Session('mine'), _Session('theirs')
    tab, their_tab = SignalTab(mine, hub, clock=clock), SignalTab(theirs, hub, clock=clock)
    mine.attach[0](room)
    theirs.attach[0](room)
    _peer_update(room, 'theirs', lambda text: text.insert(0, 'someone else pasted this\n'))
    with caplog.at_level(logging.WARNING):
        mine.editor.handlers[0](_paste(25, 1))  # another tab's insertion does not make this claim true
    assert 'no insertion of this tab' in caplog.text
    assert all(record.levelno == logging.WARNING for record in caplog.records)
    theirs.editor.handlers[0](_paste(25, 1))  # but it does make theirs
    _peer_update(room, 'mine', lambda text: text.insert(0, 'def f():\n    pass\n'))
    mine.editor.handlers[0](_paste(999, 99))
    tab.receive(_away(True))
    clock.advance(4)
    mine.client.disconnect[0]()  # the tab's connection ends while it is away
    await tab.idle()
    await their_tab.idle()
    assert [fact for _, _, fact in hub.recorded] == [
        Fact('paste', characters=25, lines=1),
        Fact('paste', characters=18, lines=2, detail='the browser reported 999 characters in 99 lines; recorded is '
                                                     'what its change inserted'),
        Fact('away', seconds=4.0)]
    assert room.text.startswith('def f():\n    pass\nsomeone else')  # the room was never touched by any of it
    mine.client.delete[0]()  # closed: its changes are not watched any more, the other tab's still are
    _peer_update(room, 'mine', lambda text: text.insert(0, 'x'))
    _peer_update(room, 'theirs', lambda text: text.insert(0, 'yz'))
    with pytest.raises(SignalRefused):
        tab.checks.receive(_paste(1, 1))
    assert their_tab.checks.receive(_paste(2, 1)) == Fact('paste', characters=2, lines=1)


async def test_refusals_are_warnings_and_a_flood_is_one_line_every_few_seconds(caplog):
    clock = ManualClock()
    session = _Session('mine')
    tab = SignalTab(session, _Hub(refuse=True), clock=clock)
    with caplog.at_level(logging.WARNING, logger='pages.signal_tab'):
        for _ in range(50):
            tab.receive('garbage')
        clock.advance(6)
        tab.receive({'room': ROOM, 'kind': 'nope'})
        tab.receive(_away(True))
        clock.advance(2)
        tab.receive(_away(False))  # recorded by a hub that does not know the participant: refused too
        await tab.idle()
    lines = [r for r in caplog.records if r.name == 'pages.signal_tab']
    assert len(lines) == 2 and '49 more refused' in lines[1].getMessage()
    assert all(r.levelno == logging.WARNING for r in lines)


# -- the hub: stored once, told to every instance -------------------------------------------------------------------

@pytest.fixture
def engine(tmp_path):
    engine = create_db(f'sqlite:///{tmp_path / "pairpad.db"}')
    yield engine
    engine.dispose()


async def test_a_fact_is_stored_and_reaches_listeners_on_every_instance(engine):
    interview = create_interview(engine, title='T', language='python', initial_update=initial_update('python'))
    hub = MemoryHub()
    at = datetime(2026, 11, 30, 14, 2, tzinfo=timezone.utc)
    here = SignalHub(engine, hub.relay('a'), is_participant=lambda i, p: p == 'cara', now=lambda: at)
    there = SignalHub(engine, hub.relay('b'))
    seen_here, seen_there = [], []
    here.subscribe(interview.id, seen_here.append)
    unsubscribe = there.subscribe(interview.id, seen_there.append)
    await here.record(interview.id, 'cara', Fact('paste', characters=120, lines=43))
    await there.idle()
    for seen in (seen_here, seen_there):
        assert seen == [{'cara': Counts(pastes=1, pasted_lines=43)}]
    [stored] = list_signals(engine, interview.id)
    assert (stored.kind, stored.lines, stored.participant_id) == ('paste', 43, 'cara')
    with pytest.raises(SignalRefused, match='not in interview'):
        await here.record(interview.id, 'mallory', Fact('away', seconds=3))
    assert len(list_signals(engine, interview.id)) == 1
    unsubscribe()
    await here.record(interview.id, 'cara', Fact('away', seconds=3.0))
    await there.idle()
    assert len(seen_there) == 1 and seen_here[-1]['cara'].away_seconds == 3.0


async def test_a_foreign_message_on_the_signals_channel_is_dropped(engine, caplog):
    hub = MemoryHub()
    there = SignalHub(engine, hub.relay('b'))
    seen = []
    there.subscribe('iv1', seen.append)
    with caplog.at_level(logging.WARNING):
        hub.relay('x').publish('signals:iv1', Kind.PRESENCE, b'{"changed": "another"}')
        hub.relay('y').publish('signals:iv1', Kind.RUN, b'not json')
    await there.idle()
    assert seen == [] and caplog.text.count('dropped a signals message') == 2


# -- what the chip says -------------------------------------------------------------------------------------------

def test_the_chip_sums_each_participant_s_signals():
    class S:
        def __init__(self, participant_id, kind, lines=0, seconds=0.0):
            self.participant_id, self.kind, self.lines, self.seconds = participant_id, kind, lines, seconds
    counts = totals([S('c', 'paste', lines=40), S('c', 'paste', lines=3), S('c', 'away', seconds=50),
                     S('c', 'away', seconds=25), S('i', 'run')])
    assert counts['c'] == Counts(pastes=2, pasted_lines=43, away=2, away_seconds=75)
    assert chip_text(counts['c']) == '2 pastes · 1 min away'
    assert chip_text(Counts(pastes=1)) == '1 paste' and chip_text(Counts(away=1, away_seconds=3.2)) == '3 s away'
    assert chip_text(counts['i']) == ''
    assert [duration(s) for s in (0, 59.4, 61, 3599, 3600 * 2 + 300)] == ['0 s', '59 s', '1 min', '1 h',
                                                                           '2 h 5 min']
