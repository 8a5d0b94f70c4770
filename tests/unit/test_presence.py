"""update_participant: the only writer of presence — validation, coalesced writes, notification; and the sweeper
that turns silent tabs offline, on a clock the tests move by hand (no sleeps)."""

import pytest
from pycrdt import Text

from collab import Room, initial_update
from collab.document import CODE
from presence import PALETTE, Forbidden, NotFound, PresenceError, PresenceService
from presence.cursor import split_lines_of
from store import create_db, create_interview, delete_interview, list_participants
from store.participants import PRESENCE_FIELDS


class Clock:
    """Monotonic seconds that pass only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


def stored_last_seen(engine, iid) -> dict:
    """participant id -> its stored last_seen_at (naive: SQLite hands times back without their zone)"""
    return {row.id: row.last_seen_at.replace(tzinfo=None) for row in list_participants(engine, iid)}


@pytest.fixture(params=['room', 'text'])
def setup(request, tmp_path, clock):
    """The same service twice: cursors checked against a loaded room's line index (as main.py wires it), and
    against the whole text split per cursor (`split_lines_of`, as before the index): the same answers."""
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    update = initial_update('plaintext', 'line one\nline 😊\n')
    interview = create_interview(engine, title='T', language='plaintext', initial_update=update)
    if request.param == 'room':
        room = Room(interview.id)
        room.load([update])
        rooms = {interview.id: room}
        service = PresenceService(engine, lines=lambda iid: (r := rooms.get(iid)) and r.lines, offline_after=3.5,
                                  away_offline_after=90, clock=clock)
    else:
        texts = {interview.id: 'line one\nline 😊\n'}
        service = PresenceService(engine, lines=split_lines_of(texts.get), offline_after=3.5, away_offline_after=90,
                                  clock=clock)
    return service, interview.id, engine


def test_join_assigns_distinct_colours_and_returns_a_token(setup):
    service, iid, _ = setup
    people = [service.join(iid, name=f'P{i}', role='candidate') for i in range(12)]
    assert sorted(p.color for p, _ in people) == sorted(PALETTE)
    first, token = people[0]
    assert service.authenticate(iid, first.id, token).name == 'P0'
    with pytest.raises(Forbidden):
        service.authenticate(iid, first.id, people[1][1])


@pytest.mark.parametrize('name, error', [
    ('', 'enter a display name'), ('   ', 'enter a display name'), ('x' * 10_000, 'at most 40'),
    (None, 'must be a string'), (42, 'must be a string'),
])
def test_bad_names_are_refused(setup, name, error):
    service, iid, _ = setup
    with pytest.raises(PresenceError, match=error):
        service.join(iid, name=name, role='candidate')
    assert service.participants(iid) == []


def test_hostile_name_is_kept_as_plain_text(setup):
    service, iid, _ = setup
    p, _ = service.join(iid, name='<script>alert(1)</script>\x00\n', role='interviewer')
    assert p.name == '<script>alert(1)</script>'


def test_valid_updates_are_applied_and_notified(setup):
    service, iid, _ = setup
    seen = []
    service.subscribe(iid, seen.append)
    p, _ = service.join(iid, name='Ada', role='interviewer')
    updated = service.update_participant(iid, p.id, cursor={'line': 2, 'column': 7}, is_typing=True, status='away')
    assert (updated.cursor.line, updated.cursor.column, updated.is_typing, updated.status) == (2, 7, True, 'away')
    assert [v.status for v in seen] == ['online', 'away'] and seen[-1].cursor.column == 7


@pytest.mark.parametrize('changes, error', [
    ({'cursor': {'line': 0, 'column': 1}}, 'between 1 and'),
    ({'cursor': {'line': -3, 'column': 1}}, 'between 1 and'),
    ({'cursor': {'line': '2', 'column': 1}}, 'must be an integer'),
    ({'cursor': {'line': 1.5, 'column': 1}}, 'must be an integer'),
    ({'cursor': {'line': True, 'column': 1}}, 'must be an integer'),
    ({'cursor': {'line': 3, 'column': 2}}, 'outside line 3'),
    ({'cursor': {'line': 4, 'column': 1}}, 'outside the document'),
    ({'cursor': {'line': 2, 'column': 9}}, 'outside line 2'),  # "line 😊" is 7 UTF-16 units: column 8 max
    ({'cursor': 'top'}, 'must be {line, column}'),
    ({'is_typing': 'yes'}, 'true or false'),
    ({'status': 'sleeping'}, 'status must be one of'),
])
def test_invalid_values_are_refused_and_change_nothing(setup, changes, error):
    service, iid, _ = setup
    p, _ = service.join(iid, name='Ada', role='candidate')
    seen = []
    service.subscribe(iid, seen.append)
    with pytest.raises(PresenceError, match=error):
        service.update_participant(iid, p.id, **changes)
    assert service.participant(iid, p.id) == p
    assert seen == []


def test_column_at_the_end_of_a_line_with_an_emoji_is_valid(setup):
    service, iid, _ = setup
    p, _ = service.join(iid, name='Ada', role='candidate')
    assert service.update_participant(iid, p.id, cursor=(2, 8)).cursor.column == 8


def test_a_cursor_is_checked_against_the_code_as_it_is_now(tmp_path):
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    update = initial_update('plaintext', 'one\n')
    interview = create_interview(engine, title='T', language='plaintext', initial_update=update)
    room = Room(interview.id)
    room.load([update])
    loaded = {}
    service = PresenceService(engine, lines=lambda iid: (r := loaded.get(iid)) and r.lines)
    p, _ = service.join(interview.id, name='Ada', role='candidate')
    assert service.update_participant(interview.id, p.id, cursor=(40, 9)).cursor.line == 40  # not loaded: no check
    loaded[interview.id] = room
    with pytest.raises(PresenceError, match=r'cursor line 40 is outside the document \(2 lines\)'):
        service.update_participant(interview.id, p.id, cursor=(40, 9))
    room.write(lambda doc: doc.get(CODE, type=Text).insert(4, 'two 😊\n' * 39))  # the server's own change, like a peer's
    assert service.update_participant(interview.id, p.id, cursor=(40, 1)).cursor.line == 40
    assert service.update_participant(interview.id, p.id, cursor=(39, 7)).cursor.column == 7
    with pytest.raises(PresenceError, match=r'cursor column 8 is outside line 39 \(6 characters\)'):
        service.update_participant(interview.id, p.id, cursor=(39, 8))


def test_unknown_ids_are_not_found(setup):
    service, iid, _ = setup
    with pytest.raises(NotFound):
        service.update_participant(iid, 'nobody', status='online')
    with pytest.raises(NotFound):
        service.update_participant('no-interview', 'nobody', status='online')


async def test_a_cursor_storm_is_a_few_coalesced_writes_and_the_last_position_is_stored(setup):
    service, iid, engine = setup
    p, _ = service.join(iid, name='Ada', role='candidate')
    writes_before = service.writes
    for column in range(1, 9):
        for _ in range(50):
            service.update_participant(iid, p.id, cursor=(1, column))
    await service.flush()
    assert service.writes - writes_before == 1
    stored = list_participants(engine, iid)[0]
    assert (stored.cursor_line, stored.cursor_column) == (1, 8)


async def test_one_write_stores_every_presence_field_of_many_people_and_never_recreates_a_deleted_one(setup):
    service, iid, engine = setup
    people = [service.join(iid, name=f'P{i}', role='candidate')[0] for i in range(5)]
    for i, p in enumerate(people):
        service.update_participant(iid, p.id, cursor=(2, i + 1), is_typing=i % 2 == 0,
                                   status='away' if i == 4 else 'online')
    writes_before = service.writes
    await service.flush()
    assert service.writes - writes_before == 1
    stored = {p.id: p for p in list_participants(engine, iid)}
    for i, p in enumerate(people):
        row, live = stored[p.id], service.participant(iid, p.id)
        assert (row.cursor_line, row.cursor_column, row.is_typing, row.status) == (2, i + 1, i % 2 == 0, live.status)
        assert row.name == f'P{i}' and row.last_seen_at.replace(tzinfo=None) == live.last_seen_at.replace(tzinfo=None)
    other = create_interview(engine, title='U', language='plaintext', initial_update=initial_update('plaintext'))
    gone, _ = service.join(other.id, name='Gone', role='candidate')
    service.update_participant(other.id, gone.id, status='away')
    delete_interview(engine, other.id)  # its rows go while the presence writer still holds the change
    await service.flush()
    assert list_participants(engine, other.id) == []


async def test_silent_participants_turn_offline_and_hidden_ones_later(setup, clock):
    service, iid, _ = setup
    quiet, _ = service.join(iid, name='Quiet', role='candidate')
    hidden, _ = service.join(iid, name='Hidden', role='candidate')
    alive, _ = service.join(iid, name='Alive', role='candidate')
    service.update_participant(iid, hidden.id, status='away')
    clock.advance(3.5)
    await service.sweep()  # exactly at the limit: not yet
    assert service.participant(iid, quiet.id).status == 'online'
    clock.advance(0.1)
    service.update_participant(iid, alive.id)  # a heartbeat
    await service.sweep()
    assert service.participant(iid, quiet.id).status == 'offline'
    assert service.participant(iid, hidden.id).status == 'away'
    assert service.participant(iid, alive.id).status == 'online'
    clock.advance(90 - 3.6 + 0.1)
    await service.sweep()
    assert service.participant(iid, hidden.id).status == 'offline'
    assert service.participant(iid, alive.id).status == 'offline'


async def test_an_edit_keeps_a_typing_participant_online_without_heartbeats_and_changes_nothing_seen(setup, clock):
    """`heard` (an edit arrived from the tab) is a heartbeat that notifies nobody and writes nothing; it does not
    bring back someone the sweeper already turned offline (their tab's reconnect does)."""
    service, iid, _ = setup
    typist, _ = service.join(iid, name='Typist', role='candidate')
    gone, _ = service.join(iid, name='Gone', role='candidate')
    seen = []
    service.subscribe(iid, seen.append, cursors=True)
    await service.flush()
    writes_before = service.writes
    for _ in range(10):  # ten seconds of typing, an edit every half second, no heartbeat
        clock.advance(0.5)
        service.heard(iid, typist.id)
        await service.sweep()
    assert service.participant(iid, typist.id).status == 'online'
    assert service.participant(iid, gone.id).status == 'offline'
    assert [p.id for p in seen] == [gone.id]  # the sweep's change of Gone, nothing of the typist
    await service.flush()
    assert service.writes - writes_before == 1  # Gone's offline row only
    service.heard(iid, gone.id)
    clock.advance(0.1)
    await service.sweep()
    assert service.participant(iid, gone.id).status == 'offline'


async def test_a_heartbeat_alone_is_written_at_most_every_thirty_seconds_and_a_change_at_once(setup, clock):
    service, iid, engine = setup
    p, _ = service.join(iid, name='Ada', role='candidate')
    service.update_participant(iid, p.id, status='online')
    await service.flush()
    first = stored_last_seen(engine, iid)[p.id]
    writes_before = service.writes
    for _ in range(29):  # a heartbeat a second
        clock.advance(1)
        service.update_participant(iid, p.id)
        await service.flush()
    assert service.writes == writes_before
    assert stored_last_seen(engine, iid)[p.id] == first
    clock.advance(1)
    service.update_participant(iid, p.id)
    await service.flush()
    assert service.writes == writes_before + 1
    assert stored_last_seen(engine, iid)[p.id] > first
    clock.advance(1)
    service.update_participant(iid, p.id, is_typing=True)  # a change: written whatever the time
    await service.flush()
    assert service.writes == writes_before + 2
    assert list_participants(engine, iid)[0].is_typing is True


def test_participants_of_a_restarted_server_start_offline(setup):
    service, iid, engine = setup
    p, _ = service.join(iid, name='Ada', role='candidate')
    restarted = PresenceService(engine)
    assert restarted.participant(iid, p.id).status == 'offline'


@pytest.mark.allow_error_log('presence subscriber failed')  # a subscriber's bug is a server fault: ERROR is right
def test_a_failing_subscriber_does_not_stop_the_others(setup):
    service, iid, _ = setup
    seen = []
    service.subscribe(iid, lambda _: 1 / 0)
    service.subscribe(iid, seen.append)
    service.join(iid, name='Ada', role='candidate')
    assert len(seen) == 1


async def test_what_is_stored_does_not_depend_on_the_order_of_the_presence_fields(setup, monkeypatch):
    service, iid, engine = setup
    p, _ = service.join(iid, name='Ada', role='candidate')
    service.update_participant(iid, p.id, cursor=(2, 3), is_typing=True, status='away')
    monkeypatch.setattr('presence.service.PRESENCE_FIELDS', tuple(reversed(PRESENCE_FIELDS)))
    await service.flush()
    row = list_participants(engine, iid)[0]
    assert (row.status, row.is_typing, row.cursor_line, row.cursor_column) == ('away', True, 2, 3)


def test_a_cursor_move_alone_reaches_only_the_subscribers_that_ask_for_cursors(setup):
    """Every tab subscribes twice (its chips, its session): a room of N tabs ran 2 N callbacks per cursor event that
    changed nothing on any page."""
    service, iid, _ = setup
    p, _ = service.join(iid, name='Ada', role='candidate')
    tabs = [[] for _ in range(50)]
    unsubscribers = [service.subscribe(iid, seen.append) for seen in tabs]
    cursors = []
    stop_cursors = service.subscribe(iid, cursors.append, cursors=True)
    for column in range(1, 8):
        service.update_participant(iid, p.id, cursor=(1, column))
    assert all(seen == [] for seen in tabs) and [v.cursor.column for v in cursors] == list(range(1, 8))
    service.update_participant(iid, p.id, cursor=(2, 1), is_typing=True)  # more than the cursor: everybody hears
    assert all(len(seen) == 1 and seen[0].is_typing for seen in tabs) and len(cursors) == 8
    for unsubscribe in unsubscribers + [stop_cursors]:
        unsubscribe()
    service.update_participant(iid, p.id, status='away')
    assert all(len(seen) == 1 for seen in tabs) and len(cursors) == 8
