"""`/` for a signed-in member: the team's interviews (pages/interview_list.py), the form that creates one (with,
optionally, one of the team's questions picked: pages/services.new_interview), the
member's menu (password, sign out) and, for administrators, members, invites and the activity log
(pages/team_admin.py). `/open/{id}` takes a member into an interview of the team as an interviewer, under the
account's name (so does the interviewer link itself: pages/room.py).

Every action checks the session again first: a member disabled (or signed out elsewhere) a second ago can no longer
act from a page that was opened before.
"""

import json

from fastapi import Request
from nicegui import ui

from accounts import Member, WorkspaceError
from accounts.workspace import clean_member_name
from languages import DEFAULT as DEFAULT_LANGUAGE, select_options
from presence import Forbidden, NotFound, PresenceError
from store import Interview, list_questions

from .auth import Auth, password_dialog
from .interview_list import InterviewList
from .services import Services, find_interview, new_interview, room_path
from .team_events import TeamEvents


class Guard:
    """The member of a page, checked again before every action (`current()`): None sends the tab to `/`."""

    def __init__(self, auth: Auth, request: Request, member: Member) -> None:
        self.auth, self.request, self.member = auth, request, member

    def current(self) -> Member | None:
        member = self.auth.member(self.request)
        if member is None:
            ui.navigate.to('/')
        return member


def dashboard(services: Services, auth: Auth, events: TeamEvents, guard: Guard) -> None:
    member = guard.member
    with ui.header().classes('items-center gap-2 bg-slate-800'):
        ui.label('Pairpad').classes('text-lg font-semibold')
        ui.space()
        ui.label(member.name).props('data-testid=member-name')
        ui.button('Questions', icon='quiz', on_click=lambda: ui.navigate.to('/questions')) \
            .props('flat color=white data-testid=open-questions')
        if member.is_admin:
            ui.button('Team', icon='group', on_click=lambda: ui.navigate.to('/team')) \
                .props('flat color=white data-testid=open-team')
        dialog = password_dialog(auth, member, auth.cookie(guard.request))
        ui.button('Password', icon='key', on_click=dialog.open).props('flat color=white data-testid=change-password')
        ui.button('Sign out', icon='logout', on_click=lambda: ui.navigate.to('/auth/sign-out')) \
            .props('flat color=white data-testid=sign-out')
    with ui.column().classes('w-full gap-4 p-2'):
        _create_form(services, guard)
        InterviewList(services, auth, events, guard).build()


def _create_form(services: Services, guard: Guard) -> None:
    with ui.row().classes('w-full items-end gap-2').props('data-testid=create-form'):
        title = ui.input('Interview title', placeholder='e.g. Backend engineer — pairing') \
            .props('data-testid=title-input outlined maxlength=200')
        candidate = ui.input('Candidate name (optional)').props('data-testid=candidate-input outlined maxlength=40')
        language = ui.select(select_options(), value=DEFAULT_LANGUAGE.id, label='Starting language') \
            .props('data-testid=language-input outlined').classes('w-48')
        questions = {row.id: row.title for row in list_questions(services.engine, guard.member.team_id)}
        question = ui.select(questions, value=None, label='Question (optional)', clearable=True) \
            .props('data-testid=question-input outlined').classes('w-48')

        def create() -> None:
            member = guard.current()
            if member is None:
                return
            try:
                name = clean_member_name(candidate.value) if (candidate.value or '').strip() else ''
                interview = new_interview(services, title.value or '', language.value, team_id=member.team_id,
                                          created_by=member.id, candidate_name=name, question_id=question.value,
                                          picked_by=member.name)
            except (ValueError, WorkspaceError) as e:
                ui.notify(str(e), type='negative')
                return
            guard.auth.workspace.log(member.team_id, member.name, 'created', interview.title, interview.id)
            ui.navigate.to(f'/open/{interview.id}')  # the creator lands in the room as interviewer

        title.on('keydown.enter', create)
        ui.button('Create interview', on_click=create).props('data-testid=create-interview')


async def enter_room(services: Services, member: Member, interview: Interview) -> None:
    """Go to the room as an interviewer under the account's name, with no name form: the tab is given (or keeps)
    its participant identity in sessionStorage, where the room page looks for it (pages/room.py, _resume)."""
    key = json.dumps(f'pairpad:participant:{interview.id}')
    stored = await ui.run_javascript(f'sessionStorage.getItem({key})', timeout=5)
    try:
        identity = json.loads(stored) if isinstance(stored, str) else None
        known = services.presence.authenticate(interview.id, identity['participantId'], identity['token'])
        resume = known.role == 'interviewer'
    except (ValueError, TypeError, KeyError, NotFound, Forbidden):
        resume = False
    if not resume:
        try:
            participant, token = services.presence.join(interview.id, name=member.name, role='interviewer')
        except PresenceError as e:
            ui.notify(str(e), type='negative')
            return
        identity = json.dumps({'participantId': participant.id, 'token': token})
        ui.run_javascript(f'sessionStorage.setItem({key}, {json.dumps(identity)})')
    ui.navigate.to(room_path(interview, 'interviewer'))


def register_open_page(services: Services, auth: Auth) -> None:
    @ui.page('/open/{interview_id}', title='Pairpad')
    async def open_interview(interview_id: str, request: Request) -> None:
        """An interview of the member's team, as an interviewer; anything else goes back to the dashboard."""
        member = auth.member(request)
        interview = find_interview(services, interview_id) if member is not None else None
        if member is None or interview is None or interview.team_id != member.team_id:
            ui.navigate.to('/')
            return
        ui.label('Opening the interview…').props('data-testid=opening')
        await ui.context.client.connected()
        await enter_room(services, member, interview)
