"""The interviewers' notes: Markdown, written together by the interviewers, saved continuously, with a preview.

The notes are their own CRDT document (room `store.notes_room_id(<interview id>)`), so nothing of them is in the
code document a candidate syncs. This panel is built only on interviewers' pages, and only its editor may join the
notes room.

The preview follows the notes room's document: an observer on its Doc (the same change event the room itself
publishes from) schedules one refresh, so a burst of keystrokes from any interviewer is one Markdown render and
nothing runs while nobody types.
"""

import asyncio

from nicegui import background_tasks, ui
from pycrdt import Subscription

from collab import Room
from components.collab_editor import CollabEditor
from presence import ParticipantView
from store import notes_room_id

from .editor_session import EditorSession
from .services import Services

# Seconds a change waits for the ones right after it before the preview renders: typing is several changes a second,
# and a render sends the whole Markdown to the browser.
PREVIEW_DEBOUNCE = 0.1


class NotesPanel(ui.column):
    def __init__(self, services: Services, interview_id: str, participant: ParticipantView) -> None:
        super().__init__()
        self.services = services
        self.room_id = notes_room_id(interview_id)
        self.props('data-testid=notes').classes('gap-1 no-wrap')
        with self:
            with ui.row().classes('w-full items-center gap-2'):
                ui.label('Interviewer notes').classes('font-semibold')
                ui.label('only interviewers see these').classes('text-xs text-gray-500')
            with ui.tabs().props('dense align=left').classes('w-full') as tabs:
                write = ui.tab('Write').props('data-testid=notes-write')
                preview = ui.tab('Preview').props('data-testid=notes-preview-tab')
            with ui.tab_panels(tabs, value=write).classes('w-full grow').props('keep-alive') as self.panels:
                with ui.tab_panel(write).classes('p-0 h-full'):
                    self.editor = CollabEditor(self.room_id,
                                               max_message_bytes=services.settings.max_message_bytes,
                                               max_document_bytes=services.settings.max_document_bytes) \
                        .classes('w-full h-full border rounded').props('data-testid=notes-editor')
                    self.editor.style('min-height: 300px')
                with ui.tab_panel(preview):
                    self.preview = ui.markdown().props('data-testid=notes-preview')  # DOMPurify-sanitised
        self._shown: str | None = None
        self._observed: tuple[Room, Subscription] | None = None
        self._pending: asyncio.TimerHandle | None = None
        self.panels.on_value_change(lambda e: e.value == 'Preview' and self.refresh_preview())
        # A room that hibernated while this tab was away is a new Room when the tab's editor syncs again: its
        # messages are the moment to follow the live one.
        self.editor.on_messages(lambda _: self._follow_room())
        ui.context.client.on_delete(self._stop_following)
        background_tasks.create(self._watch(), name='pairpad-notes-preview')
        EditorSession(self.editor, services.rooms, services.presence, participant, tracks_presence=False).attach()

    def refresh_preview(self) -> None:
        room = self.services.rooms.loaded(self.room_id)
        text = room.text if room is not None else ''
        if text != self._shown:
            self._shown = text
            self.preview.set_content(text or '*No notes yet.*')

    async def _watch(self) -> None:
        self._observe(await self.services.rooms.get(self.room_id))

    def _follow_room(self) -> None:
        room = self.services.rooms.loaded(self.room_id)
        if room is None:
            background_tasks.create(self._watch(), name='pairpad-notes-preview')
        elif self._observed is None or self._observed[0] is not room:
            self._observe(room)

    def _observe(self, room: Room) -> None:
        if self.is_deleted or (self._observed is not None and self._observed[0] is room):
            return
        self._stop_observing()
        self._observed = (room, room.doc.observe(self._changed))
        self._changed(None)  # the room may have changed before it was observed

    def _changed(self, _event) -> None:
        # Inside a pycrdt observer the document cannot be read: render after the transaction (and its neighbours).
        if self._pending is None:
            self._pending = asyncio.get_running_loop().call_later(PREVIEW_DEBOUNCE, self._render)

    def _render(self) -> None:
        self._pending = None
        if not self.is_deleted and self.panels.value == 'Preview':
            self.refresh_preview()

    def _stop_observing(self) -> None:
        if self._observed is not None:
            room, subscription = self._observed
            self._observed = None
            room.doc.unobserve(subscription)

    def _stop_following(self) -> None:
        self._stop_observing()
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
