"""Playback for interviewers: the whole history of the code replayed from the stored updates, on a timeline with
the runs and their output; play/pause at 1× to 32×, idle gaps jumped over, each change coloured by its author.

It replays into a Timeline of its own (collab/history.py), built from the store: the live document is never
touched. Automation hooks: `playback-dialog`, `playback-text` (with `data-step` and `data-steps`), `playback-slider`,
`playback-play`, `playback-speed`, `playback-skip-idle`, `playback-start`, `playback-end`, `playback-time`,
`playback-run` (one per run, with `data-run-id` and `data-reached`), `playback-run-output` (with
`playback-run-stdin`), `playback-stdin` (the stdin box at the playback's time), `playback-test-run` (one
per Run tests, with `data-run-id`, `data-passed`, `data-total` and `data-reached`; interviewers only see playback,
so the summary counts hidden cases too), `playback-signal` (one per paste or time away from the tab, with
`data-kind`, `data-signal-id`, `data-participant-id`, `data-lines`, `data-characters`, `data-seconds` and
`data-reached`; a click jumps to it). On the slider: ▶ a run, ✓ a Run tests, ⎘ a paste, ◌ time away.
"""

import asyncio
import bisect
import html
from datetime import datetime, timedelta, timezone

from nicegui import ui

from collab.history import Timeline
from store import SqlUpdateLog, list_runs, list_signals, list_test_runs, run_output

from .report_signals import fact
from .services import Services

SPEEDS = (1, 2, 4, 8, 16, 32)
IDLE_GAP = timedelta(seconds=3)  # with "skip idle", a longer pause in the typing is cut to this
TICK = 0.1
SERVER_COLOR = '#9ca3af'
SIGNAL_MARKS = {'paste': '⎘', 'away': '◌'}  # on the slider and before each signal's row


async def open_playback(services: Services, interview) -> None:
    await services.rooms.writer.flush()  # what was typed up to now is in the store
    entries = await asyncio.to_thread(SqlUpdateLog(services.engine).history, interview.id)
    timeline = await asyncio.to_thread(Timeline, entries)
    runs = await asyncio.to_thread(list_runs, services.engine, interview.id)
    test_runs = await asyncio.to_thread(list_test_runs, services.engine, interview.id)
    signals = await asyncio.to_thread(list_signals, services.engine, interview.id)
    for test in test_runs:  # SQLite gives the stored UTC time back without its zone
        test.started_at = test.started_at if test.started_at.tzinfo else test.started_at.replace(tzinfo=timezone.utc)
    for signal in signals:
        signal.at = signal.at if signal.at.tzinfo else signal.at.replace(tzinfo=timezone.utc)
    people = {p.id: p for p in services.presence.participants(interview.id)}
    with ui.dialog().props('maximized') as dialog, ui.card().classes('w-full h-full no-wrap') \
            .props('data-testid=playback-dialog'):
        Player(timeline, runs, people, interview.title, dialog.close, test_runs, signals)
    dialog.on('hide', dialog.delete)
    dialog.open()


class Player:
    def __init__(self, timeline: Timeline, runs, people: dict, title: str, close, test_runs=(), signals=()) -> None:
        self.timeline = timeline
        self.runs = runs
        self.test_runs = list(test_runs)
        self.signals = [s for s in signals if s.kind in SIGNAL_MARKS]
        self.people = people
        self.times = [step.at for step in timeline.steps]
        # The end of the timeline is the end of what was recorded, not the last edit: a run, a test run or a signal
        # after the last keystroke (the usual last Run) belongs to the end too.
        later = [r.started_at for r in runs] + [t.started_at for t in self.test_runs] + [s.at for s in self.signals]
        self.end_time: datetime | None = max(self.times[-1:] + later, default=None)
        self.step = len(timeline)  # opens on the final text
        self.clock: datetime | None = self.end_time
        self.playing = False
        self.speed = 4
        with ui.row().classes('w-full items-center gap-2'):
            ui.label(f'Playback · {title}').classes('text-lg font-semibold')
            ui.label('(the live code is not affected)').classes('text-sm text-gray-500')
            ui.space()
            ui.button(icon='close', on_click=close).props('flat round data-testid=playback-close aria-label="Close"')
        with ui.row().classes('w-full items-center gap-2'):
            for author in self._authors():
                name, color = self._who(author)
                ui.label(name).classes('px-2 rounded text-sm').style(f'border: 2px solid {color}')
        with ui.row().classes('w-full grow no-wrap gap-2'):
            self.text = ui.html('', sanitize=False).classes(
                'grow h-full overflow-auto border rounded p-2 font-mono text-sm whitespace-pre') \
                .props('data-testid=playback-text')
            self._side_panel(runs)
        self._controls(timeline)
        self.timer = ui.timer(TICK, self._tick, active=False)
        self.render()

    def _side_panel(self, runs) -> None:
        """The runs and test runs to jump to, the signals, and stdin and output at the moment shown."""
        with ui.column().classes('w-1/3 h-full no-wrap gap-1'):
            ui.label('Runs').classes('font-semibold')
            self.run_rows = []
            for run in runs:
                row = ui.button(f'{run.started_at:%H:%M:%S} · {run.started_by} · {run.language} · {run.summary}',
                                on_click=lambda r=run: self.seek_time(r.started_at)) \
                    .props(f'flat dense no-caps align=left data-testid=playback-run data-run-id={run.id}')
                self.run_rows.append((run, row))
            self.test_rows = []
            for test in self.test_runs:
                row = ui.button(f'{test.started_at:%H:%M:%S} · {test.started_by} · Run tests ({test.language})'
                                f' · {test.passed}/{test.total} passed',
                                on_click=lambda t=test: self.seek_time(t.started_at)) \
                    .props(f'flat dense no-caps align=left data-testid=playback-test-run data-run-id={test.id} '
                           f'data-passed={test.passed} data-total={test.total}')
                self.test_rows.append((test, row))
            if not runs and not self.test_runs:
                ui.label('No code was run.').classes('text-sm text-gray-500')
            self._signal_rows()
            ui.label('stdin at this point').classes('text-sm font-semibold')
            self.stdin = ui.label('').classes('w-full max-h-24 overflow-auto border rounded p-1 font-mono text-xs '
                                              'whitespace-pre-wrap').props('data-testid=playback-stdin')
            self.output = ui.html('', sanitize=False).classes(
                'w-full grow overflow-auto bg-slate-900 text-slate-100 font-mono text-xs p-2 rounded '
                'whitespace-pre-wrap').props('data-testid=playback-run-output')

    def _controls(self, timeline: Timeline) -> None:
        """Start, play or pause, end, speed, skip idle, and the slider with a mark where each run started."""
        with ui.row().classes('w-full items-center gap-2 no-wrap'):
            ui.button(icon='first_page', on_click=lambda: self.seek(0)) \
                .props('flat data-testid=playback-start aria-label="Go to the start"')
            self.play_button = ui.button(icon='play_arrow', on_click=self.toggle) \
                .props('data-testid=playback-play aria-label="Play or pause"')
            ui.button(icon='last_page', on_click=lambda: self.seek(len(self.timeline))) \
                .props('flat data-testid=playback-end aria-label="Go to the end"')
            ui.toggle({s: f'{s}×' for s in SPEEDS}, value=self.speed,
                      on_change=lambda e: setattr(self, 'speed', e.value)).props('dense data-testid=playback-speed')
            self.skip_idle = ui.checkbox('Skip idle', value=True).props('data-testid=playback-skip-idle')
            self.slider = ui.slider(min=0, max=max(1, len(timeline)), value=self.step,
                                    on_change=lambda e: self._slid(int(e.value))) \
                .props('label data-testid=playback-slider').classes('grow')
            self.slider._props['marker-labels'] = self._run_markers()  # a ▶ where each run started
            self.time = ui.label().classes('text-sm tabular-nums w-40').props('data-testid=playback-time')

    def toggle(self) -> None:
        if not self.playing and self.step >= len(self.timeline):
            self.seek(0)  # play from the start when at the end
        self.playing = not self.playing
        self.timer.active = self.playing
        self.play_button.props(f'icon={"pause" if self.playing else "play_arrow"}')

    def seek(self, step: int) -> None:
        self.step = max(0, min(step, len(self.timeline)))
        if self.step == len(self.timeline) and self.end_time is not None:
            self.clock = self.end_time
        else:
            self.clock = self.times[self.step - 1] if self.step else (self.times[0] - IDLE_GAP if self.times else None)
        self.render()

    def seek_time(self, at: datetime) -> None:
        self.seek(bisect.bisect_right(self.times, at))
        self.clock = at
        self.render()

    def _slid(self, step: int) -> None:
        if step != self.step:
            self.seek(step)

    def _tick(self) -> None:
        if self.clock is None or self.step >= len(self.timeline):
            self.clock = self.end_time  # what happened after the last keystroke shows when playing ends
            self.render()
            self.toggle()
            return
        self.clock += timedelta(seconds=TICK * self.speed)
        following = self.times[self.step]
        if self.skip_idle.value and following - self.clock > IDLE_GAP:
            self.clock = following - IDLE_GAP
        self.step = bisect.bisect_right(self.times, self.clock)
        self.render()

    def render(self) -> None:
        parts = []
        for text, author in self.timeline.segments_at(self.step):
            _, color = self._who(author)
            style = f'background: {color}33; border-bottom: 2px solid {color}' if author else ''
            parts.append(f'<span style="{style}">{html.escape(text)}</span>')
        self.text.set_content(''.join(parts))
        self.text.props(f'data-step={self.step} data-steps={len(self.timeline)}')
        self.slider.set_value(self.step)
        shown = self.clock.strftime('%H:%M:%S') if self.clock else '—'
        self.time.set_text(f'{shown} · {self.step}/{len(self.timeline)}')
        self.stdin.set_text(self.timeline.stdin_at_time(self.clock) if self.clock is not None else '')
        self._render_runs()

    def _render_runs(self) -> None:
        reached = [run for run in self.runs if self.clock is not None and run.started_at <= self.clock]
        for run, row in self.run_rows:
            row.props(f'data-reached={"true" if run in reached else "false"}')
            row.classes(replace='font-bold' if run in reached else '')
        for test, row in self.test_rows:
            at = self.clock is not None and test.started_at <= self.clock
            row.props(f'data-reached={"true" if at else "false"}')
        for signal, row in self.signal_rows:
            at = self.clock is not None and signal.at <= self.clock
            row.props(f'data-reached={"true" if at else "false"}')
        if reached:
            run = reached[-1]
            lines = [f'<span class="text-sky-300">▶ {html.escape(run.started_by)} ran {html.escape(run.language)}'
                     f'</span>\n']
            if run.stdin:
                lines.append(f'<span class="text-slate-400" data-testid=playback-run-stdin>stdin: '
                             f'{html.escape(run.stdin)}</span>\n')
            for stream, text in run_output(run):
                css = 'text-red-300' if stream == 'stderr' else ''
                lines.append(f'<span class="{css}">{html.escape(text)}</span>')
            lines.append(f'\n<span class="text-slate-400">{html.escape(run.summary)}</span>')
            self.output.set_content(''.join(lines))
        else:
            self.output.set_content('<span class="text-slate-400">No run yet at this point.</span>')

    def _run_markers(self) -> dict[str, str]:
        markers = {str(bisect.bisect_right(self.times, s.at)): SIGNAL_MARKS[s.kind] for s in self.signals}
        markers |= {str(bisect.bisect_right(self.times, test.started_at)): '✓' for test in self.test_runs}
        return markers | {str(bisect.bisect_right(self.times, run.started_at)): '▶' for run in self.runs}

    def _signal_rows(self) -> None:
        """Pastes and time away, as facts, each a button that jumps to its moment (interviewers only see playback)."""
        self.signal_rows = []
        if self.signals:
            ui.label('Pastes and time away').classes('font-semibold')
        for signal in self.signals:
            name, _ = self._who(signal.participant_id)
            row = ui.button(f'{SIGNAL_MARKS[signal.kind]} {signal.at:%H:%M:%S} · {name} {fact(signal)}',
                            on_click=lambda s=signal: self.seek_time(s.at)) \
                .props(f'flat dense no-caps align=left data-testid=playback-signal data-kind={signal.kind} '
                       f'data-signal-id={signal.id} data-participant-id={signal.participant_id} '
                       f'data-lines={signal.lines} data-characters={signal.characters} '
                       f'data-seconds={signal.seconds:g}')
            self.signal_rows.append((signal, row))

    def _authors(self) -> list[str | None]:
        return sorted({step.author for step in self.timeline.steps}, key=lambda a: (a is not None, str(a)))

    def _who(self, author: str | None) -> tuple[str, str]:
        if author is None:
            return 'starting template', SERVER_COLOR
        person = self.people.get(author)
        return (person.name, person.color) if person else ('someone who left', SERVER_COLOR)
