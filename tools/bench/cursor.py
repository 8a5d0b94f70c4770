"""Cursor validation on a 65 KB document, before and after the line index, in the same run (issue 17, target 5).

    python -m tools.bench.cursor [--events 3000] [--keystrokes 3000] [--json FILE]

The document is the final text of the `rustcode` trace (65,218 bytes, 1,707 lines) in a collab.Room loaded from
the trace's 36,981 updates. One PresenceService takes cursor events at seeded random valid positions, checked
*before* as main.py did until now (`room.text`: the whole Text converted to a `str` and split per
event, presence/cursor.py SplitLines) and *after* against the room's collab.line_index.LineIndex, once with no
edit between the events (the lines read once) and once with an edit before every event (read again each time:
the worst case); the variants run in alternating rounds so that the machine's load falls on all alike. Reported:
per event, the check alone (`parse_cursor`) and the whole `update_participant`, before and after, each with and
without an edit before every event; and what keeping the index adds
to a keystroke (the same one-character updates received by a room whose index was asked and by one whose index
never was). And a cursor event's cost in rooms of 10, 50 and 200 tabs, with every tab's two presence subscribers
called for a cursor move (before) or not (now: presence/service.py `subscribe(cursors=False)`).
"""

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from pycrdt import Text

from collab import Limits, Room, initial_update, protocol
from collab.client import ProtocolClient
from collab.document import CODE
from presence import PresenceService
from presence.cursor import SplitLines, parse_cursor
from store import create_db, create_interview

from . import traces

ROUNDS = 10


def _room(trace: traces.Trace, room_id: str) -> Room:
    room = Room(room_id, limits=Limits(message_rate=1e9, message_burst=1e9))  # one writer, as fast as it goes
    room.load(trace.updates)
    assert room.text == trace.end
    return room


def _positions(text: str, count: int, rng: random.Random) -> list[tuple[int, int]]:
    """Valid carets, on any line but the last (the edits of the "changed" variant append to the last line)."""
    lines = text.split('\n')
    picks = [rng.randrange(len(lines) - 1) for _ in range(count)]
    return [(i + 1, rng.randint(1, len(lines[i].encode('utf-16-le')) // 2 + 1)) for i in picks]


def _per_call_us(call, positions, before_each=None) -> float:
    """Microseconds per call, timing only `call` (not `before_each`, an edit of the document)."""
    total = 0.0
    for position in positions:
        if before_each is not None:
            before_each()
        started = time.perf_counter()
        call(position)
        total += time.perf_counter() - started
    return total / len(positions) * 1e6


def cursor_events(room: Room, events: int, work: Path) -> dict:
    """Microseconds per cursor event, the check alone and the whole presence update: before (the text split per
    event), after with no edit between events (the lines already read), after with an edit before every event
    (the lines read again each time: the worst case)."""
    engine = create_db(f'sqlite:///{work / "cursor.db"}')
    interview = create_interview(engine, title='cursor bench', language='rust',
                                 initial_update=initial_update('rust'))
    service = PresenceService(engine)
    person, _ = service.join(interview.id, name='Ada', role='candidate')
    positions = _positions(room.text, events, random.Random(17))
    end = len(room.text.encode())

    def edit() -> None:  # one character at the very end, as the server's own change (origin SERVER)
        nonlocal end
        room.write(lambda doc: doc.get(CODE, type=Text).insert(end, 'x'))
        end += 1

    split = lambda _: SplitLines(room.text)  # noqa: E731
    variants = {'before_unchanged': (split, None), 'after_unchanged': (lambda _: room.lines, None),
                'before_changed': (split, edit), 'after_changed': (lambda _: room.lines, edit)}
    figures: dict[str, dict[str, list[float]]] = {name: {'check_us': [], 'update_us': []} for name in variants}
    chunk = max(1, events // ROUNDS)
    for r in range(ROUNDS):  # alternating rounds: the machine's load falls on every variant alike
        batch = positions[r * chunk:(r + 1) * chunk]
        for name, (view, before_each) in variants.items():
            service.lines = view
            figures[name]['check_us'].append(
                _per_call_us(lambda p: parse_cursor(p, view(interview.id)), batch, before_each))
            figures[name]['update_us'].append(_per_call_us(
                lambda p: service.update_participant(interview.id, person.id, cursor=p), batch, before_each))
    return {name: {k: round(statistics.median(v), 2) for k, v in f.items()} for name, f in figures.items()}


def subscribers_cost(room: Room, work: Path, tabs: list[int], events: int) -> dict:
    """Microseconds per cursor event in a room of N tabs, each subscribed twice as a page is (its chips, its
    session): every subscriber called for a cursor move (`cursors=True`, as before) or none (the default now)."""
    engine = create_db(f'sqlite:///{work / "subscribers.db"}')
    result: dict[str, dict[str, float]] = {}
    positions = _positions(room.text, events, random.Random(3))
    for n in tabs:
        interview = create_interview(engine, title=f'{n} tabs', language='rust', initial_update=initial_update('rust'))
        service = PresenceService(engine, lines=lambda _: room.lines)
        person, _ = service.join(interview.id, name='Ada', role='candidate')
        shown: dict[str, tuple] = {}

        def chip(view) -> None:  # what ParticipantList.show does with a view that changes nothing on the chip
            if shown.get(view.id) == (view.name, view.color, view.role, view.status, view.is_typing):
                return
            shown[view.id] = (view.name, view.color, view.role, view.status, view.is_typing)
        figures = {}
        for name, cursors in (('all_notified', True), ('cursor_subscribers_only', False)):
            stops = [service.subscribe(interview.id, chip, cursors=cursors) for _ in range(2 * n)]
            figures[name] = round(_per_call_us(
                lambda p: service.update_participant(interview.id, person.id, cursor=p), positions), 1)
            for stop in stops:
                stop()
        result[str(n)] = figures
    return result


def keystroke_cost(trace: traces.Trace, keystrokes: int) -> dict:
    """Microseconds per one-character update received by a room whose line index was asked (so each change
    drops its lines), and by one whose index never was: what keeping the index adds to a keystroke."""
    rooms = {'index_asked': _room(trace, 'asked'), 'index_never_asked': _room(trace, 'never')}
    len(rooms['index_asked'].lines)
    writer = ProtocolClient(lambda _: None)
    writer.doc.apply_update(rooms['index_never_asked'].doc.get_update())
    rng = random.Random(5)
    messages: list[bytes] = []
    # A transaction's own update, as a browser's Y.Doc emits it (`get_update(state)` would carry the whole
    # history's delete set every time)
    subscription = writer.doc.observe(lambda event: messages.append(protocol.update(event.update)))
    for _ in range(keystrokes):
        writer.insert(rng.randint(0, len(writer.text)), rng.choice('ab\n😊'))
    writer.doc.unobserve(subscription)
    result = {}
    for name, room in rooms.items():
        room.connect('writer', lambda _: None)
        room.receive('writer', protocol.sync_step1(room.doc.get_state()))
        started = time.perf_counter()
        for message in messages:
            room.receive('writer', message)
        result[name] = round((time.perf_counter() - started) / len(messages) * 1e6, 2)
        assert room.text == writer.text
    assert rooms['index_asked'].lines.lines() == writer.text.split('\n')
    return result


def main(args: argparse.Namespace) -> dict:
    load_start = [round(x, 2) for x in os.getloadavg()]
    trace = traces.load('rustcode')
    with tempfile.TemporaryDirectory(prefix='pairpad-cursor-') as work:
        room = _room(trace, 'cursor')
        events = cursor_events(room, args.events, Path(work))
        subscribers = subscribers_cost(room, Path(work), [10, 50, 200], args.events // 3)
    keystroke = keystroke_cost(trace, args.keystrokes)
    ratios = {f'{kind}_ratio_{when}': round(events[f'before_{when}'][f'{kind}_us']
                                            / events[f'after_{when}'][f'{kind}_us'], 2)
              for kind in ('check', 'update') for when in ('unchanged', 'changed')}
    return {'document_bytes': len(trace.end.encode()), 'document_lines': trace.end.count('\n') + 1,
            'events': args.events, 'cursor_event_us': events, **ratios,
            'cursor_event_us_by_tabs': subscribers, 'keystroke_us': keystroke, 'load_average_start': load_start,
            'load_average_end': [round(x, 2) for x in os.getloadavg()]}


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--events', type=int, default=3000, help='cursor events per variant')
    parser.add_argument('--keystrokes', type=int, default=3000, help='one-character updates per room')
    parser.add_argument('--json', help='write the figures here too')
    arguments = parser.parse_args()
    text = json.dumps(main(arguments), indent=1)
    if arguments.json:
        Path(arguments.json).write_text(text)
    print(text)
