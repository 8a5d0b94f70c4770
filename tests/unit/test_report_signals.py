"""The report's section on integrity signals (pages/report_signals.py): facts with their times, per person, in time
order; every name and detail escaped; no verdict."""

import re
from datetime import datetime, timezone
from types import SimpleNamespace as Row

from pages.report_signals import fact, signals_section

HOSTILE = '<script>alert("x")</script>&<b>'


def _at(hour: int, minute: int, second: int = 0, aware: bool = True) -> datetime:
    at = datetime(2026, 11, 30, hour, minute, second, tzinfo=timezone.utc)
    return at if aware else at.replace(tzinfo=None)  # SQLite gives stored times back without their zone


def _signal(participant_id, kind, at, characters=0, lines=0, seconds=0.0, detail=''):
    return Row(participant_id=participant_id, kind=kind, at=at, characters=characters, lines=lines, seconds=seconds,
               detail=detail)


PEOPLE = [Row(id='c1', name='Cara'), Row(id='i1', name=HOSTILE)]


def test_facts_are_worded_as_facts_with_their_times():
    html = signals_section(
        [_signal('c1', 'paste', _at(14, 2), characters=1204, lines=43),
         _signal('c1', 'away', _at(14, 5, aware=False), seconds=3.2),
         _signal('c1', 'away', _at(14, 9), seconds=75)],
        PEOPLE,
        runs=[Row(started_at=_at(14, 6), started_by='Cara', language='python')],
        test_runs=[Row(started_at=_at(14, 7), started_by='Cara', passed=3, total=5)])
    items = re.findall(r'<li data-kind="signal">(.*?)</li>', html)
    assert items == ['<strong>Cara</strong> pasted 43 lines (1,204 characters) at 14:02:00 UTC',
                     '<strong>Cara</strong> away from the tab 3 s at 14:05:00 UTC',
                     '<strong>Cara</strong> ran the code (python) at 14:06:00 UTC',
                     '<strong>Cara</strong> ran the tests (3 of 5 passed) at 14:07:00 UTC',
                     '<strong>Cara</strong> away from the tab 1 min at 14:09:00 UTC']
    assert '<li>Cara: 1 paste (43 lines), 2 times away from the tab (1 min)</li>' in html
    for verdict in ('cheat', 'suspicious', 'integrity score', 'risk', 'flag'):
        assert verdict not in html.lower()


def test_every_name_is_escaped():
    html = signals_section([_signal('i1', 'paste', _at(9, 0), characters=1, lines=1)], PEOPLE,
                           runs=[Row(started_at=_at(9, 1), started_by=HOSTILE, language='<i>x</i>')],
                           test_runs=[Row(started_at=_at(9, 2), started_by=HOSTILE, passed=0, total=1)])
    assert '<script>' not in html and '<i>x</i>' not in html and HOSTILE not in html
    assert html.count('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&lt;b&gt;') == 4  # 3 facts + summary
    assert '&lt;i&gt;x&lt;/i&gt;' in html


def test_a_participant_who_left_and_an_interview_without_signals():
    html = signals_section([_signal('gone', 'away', _at(10, 0), seconds=12)], PEOPLE)
    assert '<strong>someone who left</strong> away from the tab 12 s' in html
    empty = signals_section([], PEOPLE)
    assert '<h2>Signals</h2>' in empty and 'No pastes, no time away from the tab, no runs.' in empty


def test_one_line_and_one_character_are_singular():
    assert fact(_signal('c1', 'paste', _at(9, 0), characters=1, lines=1)) == 'pasted 1 line (1 character)'
