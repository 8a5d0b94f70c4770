"""The interview report, one self-contained HTML file: title, participants with join and leave times, the final
code, every run with its output, and the interviewers' notes. Interviewers only (the page offers it only to
them, and it is built from the notes document a candidate never receives)."""

import html
from datetime import datetime, timezone

import markdown2
from nicegui import ui

from store import get_interview, list_runs, notes_room_id, run_output

from .services import Services, file_stem

CSS = '''
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1e293b; }
h1 { margin-bottom: 0; } .meta { color: #64748b; margin-top: .25rem; }
table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #cbd5e1; padding: .3rem .5rem; }
th { background: #f1f5f9; text-align: left; } pre { background: #0f172a; color: #e2e8f0; padding: 1rem;
border-radius: .4rem; overflow-x: auto; white-space: pre-wrap; } .stderr { color: #fca5a5; }
.dot { display: inline-block; width: .7rem; height: .7rem; border-radius: 50%; margin-right: .3rem; }
.notes { border-left: 4px solid #f59e0b; padding-left: 1rem; }
'''


def build_report(*, title: str, created_at: datetime, ended_at: datetime | None, language: str, code: str,
                 participants, runs, notes: str, generated_at: datetime) -> str:
    """The report as HTML; every value from users is escaped (notes: Markdown with raw HTML escaped)."""
    e = html.escape
    people = ''.join(
        f'<tr><td><span class="dot" style="background:{e(p.color)}"></span>{e(p.name)}</td><td>{e(p.role)}</td>'
        f'<td>{_time(p.joined_at)}</td><td>{_time(p.last_seen_at) if p.status == "offline" else "still here"}'
        f'</td></tr>' for p in participants)
    run_blocks = ''.join(
        f'<h3>{_time(r.started_at)} · {e(r.started_by)} ran {e(r.language)}</h3><p>{e(r.summary)}</p><pre>'
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
<h2>Interviewer notes</h2>
<div class="notes">{notes_html}</div>
</body></html>
'''


async def download_report(services: Services, interview_id: str) -> None:
    interview = get_interview(services.engine, interview_id)
    if interview is None:
        ui.notify('This interview no longer exists.', type='negative')
        return
    room = await services.rooms.get(interview_id)
    notes = await services.rooms.get(notes_room_id(interview_id))
    report = build_report(title=interview.title, created_at=interview.created_at, ended_at=interview.ended_at,
                          language=room.language or interview.language, code=room.text,
                          participants=services.presence.participants(interview_id),
                          runs=list_runs(services.engine, interview_id), notes=notes.text,
                          generated_at=datetime.now(timezone.utc))
    ui.download.content(report.encode(), f'{file_stem(interview.title)}-report.html', 'text/html; charset=utf-8')


def _time(at: datetime | None) -> str:
    if at is None:
        return '—'
    at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
    return at.strftime('%Y-%m-%d %H:%M:%S UTC')
