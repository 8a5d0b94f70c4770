"""TestResults: the results table of a Run tests, one row per test case it is given, and a summary.

It renders exactly the view it is handed (a dict like questions.TestRun.view(role)): choosing what a role may see
is the caller's job, done on the server before anything is built, so the table holds no more than that. Every text
(names, inputs, outputs) is rendered as text, never as HTML. The first differing line of a failed case is marked
in both the expected and the actual output, so nobody has to compare two blocks by eye.

Automation hooks: `data-testid="test-results"` (with `data-state`: idle/running/ended), `test-summary`,
`test-case` per row (with `data-passed` true/false, `data-hidden`, `data-name`), `test-stdin`, `test-expected`,
`test-actual` in a row, `diff-line` on the marked lines.
"""

from nicegui import ui
from nicegui.elements.mixins.text_element import TextElement

SHOWN_CHARS = 2000  # of a case's stdin shown in the table
SHOWN_LINES = 40    # of its expected and actual output (plus the first differing line, wherever it is)
LINE_CHARS = 300    # of each line shown: a case's one-line 64 KB input would otherwise go whole to every tab


def summary_text(view: dict) -> str:
    """'3/5 passed', and 'hidden: 1 of 2 passed' when there are hidden cases."""
    text = f'{view.get("passed", 0)}/{view.get("total", 0)} passed'
    if view.get('hidden_total'):
        text += f' · hidden: {view.get("hidden_passed", 0)} of {view["hidden_total"]} passed'
    return text


class TestResults(ui.column):
    __test__ = False

    def __init__(self) -> None:
        super().__init__()
        self.classes('w-full gap-1').props('data-testid=test-results data-state=idle')
        with self:
            self.summary = ui.label('').classes('text-sm font-semibold').props('data-testid=test-summary')
            self.rows = ui.column().classes('w-full gap-1')
        self.set_visibility(False)

    def running(self, started_by: str) -> None:
        self.set_visibility(True)
        self.props('data-state=running')
        self.summary.set_text(f'Running the tests, started by {started_by}…')
        self.rows.clear()

    def failed(self, reason: str) -> None:
        self.set_visibility(True)
        self.props('data-state=ended')
        self.summary.set_text(f'Tests: {reason}')
        self.rows.clear()

    def show(self, view: dict, started_by: str) -> None:
        self.set_visibility(True)
        self.props('data-state=ended')
        self.summary.set_text(f'{summary_text(view)} · {view.get("language", "")}, started by {started_by}')
        self.rows.clear()
        with self.rows:
            for case in view.get('cases', []):
                _case_row(case)


def _case_row(case: dict) -> None:
    passed = bool(case.get('passed'))
    with ui.element('details').classes('w-full text-xs border rounded px-2 py-1').props(
            f'data-testid=test-case data-passed={"true" if passed else "false"} '
            f'data-hidden={"true" if case.get("hidden") else "false"}') as row:
        row._props['data-name'] = str(case.get('name', ''))  # a prop, not the props string: any character is safe
        head = f'{"✓" if passed else "✗"} {case.get("name", "")}{" (hidden)" if case.get("hidden") else ""}' \
               f' — {case.get("reason", "")}'
        TextElement(tag='summary', text=head).classes('cursor-pointer') \
            .style(f'color: {"#15803d" if passed else "#b91c1c"}')  # the compiled Tailwind has no green
        stdin = str(case.get('stdin', ''))
        _block('stdin', stdin[:SHOWN_CHARS] + ('…' if len(stdin) > SHOWN_CHARS else ''), 'test-stdin', None)
        with ui.row().classes('w-full no-wrap gap-2'):
            _block('expected', str(case.get('expected', '')), 'test-expected', case.get('first_difference'))
            _block('actual', str(case.get('actual', '')), 'test-actual', case.get('first_difference'))
        if case.get('stderr'):
            _block('stderr', str(case['stderr'])[-SHOWN_CHARS:], 'test-stderr', None)


def _block(title: str, text: str, testid: str, marked: int | None) -> None:
    with ui.column().classes('grow gap-1').style('min-width: 0'):
        ui.label(title).classes('text-gray-500')
        with ui.element('pre').classes('m-0 p-2 whitespace-pre-wrap font-mono') \
                .style('max-height: 10rem; overflow: auto; background: rgba(148, 163, 184, 0.15)') \
                .props(f'data-testid={testid}'):
            lines = text.split('\n')
            shown = set(range(min(len(lines), SHOWN_LINES)))
            if marked is not None and 0 < marked <= len(lines):
                shown.add(marked - 1)
            previous = -1
            for index in sorted(shown):
                if index != previous + 1:
                    TextElement(tag='span', text='…\n').classes('text-gray-500')
                line = lines[index][:LINE_CHARS] + ('…' if len(lines[index]) > LINE_CHARS else '')
                line += '\n' if index < len(lines) - 1 else ''
                span = TextElement(tag='span', text=line)
                if marked is not None and index == marked - 1:
                    span.style('background: rgba(239, 68, 68, 0.3)').props(f'data-testid=diff-line data-line={marked}')
                previous = index
            if len(lines) > SHOWN_LINES and previous < len(lines) - 1:
                TextElement(tag='span', text=f'… ({len(lines)} lines)').classes('text-gray-500')
