"""The dashboard's list of the team's interviews: newest first, 50 a page, filtered by state and "mine", searched by
title or candidate, each row with its state (not started / live now, with who is in the room / ended), the submitted
scorecards' recommendations (`row-scorecards`: as questions.scorecards lets the member see them: not the others'
while the member's own scorecard of it is an unsubmitted draft) and its actions (open as interviewer, copy the
candidate link, report, erase).

Nothing here polls. A row's people come from presence, which pushes every change of a participant (relayed from
the other instances by pages/presence_link.py); interviews created, ended, reopened or erased anywhere arrive
through pages/team_events.py and redraw the list.
"""

import json
from datetime import datetime, timedelta, timezone
from typing import Callable

from nicegui import ui

from questions.scorecards import summary_line, visible_scorecards
from store import Interview, InterviewChange, list_team_interviews
from store.accounts import account_names
from store.question_models import Scorecard
from store.questions import scorecards_of

from .report import download_report
from .services import Services, remove_interview, room_path

PAGE_SIZE = 50
STATES = {'all': 'All', 'not started': 'Not started', 'live': 'Live now', 'ended': 'Ended'}
PRESENCE_FILTERED_MAX = 1000  # live / not started are told by presence: at most this many open interviews looked at


def _utc(at: datetime | None) -> datetime | None:
    return at.replace(tzinfo=timezone.utc) if at is not None and at.tzinfo is None else at


def _when(at: datetime | None) -> str:
    return _utc(at).strftime('%Y-%m-%d %H:%M UTC') if at is not None else ''


class InterviewList:
    def __init__(self, services: Services, auth, events, guard) -> None:
        self.services, self.auth, self.events, self.guard = services, auth, events, guard
        self.state, self.mine, self.search, self.page = 'all', False, '', 0
        self._unsubscribers: list[Callable[[], None]] = []
        self._watched_open: list[str] = []  # live / not started: the open interviews the filter looked at

    def build(self) -> None:
        with ui.row().classes('w-full items-end gap-2'):
            ui.select(STATES, value='all', label='State', on_change=lambda e: self._set(state=e.value)) \
                .props('data-testid=filter-state outlined').classes('w-40')
            ui.checkbox('Mine', on_change=lambda e: self._set(mine=bool(e.value))).props('data-testid=filter-mine')
            ui.input('Search title or candidate', on_change=lambda e: self._set(search=e.value or '')) \
                .props('data-testid=search-input outlined clearable')
        self.container = ui.column().classes('w-full gap-2').props('data-testid=interview-list')
        with ui.row().classes('items-center gap-2'):
            self.prev = ui.button('Newer', on_click=lambda: self._set(page=self.page - 1)).props('flat data-testid=page-prev')
            self.info = ui.label('').props('data-testid=page-info')
            self.next = ui.button('Older', on_click=lambda: self._set(page=self.page + 1)).props('flat data-testid=page-next')
        self._stop_events = self.events.subscribe(self.guard.member.team_id, self._changed)
        ui.context.client.on_delete(lambda: (self._stop_events(), self._stop_rows()))
        self.refresh()

    def _set(self, **changes) -> None:
        if 'page' not in changes:
            changes['page'] = 0  # a new filter starts at the first page
        for name, value in changes.items():
            setattr(self, name, value)
        self.refresh()

    def _changed(self, change: InterviewChange) -> None:
        if self._still_signed_in():
            self.refresh()

    def _still_signed_in(self) -> bool:
        """Checked before anything new is pushed to the page: a member disabled, signed out elsewhere or whose
        password changed since the page opened sees no more of the team's interviews (the tab goes to `/`), as
        their actions already did not go through."""
        with self.container:
            if self.guard.current() is not None:
                return True
        self._stop_events()
        self._stop_rows()
        self.container.clear()
        return False

    # -- reading -----------------------------------------------------------------------------------------------

    def _present(self, interview_id: str) -> list[str]:
        return [p.name for p in self.services.presence.participants(interview_id) if p.status != 'offline']

    def _query(self) -> tuple[list[Interview], int]:
        member = self.guard.member
        mine = member.id if self.mine else None
        if self.state in ('all', 'ended'):
            return list_team_interviews(self.services.engine, member.team_id, search=self.search, created_by=mine,
                                        ended=True if self.state == 'ended' else None,
                                        offset=self.page * PAGE_SIZE, limit=PAGE_SIZE)
        open_ones, _ = list_team_interviews(self.services.engine, member.team_id, search=self.search,
                                            created_by=mine, ended=False, limit=PRESENCE_FILTERED_MAX)
        self._watched_open = [i.id for i in open_ones]
        wanted = [i for i in open_ones if bool(self._present(i.id)) == (self.state == 'live')]
        return wanted[self.page * PAGE_SIZE:(self.page + 1) * PAGE_SIZE], len(wanted)

    # -- drawing -----------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        self._stop_rows()
        self._watched_open = []
        interviews, total = self._query()
        names = account_names(self.services.engine, {i.created_by for i in interviews if i.created_by})
        scorecards = scorecards_of(self.services.engine, [i.id for i in interviews])
        self.container.clear()
        with self.container:
            if not interviews:
                ui.label('No interviews here yet.' if total == 0 else '').classes('text-gray-500') \
                    .props('data-testid=no-interviews')
            for interview in interviews:
                self._row(interview, names.get(interview.created_by or '', ''), scorecards.get(interview.id, []))
        pages = max(1, -(-total // PAGE_SIZE))
        self.info.set_text(f'page {self.page + 1} of {pages} · {total} interview{"s" if total != 1 else ""}')
        self.info.props(f'data-total={total}')
        self.prev.set_enabled(self.page > 0)
        self.next.set_enabled(self.page + 1 < pages)
        for interview_id in self._watched_open:  # live / not started: a room that fills or empties moves in, out
            live = bool(self._present(interview_id))
            self._unsubscribers.append(self.services.presence.subscribe(
                interview_id, lambda _view, i=interview_id, was=live: self._liveness_changed(i, was)))

    def _liveness_changed(self, interview_id: str, was_live: bool) -> None:
        if bool(self._present(interview_id)) != was_live and self._still_signed_in():
            self.refresh()

    def _stop_rows(self) -> None:
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers = []

    def _row(self, interview: Interview, created_by: str, scorecards: list[Scorecard]) -> None:
        with ui.card().classes('w-full p-2').props(f'data-testid=interview-row data-id={interview.id}') as card:
            with ui.row().classes('w-full items-center gap-4'):
                with ui.column().classes('gap-1 grow'):
                    ui.label(interview.title).classes('font-semibold').props('data-testid=row-title')
                    ui.label(interview.candidate_name or '—').classes('text-sm') \
                        .props('data-testid=row-candidate')
                    self._scorecards(scorecards)
                ui.label(interview.language).classes('text-sm text-gray-600').props('data-testid=row-language')
                state = ui.label('').props('data-testid=row-state')
                people = ui.label('').classes('text-sm').props('data-testid=row-people')
                with ui.column().classes('gap-1 text-xs text-gray-600'):
                    ui.label(f'by {created_by}' if created_by else '').props('data-testid=row-created-by')
                    ui.label(f'created {_when(interview.created_at)}').props('data-testid=row-created')
                    if interview.ended_at is not None:
                        ui.label(f'ended {_when(interview.ended_at)}').props('data-testid=row-ended')
                        ui.label(self._erase_note(interview)).props('data-testid=row-erase-at')
                self._actions(interview)
        if interview.ended_at is not None:
            card.props('data-state=ended')
            state.set_text('ended')
            return
        shown: list[list[str]] = [[]]

        def show(_view=None) -> None:
            present = self._present(interview.id)
            if present == shown[0] and _view is not None:
                return  # a cursor or typing change: nothing the dashboard shows
            if _view is not None and not self._still_signed_in():
                return
            shown[0] = present
            card.props(f'data-state={"live" if present else "not-started"}')
            state.set_text('live now' if present else 'not started')
            people.set_text(('in the room: ' + ', '.join(present)) if present else '')
        show()
        self._unsubscribers.append(self.services.presence.subscribe(interview.id, show))

    def _scorecards(self, scorecards: list[Scorecard]) -> None:
        visible = visible_scorecards(scorecards, self.guard.member.id, 'member')
        submitted = sum(card.submitted_at is not None for card in visible.shown)
        ui.label(summary_line(visible) or 'no scorecards yet').classes('text-xs text-gray-600') \
            .props(f'data-testid=row-scorecards data-count={submitted}')

    def _erase_note(self, interview: Interview) -> str:
        days = self.services.settings.retention_days
        if days <= 0:
            return 'kept (no retention limit)'
        return f'erased automatically on {_when(_utc(interview.ended_at) + timedelta(days=days))}'

    def _actions(self, interview: Interview) -> None:
        with ui.row().classes('gap-1'):
            ui.button('Open', icon='login', on_click=lambda: self._open(interview)) \
                .props('flat dense data-testid=row-open')
            ui.button('Candidate link', icon='link', on_click=lambda: self._copy_link(interview)) \
                .props('flat dense data-testid=row-copy-link')
            ui.button('Report', icon='summarize', on_click=lambda: self._report(interview)) \
                .props('flat dense data-testid=row-report')
            ui.button('Erase', icon='delete_forever', on_click=lambda: self._confirm_erase(interview)) \
                .props('flat dense color=negative data-testid=row-erase')

    def _open(self, interview: Interview) -> None:
        if self.guard.current() is not None:
            ui.navigate.to(f'/open/{interview.id}')

    def _copy_link(self, interview: Interview) -> None:
        if self.guard.current() is not None:
            path = json.dumps(room_path(interview, 'candidate'))
            ui.run_javascript(f'navigator.clipboard.writeText(location.origin + {path})')
            ui.notify('Candidate link copied')

    async def _report(self, interview: Interview) -> None:
        member = self.guard.current()
        if member is not None:
            await download_report(self.services, interview.id, reader_id=member.id, role='member')
            self.auth.workspace.log(member.team_id, member.name, 'report downloaded', interview.title, interview.id)

    def _confirm_erase(self, interview: Interview) -> None:
        with ui.dialog() as dialog, ui.card().props('data-testid=erase-dialog'):
            ui.label('Erase this interview and everything of it?').classes('font-semibold')
            ui.label('Its code and its history, notes, runs and participants are deleted for good; open tabs are '
                     'closed.').classes('text-sm')
            ui.label(interview.title).classes('text-sm text-gray-600')
            with ui.row():
                ui.button('Erase', on_click=lambda: (dialog.close(), self._erase(interview))) \
                    .props('color=negative data-testid=erase-confirm')
                ui.button('Cancel', on_click=dialog.close).props('flat')
        dialog.open()

    def _erase(self, interview: Interview) -> None:
        member = self.guard.current()
        if member is None or interview.team_id != member.team_id:
            return
        self.auth.workspace.log(member.team_id, member.name, 'erased', '', interview.id)
        remove_interview(self.services, interview.id)  # the list redraws on the change (team_events)
