"""The interviewers' notes: Markdown, written together by the interviewers, saved continuously, with a preview.

The notes are their own CRDT document (room `<interview id>:notes`), so nothing of them is in the code document a
candidate syncs. This panel is built only on interviewers' pages, and only its editor may join the notes room.
"""

from nicegui import ui

from components.collab_editor import CollabEditor
from presence import ParticipantView

from .editor_session import EditorSession
from .services import Services, notes_room_id


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
            with ui.tab_panels(tabs, value=write).classes('w-full grow').props('keep-alive') as panels:
                with ui.tab_panel(write).classes('p-0 h-full'):
                    self.editor = CollabEditor(self.room_id,
                                               max_message_bytes=services.settings.max_message_bytes,
                                               max_document_bytes=services.settings.max_document_bytes) \
                        .classes('w-full h-full border rounded').props('data-testid=notes-editor')
                    self.editor.style('min-height: 300px')
                with ui.tab_panel(preview):
                    self.preview = ui.markdown().props('data-testid=notes-preview')  # DOMPurify-sanitised
        self._shown: str | None = None
        panels.on_value_change(lambda e: e.value == 'Preview' and self.refresh_preview())
        self.timer = ui.timer(0.5, lambda: panels.value == 'Preview' and self.refresh_preview())
        EditorSession(self.editor, services.rooms, services.presence, participant, tracks_presence=False).attach()

    def refresh_preview(self) -> None:
        room = self.services.rooms.loaded(self.room_id)
        text = room.text if room is not None else ''
        if text != self._shown:
            self._shown = text
            self.preview.set_content(text or '*No notes yet.*')
