"""`/`: on a server without any account (unclaimed), the form that creates the first one; for a signed-in member,
the team's dashboard (pages/dashboard.py); for anybody else, the sign-in form."""

from fastapi import Request
from nicegui import ui

from .auth import Auth, setup_form, sign_in_form
from .dashboard import Guard, dashboard
from .services import Services
from .team_events import TeamEvents


def register(services: Services, auth: Auth, events: TeamEvents) -> None:
    @ui.page('/', title='Pairpad', language='en-US')
    def home(request: Request) -> None:
        if not auth.workspace.claimed():
            _intro('A shared code editor for live interviews. Set up your team\'s workspace to start.')
            setup_form(auth)
            return
        member = auth.member(request)
        if member is None:
            _intro('A shared code editor for live interviews.')
            sign_in_form(auth, request)
            return
        dashboard(services, auth, events, Guard(auth, request, member))


def _intro(text: str) -> None:
    with ui.column().classes('w-full max-w-xl mx-auto mt-16 gap-4'):
        ui.label('Pairpad').classes('text-3xl font-bold')
        ui.label(text)
