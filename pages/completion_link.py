"""One tab's completion requests: from its editor to the completion service and back to that tab only.

The code is read from the room's document on the server, not sent with the request: the tab's keystrokes reach
the server before its request (one socket, in order), so the server's copy holds them, and a request is a few
bytes instead of the whole document. The answer goes back through the element's own method call, which NiceGUI
sends to this tab's client alone: nobody else learns what someone asked or was offered.
"""

import logging
from dataclasses import asdict

from nicegui.events import GenericEventArguments

from collab import RoomRegistry
from completion import KINDS, Answer, CompletionService
from components.collab_editor import CollabEditor

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 2   # per tab: Monaco asks again as the person types, and only the newest answer matters
MAX_POSITION = 1_000_000


class CompletionLink:
    def __init__(self, editor: CollabEditor, rooms: RoomRegistry, service: CompletionService | None,
                 room_id: str) -> None:
        self.editor = editor
        self.rooms = rooms
        self.service = service
        self.room_id = room_id
        self.in_flight = 0
        editor.on('complete', self._on_request)

    async def _on_request(self, e: GenericEventArguments) -> None:
        args = e.args if isinstance(e.args, dict) else {}
        request = args.get('id')
        if not isinstance(request, int) or isinstance(request, bool):
            log.warning('completion: a request without an id from %s', self.room_id)
            return
        answer = await self._answer(args)
        self.editor.run_method('completed', request, asdict(answer))

    async def _answer(self, args: dict) -> Answer:
        kind, line, column = args.get('kind'), args.get('line'), args.get('column')
        if kind not in KINDS:
            return Answer(error=f'kind must be one of {", ".join(KINDS)}')
        if not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_POSITION for v in (line, column)):
            return Answer(error='line and column must be positive integers')
        room = self.rooms.loaded(self.room_id)
        if self.service is None or room is None or room.language != 'python':
            return Answer(error='no completions here')
        if self.in_flight >= MAX_IN_FLIGHT:
            return Answer(error='busy')
        self.in_flight += 1
        try:
            return await self.service.answer(kind, room.text, line, column)
        finally:
            self.in_flight -= 1
