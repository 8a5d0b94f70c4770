"""RunConsole: the shared output panel of code runs — what the run was given on stdin, stdout and stderr
distinguished, then exit code and duration.

Program output is always rendered as text. Automation hooks: `data-testid="run-output"` on the panel (with
`data-state`: idle/running/ended), `data-stream` (stdout/stderr) on each chunk, `data-testid="run-status"` on the
status line, `data-testid="run-stdin"` on the run's header (with `data-lines`: how many lines it was given).
"""

from nicegui import ui
from nicegui.elements.mixins.text_element import TextElement


class _Chunk(TextElement):
    def __init__(self, text: str, stream: str) -> None:
        super().__init__(tag='span', text=text)
        self._props['data-stream'] = stream
        if stream == 'stderr':
            self.classes('text-red-400')


STDIN_SHOWN = 2000  # characters of stdin the header shows; the program got all of it


def stdin_summary(stdin: str) -> str:
    """'stdin: 2 lines', 'stdin: 1 line', 'stdin: empty'."""
    lines = len(stdin.splitlines())
    return f'stdin: {lines} line{"" if lines == 1 else "s"}' if stdin else 'stdin: empty'


class RunConsole(ui.column):
    def __init__(self) -> None:
        super().__init__()
        self.classes('w-full gap-1')
        with self:
            self.status = ui.label('No run yet. Run the code with the Run button or Ctrl/Cmd+Enter.') \
                .classes('text-xs text-gray-500').props('data-testid=run-status')
            self.stdin = ui.element('details').classes('text-xs text-gray-500').props('data-testid=run-stdin open')
            with self.stdin:
                self.stdin_label = TextElement(tag='summary', text='').classes('cursor-pointer')
                self.stdin_text = TextElement(tag='pre', text='').classes('m-0 whitespace-pre-wrap font-mono') \
                    .style('max-height: 6rem; overflow: auto')
            self.stdin.set_visibility(False)
            self.output = ui.element('pre').classes(
                'w-full m-0 p-2 rounded bg-slate-900 text-slate-100 text-xs whitespace-pre-wrap overflow-auto') \
                .style('height: 10rem; font-family: ui-monospace, monospace') \
                .props('data-testid=run-output data-state=idle')

    def started(self, language: str, started_by: str, stdin: str = '') -> None:
        self.output.clear()
        self.output.props('data-state=running')
        self.status.set_text(f'Running {language}, started by {started_by}…')
        self.stdin_label.set_text(stdin_summary(stdin))
        shown = stdin[:STDIN_SHOWN] + ('…' if len(stdin) > STDIN_SHOWN else '')
        self.stdin_text.set_text(shown)
        self.stdin.props(f'data-lines={len(stdin.splitlines())}')
        self.stdin.set_visibility(True)

    def append(self, stream: str, text: str) -> None:
        with self.output:
            _Chunk(text, stream)

    def ended(self, summary: str) -> None:
        self.output.props('data-state=ended')
        self.status.set_text(summary)
