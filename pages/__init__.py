"""One module per route group: home (create an interview), room (the interview and the panels it is built from:
workspace, notes, run console, playback, report), api (REST); services holds the use cases they share."""

import hashlib
from pathlib import Path

from nicegui import app, ui

from . import api, health, home, room
from .services import Services

# The Tailwind utilities the pages use, compiled once (pages/styles, `make bundle`); main.py turns NiceGUI's
# Tailwind runtime off: it watched every DOM change of the page, Monaco's on each keystroke included, and so slowed
# every keystroke in every browser (measured in docs/benchmarks.md, keystroke latency).
STYLES = Path(__file__).parent / 'styles' / 'pairpad.css'


def register(services: Services) -> None:
    version = hashlib.sha256(STYLES.read_bytes()).hexdigest()[:12]
    app.add_static_file(local_file=STYLES, url_path='/pairpad.css')
    ui.add_head_html(f'<link rel="stylesheet" href="/pairpad.css?v={version}">', shared=True)
    home.register(services)
    room.register(services)
    api.register(services)
    health.register(services)


__all__ = ['Services', 'register']
