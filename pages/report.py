"""The interview report, one self-contained HTML file: title, participants with join and leave times, the final
code, every run with its output, every Run tests with each case's result (hidden cases too), the scorecards and
the interviewers' notes. Interviewers and team members only (the room offers it only to interviewers, the
dashboard to members; it is built from documents a candidate never receives).

The scorecards follow the rule of the room (questions.scorecards.visible_scorecards): an interviewer who has not
submitted their own gets a report without the others', only how many there are."""

import asyncio
import html
import json
from datetime import datetime, timezone

import markdown2
from nicegui import ui

from questions.scorecards import Role, Visible, recommendation_label, visible_scorecards
from store import get_interview, list_runs, list_scorecards, list_signals, list_test_runs, notes_room_id, run_output

from .report_signals import signals_section
from .scorecard_panel import ratings_of, tab_author
from .services import Services, file_stem

CSS = '''
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1e293b; }
h1 { margin-bottom: 0; } .meta { color: #64748b; margin-top: .25rem; }
table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #cbd5e1; padding: .3rem .5rem; }
th { background: #f1f5f9; text-align: left; } pre { background: #0f172a; color: #e2e8f0; padding: 1rem;
border-radius: .4rem; overflow-x: auto; white-space: pre-wrap; } .stderr { color: #fca5a5; }
.dot { display: inline-block; width: .7rem; height: .7rem; border-radius: 50%; margin-right: .3rem; }
.notes { border-left: 4px solid #f59e0b; padding-left: 1rem; }
.pass { color: #15803d; } .fail { color: #b91c1c; } .summary { white-space: pre-wrap; }
.scorecard { border-left: 4px solid #6366f1; padding-left: 1rem; margin-bottom: 1.5rem; }
'''


def build_report(*, title: str, created_at: datetime, ended_at: datetime | None, language: str, code: str,
                 participants, runs, notes: str, generated_at: datetime, test_runs=(),
                 scorecards: Visible = Visible([], 0), signals=()) -> str:
    """The report as HTML; every value from users is escaped (notes: Markdown with raw HTML escaped).

    :param test_runs: store TestRunRow-likes, their results the interviewer's view (hidden cases included)
    :param scorecards: what the reader may see of the scorecards (visible_scorecards)
    :param signals: store Signal rows (pastes, time away), told as facts beside the runs (pages/report_signals.py)
    """
    e = html.escape
    people = ''.join(
        f'<tr><td><span class="dot" style="background:{e(p.color)}"></span>{e(p.name)}</td><td>{e(p.role)}</td>'
        f'<td>{_time(p.joined_at)}</td><td>{_time(p.last_seen_at) if p.status == "offline" else "still here"}'
        f'</td></tr>' for p in participants)
    run_blocks = ''.join(
        f'<h3>{_time(r.started_at)} · {e(r.started_by)} ran {e(r.language)}</h3><p>{e(r.summary)}</p>'
        + (f'<p>stdin:</p><pre class="stdin">{e(r.stdin)}</pre>' if r.stdin else '') + '<pre>'
        + ''.join(f'<span class="{s}">{e(t)}</span>' for s, t in run_output(r)) + '</pre>'
        for r in runs) or '<p>No code was run.</p>'
    notes_html = markdown2.markdown(notes, safe_mode='escape', extras=['fenced-code-blocks', 'tables']) \
        if notes.strip() else '<p>No notes.</p>'
    state = f'ended {_time(ended_at)}' if ended_at else 'not ended'
    return f'''<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)} · interview report</title><style>{CSS}</style></head>
<body>
<h1>{e(title)}</h1>
<p class="meta">Interview created {_time(created_at)} · {state} · report generated {_time(generated_at)}</p>
<h2>Participants</h2>
<table><tr><th>Name</th><th>Role</th><th>Joined</th><th>Left</th></tr>{people}</table>
<h2>Final code ({e(language)})</h2>
<pre>{e(code)}</pre>
<h2>Runs</h2>
{run_blocks}
<h2>Test runs</h2>
{test_runs_html(test_runs)}
{signals_section(signals, participants, runs, test_runs)}
<h2>Scorecards</h2>
{scorecards_html(scorecards)}
<h2>Interviewer notes</h2>
<div class="notes">{notes_html}</div>
</body></html>
'''


async def download_report(services: Services, interview_id: str, *, reader_id: str | None = None,
                          role: Role = 'interviewer') -> None:
    """Build and send the report. The reader of the scorecards is `reader_id` in `role`, by default this tab's
    scorecard author in the room (pages/scorecard_panel.py; none before the tab joined: then an interviewer who has
    not submitted)."""
    reader_id = reader_id if reader_id is not None else tab_author()
    # the store's reads in a thread: a long interview's runs and signals must not hold up the rooms' event loop
    interview, runs, test_runs, signals, scorecards = await asyncio.to_thread(_stored, services.engine, interview_id)
    if interview is None:
        ui.notify('This interview no longer exists.', type='negative')
        return
    room = await services.rooms.get(interview_id)
    notes = await services.rooms.get(notes_room_id(interview_id))
    report = build_report(title=interview.title, created_at=interview.created_at, ended_at=interview.ended_at,
                          language=room.language or interview.language, code=room.text,
                          participants=services.presence.participants(interview_id),
                          runs=runs, notes=notes.text, generated_at=datetime.now(timezone.utc), test_runs=test_runs,
                          signals=signals, scorecards=visible_scorecards(scorecards, reader_id, role))
    ui.download.content(report.encode(), f'{file_stem(interview.title)}-report.html', 'text/html; charset=utf-8')


def _stored(engine, interview_id: str) -> tuple:
    """What the report reads from the store: the interview (None: gone), its runs, test runs, signals, scorecards."""
    interview = get_interview(engine, interview_id)
    if interview is None:
        return None, [], [], [], []
    return (interview, list_runs(engine, interview_id), list_test_runs(engine, interview_id),
            list_signals(engine, interview_id), list_scorecards(engine, interview_id))


def test_runs_html(test_runs) -> str:
    """Each Run tests with its cases, then how often each case passed over all of them."""
    e = html.escape
    blocks, tally = [], {}
    for run in test_runs:
        view = _results(run.results)
        cases = [c for c in view.get('cases', []) if isinstance(c, dict)]
        rows = ''.join(
            f'<tr><td>{e(str(c.get("name", "")))}{" (hidden)" if c.get("hidden") else ""}</td>'
            f'<td class="{"pass" if c.get("passed") else "fail"}">{"passed" if c.get("passed") else "failed"}</td>'
            f'<td>{e(str(c.get("reason", "")))}</td></tr>' for c in cases)
        score = f' · weighted score {float(view["score"]):.0%}' if isinstance(view.get('score'), (int, float)) else ''
        blocks.append(f'<h3>{_time(run.started_at)} · {e(run.started_by)} ran the tests in {e(run.language)}: '
                      f'{run.passed}/{run.total} passed{score}</h3>'
                      f'<table><tr><th>Case</th><th>Result</th><th>Why</th></tr>{rows}</table>')
        for c in cases:
            key = (str(c.get('name', '')), bool(c.get('hidden')))
            passed, total = tally.get(key, (0, 0))
            tally[key] = (passed + bool(c.get('passed')), total + 1)
    if not blocks:
        return '<p>The tests were not run.</p>'
    per_case = ''.join(f'<tr><td>{e(name)}{" (hidden)" if hidden else ""}</td><td>{passed} of {total}</td></tr>'
                       for (name, hidden), (passed, total) in tally.items())
    return ''.join(blocks) + ('<h3>Each case over all test runs</h3><table><tr><th>Case</th><th>Passed in</th></tr>'
                              f'{per_case}</table>')


def _results(text: str) -> dict:
    try:
        view = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return view if isinstance(view, dict) else {}


def scorecards_html(visible: Visible) -> str:
    e = html.escape
    blocks = []
    for card in visible.shown:
        state = f'submitted {_time(card.submitted_at)}' if card.submitted_at else 'draft, not submitted'
        rows = ''.join(f'<tr><td>{e(str(r.get("criterion", "")))}</td><td>{e(str(r.get("score") or "—"))}/4</td>'
                       f'<td class="summary">{e(str(r.get("comment", "")))}</td></tr>' for r in ratings_of(card))
        summary = f'<p class="summary">{e(card.summary)}</p>' if card.summary else ''
        verdict = recommendation_label(card.recommendation)
        blocks.append(f'<div class="scorecard"><h3>{e(card.author_name)}: {e(verdict)}'
                      f'</h3><p class="meta">{state}</p><table><tr><th>Criterion</th><th>Score</th><th>Comment</th>'
                      f'</tr>{rows}</table>{summary}</div>')
    if visible.withheld:
        blocks.append(f'<p>{visible.withheld} scorecard{"s" if visible.withheld != 1 else ""} of other interviewers '
                      f'{"are" if visible.withheld != 1 else "is"} in the report once you submit yours.</p>')
    return ''.join(blocks) or '<p>No scorecards yet.</p>'


def _time(at: datetime | None) -> str:
    if at is None:
        return '—'
    at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
    return at.strftime('%Y-%m-%d %H:%M:%S UTC')
