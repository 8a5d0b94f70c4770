"""The report's section on integrity signals: what happened, worded as facts ("pasted 43 lines at 14:02", "away from
the tab 3 s at 14:05", "ran the code at 14:06"), per participant, in time order; never a verdict or a score.

Pastes and time away are the stored signals (store.Signal, checked on the server: pages/signal_checks.py); runs
and test runs are read from their own rows (store runs and test runs), not stored twice, and are attributed by the
name they were started under. Every value that came from a person is escaped.
"""

import html
from datetime import datetime, timezone

from .signal_checks import duration


def when(at: datetime) -> str:
    """'14:02:07 UTC' (the stores keep UTC; SQLite gives it back without its zone)."""
    at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
    return at.astimezone(timezone.utc).strftime('%H:%M:%S UTC')


def fact(signal) -> str:
    """One stored signal as plain words, without its time: 'pasted 43 lines (1,204 characters)'."""
    if signal.kind == 'paste':
        lines = f'{signal.lines} line{"s" if signal.lines != 1 else ""}'
        return f'pasted {lines} ({signal.characters:,} character{"s" if signal.characters != 1 else ""})'
    if signal.kind == 'away':
        return f'away from the tab {duration(signal.seconds)}'
    if signal.kind == 'run':
        return 'ran the code'
    if signal.kind == 'test_run':
        return 'ran the tests'
    return str(signal.kind)


def _rows(signals, names: dict[str, str], runs, test_runs) -> list[tuple[datetime, str, str]]:
    """(time, who, what) for every fact, unescaped."""
    rows = [(_aware(s.at), names.get(s.participant_id, 'someone who left'), fact(s)) for s in signals]
    rows += [(_aware(r.started_at), r.started_by, f'ran the code ({r.language})') for r in runs]
    rows += [(_aware(t.started_at), t.started_by, f'ran the tests ({t.passed} of {t.total} passed)')
             for t in test_runs]
    return sorted(rows, key=lambda row: row[0])


def signals_section(signals, participants, runs=(), test_runs=()) -> str:
    """The report's "Signals" section as escaped HTML.

    :param signals: store.Signal rows of the interview (pastes, time away)
    :param participants: objects with `id` and `name` (presence views): who each signal's participant id is
    :param runs: store run rows (`started_at`, `started_by`, `language`)
    :param test_runs: store test-run rows (`started_at`, `started_by`, `passed`, `total`)
    """
    e = html.escape
    names = {getattr(p, 'id', None): p.name for p in participants}  # a report's fakes may have names only
    rows = _rows(signals, names, runs, test_runs)
    intro = ('<p><em>What the room recorded, as facts: pastes into the editor (their size as the server '
             'saw it), time away from the tab, runs. They are not a judgement.</em></p>')
    if not rows:
        return f'<h2>Signals</h2>\n{intro}\n<p>No pastes, no time away from the tab, no runs.</p>\n'
    items = ''.join(f'<li data-kind="signal"><strong>{e(who)}</strong> {e(what)} at {e(when(at))}</li>' for at, who, what in rows)
    summary = ''.join(f'<li>{e(name)}: {e(text)}</li>' for name, text in _per_person(signals, names))
    return (f'<h2>Signals</h2>\n{intro}\n' + (f'<ul data-part="per-person">{summary}</ul>\n' if summary else '')
            + f'<ul data-part="facts">{items}</ul>\n')


def _per_person(signals, names: dict[str, str]) -> list[tuple[str, str]]:
    """('Cara', '2 pastes (45 lines), 1 time away from the tab (1 min)') per participant with pastes or time away."""
    found: dict[str, list] = {}
    for s in signals:
        counts = found.setdefault(s.participant_id, [0, 0, 0, 0.0])
        if s.kind == 'paste':
            counts[0] += 1
            counts[1] += s.lines
        elif s.kind == 'away':
            counts[2] += 1
            counts[3] += s.seconds
    out = []
    for participant_id, (pastes, lines, away, seconds) in found.items():
        parts = []
        if pastes:
            parts.append(f'{pastes} paste{"s" if pastes != 1 else ""} ({lines} line{"s" if lines != 1 else ""})')
        if away:
            parts.append(f'{away} time{"s" if away != 1 else ""} away from the tab ({duration(seconds)})')
        if parts:
            out.append((names.get(participant_id, 'someone who left'), ', '.join(parts)))
    return out


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)
