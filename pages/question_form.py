"""The form that creates or edits one question of the library (`/questions`): title, slug, Markdown prompt with
its preview, difficulty, tags, starter code per language, test cases, and the interviewer's guide (hints,
reference solutions per language, rubric criteria).

The form only gathers plain values: `questions.Question` (through pages/question_library.validate) decides what
is valid, and each of its errors is shown under the field it names, so the form never keeps rules of its own.
Everything a member typed is shown as text; the prompt preview is Markdown with raw HTML escaped (see
`prompt_html`), so a hostile prompt renders as its characters, never as markup or script.
"""

from typing import Callable

import markdown2
from nicegui import ui

from languages import DEFAULT, LANGUAGES, select_options
from questions import Question

from .question_library import DIFFICULTIES, Problem, QuestionInvalid, validate

MARKDOWN_EXTRAS = ['fenced-code-blocks', 'tables']


def prompt_html(markdown: str) -> str:
    """A prompt as HTML: markdown2 escapes raw HTML (`safe_mode='escape'`) and neutralises `javascript:` links;
    the element that shows it sanitises once more (DOMPurify)."""
    return markdown2.markdown(markdown, safe_mode='escape', extras=MARKDOWN_EXTRAS)


class PromptView(ui.markdown):
    """ui.markdown (its look, and DOMPurify in the browser) whose HTML comes from `prompt_html`: ui.markdown alone
    lets raw HTML through to DOMPurify, which drops scripts but still renders the tags; a prompt's tags are text."""

    def _handle_content_change(self, content: str) -> None:
        html = prompt_html(content)
        if self._props.get('innerHTML') != html:
            self._props['innerHTML'] = html


def slug_of(title: str) -> str:
    """A slug suggested from the title: lowercase letters and digits, dashes between."""
    stem = ''.join(ch if ch.isascii() and ch.isalnum() else '-' for ch in title.lower())
    return '-'.join(part for part in stem.split('-') if part)[:64].strip('-') or 'question'


class FieldErrors:
    """Error labels by field path; a problem goes to the label of the longest path that starts it (those of one
    test case go to its card instead)."""

    def __init__(self) -> None:
        self.labels: dict[str, ui.label] = {}

    def add(self, path: str) -> ui.label:
        label = ui.label('').classes('text-xs text-red-400 whitespace-pre-wrap')
        label.props.update({'data-testid': 'q-field-error', 'data-field': path, 'role': 'alert'})
        self.labels[path] = label
        return label

    def show(self, problems: list[Problem]) -> None:
        texts: dict[str, list[str]] = {path: [] for path in self.labels}
        for problem in problems:
            if problem.field.split('.')[0] == 'tests' and problem.field.count('.') >= 1:
                continue  # a case's own problem shows on its card (CaseRows.show)
            path = max((p for p in self.labels if problem.field == p or problem.field.startswith(p + '.')),
                       key=len, default='')
            if path in texts:
                texts[path].append(problem.message if problem.field == path else str(problem))
        for path, label in self.labels.items():
            label.set_text('\n'.join(texts[path]))


class CodeByLanguage:
    """Code per language (starters, reference solutions): a language select and one textarea for its code."""

    def __init__(self, label: str, testid: str, code: dict[str, str], errors: FieldErrors, path: str) -> None:
        self.code = {language: text for language, text in code.items() if text}
        with ui.column().classes('w-full gap-1'):
            with ui.row().classes('items-center gap-2'):
                ui.label(label).classes('font-medium')
                self.language = ui.select(select_options(), value=next(iter(self.code), DEFAULT.id)) \
                    .props(f'dense outlined data-testid={testid}-language').classes('w-48')
                self.filled = ui.label('').classes('text-xs text-gray-500').props(f'data-testid={testid}-languages')
            self.editor = ui.textarea().props(f'outlined autogrow data-testid={testid}-code spellcheck=false') \
                .classes('w-full font-mono text-sm')
            errors.add(path)
        self.language.on_value_change(lambda _: self.editor.set_value(self.code.get(self.language.value, '')))
        self.editor.on_value_change(self._typed)
        self.editor.set_value(self.code.get(self.language.value, ''))
        self._show_filled()

    def _typed(self, _) -> None:
        if self.editor.value:
            self.code[self.language.value] = self.editor.value
        else:
            self.code.pop(self.language.value, None)
        self._show_filled()

    def _show_filled(self) -> None:
        names = [LANGUAGES[language].label if language in LANGUAGES else language for language in sorted(self.code)]
        self.filled.set_text('with code: ' + (', '.join(names) or 'none'))


class CaseRows:
    """The test cases, one card each, added and removed in place."""

    def __init__(self, cases: list[dict], errors: FieldErrors) -> None:
        self.rows: list[dict] = []
        self.errors = errors
        self.container = ui.column().classes('w-full gap-2')
        for case in cases:
            self.add(case)

    def add(self, case: dict | None = None) -> None:
        case = case or {'name': f'case {len(self.rows) + 1}', 'stdin': '', 'expected': '', 'hidden': False,
                        'weight': 1}
        with self.container, ui.card().classes('w-full p-2').props('data-testid=q-case flat bordered') as card:
            with ui.row().classes('w-full items-center gap-2'):
                row = {'card': card,
                       'name': ui.input('Name', value=case['name']).props('dense outlined data-testid=q-case-name'),
                       'hidden': ui.checkbox('Hidden from the candidate', value=case.get('hidden', False))
                       .props('data-testid=q-case-hidden'),
                       'weight': ui.number('Weight', value=case.get('weight', 1), min=1, max=100, precision=0)
                       .props('dense outlined data-testid=q-case-weight').style('width: 6rem')}
                ui.space()
                ui.button(icon='delete', on_click=lambda: self.remove(row)) \
                    .props('flat dense data-testid=q-case-remove aria-label="Remove this test case"')
            with ui.row().classes('w-full no-wrap gap-2'):
                row['stdin'] = ui.textarea('stdin', value=case.get('stdin', '')) \
                    .props('outlined autogrow data-testid=q-case-stdin spellcheck=false').classes('font-mono').style('width: 50%')
                row['expected'] = ui.textarea('Expected stdout', value=case.get('expected', '')) \
                    .props('outlined autogrow data-testid=q-case-expected spellcheck=false') \
                    .classes('font-mono').style('width: 50%')
            row['error'] = ui.label('').classes('text-xs text-red-400 whitespace-pre-wrap') \
                .props('data-testid=q-case-error role=alert')
        self.rows.append(row)

    def remove(self, row: dict) -> None:
        self.rows.remove(row)
        self.container.remove(row['card'])

    def values(self) -> list[dict]:
        return [{'name': row['name'].value or '', 'stdin': row['stdin'].value or '',
                 'expected': row['expected'].value or '', 'hidden': bool(row['hidden'].value),
                 'weight': int(row['weight'].value) if row['weight'].value is not None else 1} for row in self.rows]

    def show(self, problems: list[Problem]) -> None:
        for i, row in enumerate(self.rows):
            prefix = f'tests.{i}.'
            row['error'].set_text('\n'.join(f'{p.field.removeprefix(prefix)}: {p.message}' for p in problems
                                            if p.field.startswith(prefix)))


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or '').splitlines() if line.strip()]


class QuestionForm:
    """A dialog with the form; `on_save(question)` stores it and returns the problems to show (empty: saved)."""

    def __init__(self, question: Question | None, on_save: Callable[[Question], list[Problem]]) -> None:
        self.on_save = on_save
        self.new = question is None
        data = question.model_dump() if question else {'slug': '', 'title': '', 'prompt': '', 'difficulty': 'medium',
                                                       'tags': [], 'starters': {}, 'tests': [], 'guide': {}}
        guide = data.get('guide') or {}
        self.errors = FieldErrors()
        with ui.dialog().props('persistent full-width') as self.dialog, \
                ui.card().classes('w-full mx-auto').style('max-width: 64rem').props('data-testid=question-form'):
            ui.label('New question' if self.new else 'Edit question').classes('text-lg font-semibold')
            self.summary = ui.label('').classes('text-sm text-red-400 whitespace-pre-wrap') \
                .props('data-testid=q-errors role=alert')
            with ui.row().classes('w-full items-start gap-2'):
                with ui.column().classes('grow gap-1'):
                    self.title = ui.input('Title', value=data['title']) \
                        .props('outlined maxlength=200 data-testid=q-title').classes('w-full')
                    self.errors.add('title')
                with ui.column().classes('gap-1').style('width: 16rem'):
                    self.slug = ui.input('Slug (id in files)', value=data['slug']) \
                        .props('outlined maxlength=64 data-testid=q-slug').classes('w-full')
                    self.errors.add('slug')
                with ui.column().classes('w-40 gap-1'):
                    self.difficulty = ui.select(list(DIFFICULTIES), value=data['difficulty'], label='Difficulty') \
                        .props('outlined data-testid=q-difficulty').classes('w-full')
                    self.errors.add('difficulty')
            if self.new:  # a new question's slug follows its title until someone edits the slug itself
                self.title.on_value_change(lambda e: self._suggest_slug(e.value))
                self.slug.on('keydown', lambda: setattr(self, '_slug_followed', False))
            self.tags = ui.input('Tags (comma-separated)', value=', '.join(data['tags'])) \
                .props('outlined data-testid=q-tags').classes('w-full')
            self.errors.add('tags')
            with ui.row().classes('w-full no-wrap gap-2'):
                with ui.column().classes('gap-1').style('width: 50%'):
                    self.prompt = ui.textarea('Prompt (Markdown, shown to everybody)', value=data['prompt']) \
                        .props('outlined autogrow data-testid=q-prompt').classes('w-full')
                    self.errors.add('prompt')
                with ui.column().classes('gap-1').style('width: 50%'):
                    ui.label('Preview').classes('text-xs text-gray-500')
                    self.preview = PromptView().classes('w-full border rounded p-2') \
                        .props('data-testid=q-prompt-preview')
            self.prompt.on_value_change(lambda e: self.preview.set_content(e.value or ''))
            self.preview.set_content(data['prompt'])
            self.starters = CodeByLanguage('Starter code', 'q-starter', data['starters'], self.errors, 'starters')
            ui.label('Test cases').classes('font-medium')
            self.errors.add('tests')
            self.cases = CaseRows(data['tests'], self.errors)
            ui.button('Add test case', icon='add', on_click=lambda: self.cases.add()) \
                .props('flat data-testid=q-add-case')
            self._guide_fields(guide)
            with ui.row().classes('w-full gap-2'):
                ui.space()
                ui.button('Cancel', on_click=self.dialog.close).props('flat data-testid=q-cancel')
                ui.button('Save', icon='save', on_click=self.save).props('data-testid=q-save')
        self._slug_followed = self.new

    def _guide_fields(self, guide: dict) -> None:
        """What only interviewers see: hints, reference solutions, rubric criteria."""
        ui.separator()
        ui.label('Interviewer guide (never shown to the candidate)').classes('font-medium')
        self.hints = ui.textarea('Hints, one per line', value='\n'.join(guide.get('hints', []))) \
            .props('outlined autogrow data-testid=q-hints').classes('w-full')
        self.errors.add('guide.hints')
        self.solutions = CodeByLanguage('Reference solution', 'q-solution', guide.get('solutions', {}),
                                        self.errors, 'guide.solutions')
        self.criteria = ui.textarea('Rubric criteria, one per line', value='\n'.join(guide.get('criteria', []))) \
            .props('outlined autogrow data-testid=q-criteria').classes('w-full')
        self.errors.add('guide.criteria')

    def _suggest_slug(self, title: str) -> None:
        if self._slug_followed:
            self.slug.set_value(slug_of(title or ''))

    def values(self) -> dict:
        return {'slug': (self.slug.value or '').strip(), 'title': self.title.value or '',
                'prompt': self.prompt.value or '', 'difficulty': self.difficulty.value,
                'tags': [tag.strip() for tag in (self.tags.value or '').split(',') if tag.strip()],
                'starters': dict(self.starters.code), 'tests': self.cases.values(),
                'guide': {'hints': _lines(self.hints.value), 'solutions': dict(self.solutions.code),
                          'criteria': _lines(self.criteria.value)}}

    def save(self) -> None:
        self._slug_followed = False
        try:
            problems = self.on_save(validate(self.values()))
        except QuestionInvalid as e:
            problems = e.problems
        self.errors.show(problems)
        self.cases.show(problems)
        self.summary.set_text('\n'.join(map(str, problems)))
        if not problems:
            self.dialog.close()
