"""RunConsole: the shared output panel of code runs — stdout and stderr distinguished, then exit code and duration.

Program output is always rendered as text. Automation hooks: `data-testid="run-output"` on the panel (with
`data-state`: idle/running/ended), `data-stream` (stdout/stderr) on each chunk, `data-testid="run-status"` on the
status line.
"""

from nicegui import ui
from nicegui.elements.mixins.text_element import TextElement


class _Chunk(TextElement):
    def __init__(self, text: str, stream: str) -> None:
        super().__init__(tag='span', text=text)
        self._props['data-stream'] = stream
        if stream == 'stderr':
            self.classes('text-red-400')


class RunConsole(ui.column):
    def __init__(self) -> None:
        super().__init__()
        self.classes('w-full gap-1')
        with self:
            self.status = ui.label('No run yet. Run the code with the Run button or Ctrl/Cmd+Enter.') \
                .classes('text-xs text-gray-500').props('data-testid=run-status')
            self.output = ui.element('pre').classes(
                'w-full m-0 p-2 rounded bg-slate-900 text-slate-100 text-xs whitespace-pre-wrap overflow-auto') \
                .style('height: 10rem; font-family: ui-monospace, monospace') \
                .props('data-testid=run-output data-state=idle')

    def started(self, language: str, started_by: str) -> None:
        self.output.clear()
        self.output.props('data-state=running')
        self.status.set_text(f'Running {language}, started by {started_by}…')

    def append(self, stream: str, text: str) -> None:
        with self.output:
            _Chunk(text, stream)

    def ended(self, summary: str) -> None:
        self.output.props('data-state=ended')
        self.status.set_text(summary)
