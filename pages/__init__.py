"""One module per route group: home (the first-run form, sign-in or the dashboard), auth (sessions), dashboard and
interview_list (the team's interviews), room (the interview and the panels it is built from: workspace, notes, run
console, playback, report), api (REST); services holds the use cases they share."""

import hashlib
from pathlib import Path

from nicegui import app, ui

from accounts import Workspace
from accounts.sso import TrustedProxy

from . import api, auth, dashboard, health, home, questions_page, room, team_admin
from .auth import Auth
from .services import Services
from .team_events import TeamEvents

# The Tailwind utilities the pages use, compiled once (pages/styles, `make bundle`); main.py turns NiceGUI's
# Tailwind runtime off: it watched every DOM change of the page, Monaco's on each keystroke included, and so slowed
# every keystroke in every browser (measured in docs/benchmarks.md, keystroke latency).
STYLES = Path(__file__).parent / 'styles' / 'pairpad.css'


def register(services: Services, workspace: Workspace, events: TeamEvents) -> None:
    version = hashlib.sha256(STYLES.read_bytes()).hexdigest()[:12]
    app.add_static_file(local_file=STYLES, url_path='/pairpad.css')
    ui.add_head_html(f'<link rel="stylesheet" href="/pairpad.css?v={version}">', shared=True)
    access = Auth(workspace, TrustedProxy.from_settings(services.settings))
    services.member_of = access.member  # the room's scorecards are the account's (pages/scorecard_panel.py)
    auth.register(access)
    auth.register_invite_page(access)
    home.register(services, access, events)
    dashboard.register_open_page(services, access)
    team_admin.register(access)
    questions_page.register(services, access)
    room.register(services, workspace)
    api.register(services, access)
    health.register(services)


__all__ = ['Services', 'register']
