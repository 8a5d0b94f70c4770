"""`/team`, for administrators: the members (disable or enable each), one-time invite links (valid 7 days), the
team's default scorecard criteria (what a scorecard rates when the question has no rubric), and the team's
activity log (created, ended, reopened, erased, report downloaded, member invited, joined, disabled).

Every action checks the administrator's session again first (pages/dashboard.Guard): an administrator disabled a
second ago can do nothing more from a page opened before.
"""

from datetime import timezone

from fastapi import Request
from nicegui import ui

from accounts import WorkspaceError
from questions.scorecards import DEFAULT_CRITERIA

from .auth import Auth
from .dashboard import Guard


def register(auth: Auth) -> None:
    @ui.page('/team', title='Team · Pairpad')
    def team(request: Request) -> None:
        member = auth.member(request)
        if member is None or not member.is_admin:
            ui.navigate.to('/')
            return
        guard = Guard(auth, request, member)
        with ui.header().classes('items-center gap-2 bg-slate-800'):
            ui.button('Dashboard', icon='arrow_back', on_click=lambda: ui.navigate.to('/')) \
                .props('flat color=white data-testid=back-to-dashboard')
            ui.label('Team').classes('text-lg font-semibold')
        with ui.column().classes('w-full gap-4 p-2'):
            _invite_form(auth, guard)
            _members(auth, guard)
            _criteria_form(auth, guard)
            _activity(auth, guard)


def _admin(guard: Guard):
    member = guard.current()
    return member if member is not None and member.is_admin else None


def _invite_form(auth: Auth, guard: Guard) -> None:
    with ui.card().classes('w-full').props('data-testid=invite-panel'):
        ui.label('Invite a member').classes('font-semibold')
        with ui.row().classes('items-end gap-2'):
            email = ui.input('Email').props('data-testid=invite-email-input outlined type=email')
            admin = ui.checkbox('Administrator').props('data-testid=invite-admin')
            ui.button('Create invite link', on_click=lambda: create()).props('data-testid=invite-create')
        link = ui.label('').classes('font-mono text-sm').props('data-testid=invite-link')
        error = ui.label('').classes('text-sm text-red-400').props('data-testid=invite-create-error')

    def create() -> None:
        member = _admin(guard)
        if member is None:
            return
        try:
            token = auth.workspace.invite(member, email.value, is_admin=bool(admin.value))
        except WorkspaceError as e:
            error.set_text(str(e))
            return
        error.set_text('')
        link.set_text(str(guard.request.base_url).rstrip('/') + f'/invite/{token}')  # shown once: copy it now


def _member_rows(auth: Auth, guard: Guard, container: ui.column) -> None:
    container.clear()
    with container:
        for account in auth.workspace.members(guard.member.team_id):
            with ui.row().classes('items-center gap-4') as row:
                # set as values, never parsed from a props string: an email is text from outside
                row.props.update({'data-testid': 'member-row', 'data-email': account.email,
                                  'data-disabled': str(account.disabled).lower()})
                ui.label(account.name).classes('font-medium')
                ui.label(account.email).classes('text-sm text-gray-600')
                ui.label('administrator' if account.is_admin else 'member').classes('text-xs')
                if account.id != guard.member.id:
                    ui.button('Enable' if account.disabled else 'Disable',
                              on_click=lambda _, a=account: _set_disabled(auth, guard, container, a.id,
                                                                          not a.disabled)) \
                        .props(f'flat dense data-testid=member-{"enable" if account.disabled else "disable"}')


def _set_disabled(auth: Auth, guard: Guard, container: ui.column, account_id: str, disabled: bool) -> None:
    member = _admin(guard)
    if member is None:
        return
    try:
        auth.workspace.set_disabled(member, account_id, disabled)
    except WorkspaceError as e:
        ui.notify(str(e), type='negative')
        return
    _member_rows(auth, guard, container)


def _criteria_form(auth: Auth, guard: Guard) -> None:
    """The team's default scorecard criteria: what interviewers rate when the interview's question has no rubric."""
    with ui.card().classes('w-full').props('data-testid=criteria-panel'):
        ui.label('Scorecard criteria').classes('font-semibold')
        ui.label('What interviewers rate when the question has no rubric of its own, one per line. Leave it empty '
                 f'for the built-in ones: {", ".join(DEFAULT_CRITERIA)}.').classes('text-sm text-gray-600')
        text = ui.textarea('Criteria', value='\n'.join(auth.workspace.scorecard_criteria(guard.member.team_id))) \
            .props('data-testid=criteria-input outlined autogrow').classes('w-full')
        with ui.row().classes('items-center gap-2'):
            ui.button('Save criteria', on_click=lambda: save()).props('data-testid=criteria-save')
            status = ui.label('').classes('text-sm').props('data-testid=criteria-status')

    def save() -> None:
        member = _admin(guard)
        if member is None:
            return
        try:
            criteria = auth.workspace.set_scorecard_criteria(member, text.value)
        except WorkspaceError as e:
            status.set_text(str(e))
            status.props('data-state=error')
            return
        text.set_value('\n'.join(criteria))
        status.set_text('Saved' if criteria else 'Saved: the built-in criteria')
        status.props('data-state=saved')


def _members(auth: Auth, guard: Guard) -> None:
    with ui.card().classes('w-full').props('data-testid=members'):
        ui.label('Members').classes('font-semibold')
        _member_rows(auth, guard, ui.column().classes('gap-1'))


def _activity(auth: Auth, guard: Guard) -> None:
    with ui.card().classes('w-full').props('data-testid=activity'):
        ui.label('Activity').classes('font-semibold')
        for entry in auth.workspace.activity(guard.member):
            at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=timezone.utc)
            with ui.row().classes('gap-2 text-sm') as row:
                row.props.update({'data-testid': 'activity-row', 'data-action': entry.action})
                ui.label(at.strftime('%Y-%m-%d %H:%M UTC')).classes('text-gray-600')
                ui.label(entry.actor).classes('font-medium')
                ui.label(entry.action)
                ui.label(entry.subject)
