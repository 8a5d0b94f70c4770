"""`/questions`: the team's question library for signed-in members (issue 15 §1). The list (title, difficulty, tags,
test cases visible and hidden, languages with a starter) with search by title and filters by difficulty and tag;
the form that creates and edits a question (pages/question_form.py); delete with confirmation; the project's
sample questions added in one press; import of a JSON or YAML file (all or nothing, every problem listed) and
export of one question or the whole library.

Every action checks the session again first (pages/dashboard.Guard) and reads or writes the database only, so any
instance serves any request and a member disabled a second ago can change nothing from a page opened before. A
server without an account has no team: the page sends the tab to `/`, where the first account is made.
"""

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from questions.files import MAX_FILE_BYTES, Format
from runner import CodeRunner
from store import delete_question, get_question, list_questions

from . import question_library as library
from .auth import Auth, sign_in_form
from .dashboard import Guard
from .question_form import QuestionForm
from .question_library import Problem, QuestionInvalid, SlugTaken
from .services import Services

ALL = ''


def register(services: Services, auth: Auth) -> None:
    @ui.page('/questions', title='Questions · Pairpad')
    def questions_page(request: Request):
        if not auth.workspace.claimed():
            return RedirectResponse('/', status_code=303)
        member = auth.member(request)
        if member is None:
            with ui.column().classes('w-full max-w-xl mx-auto mt-16 gap-4'):
                ui.label('Pairpad').classes('text-3xl font-bold')
                ui.label('Sign in to see your team\'s questions.')
            sign_in_form(auth, request, next='/questions')
            return None
        runner = services.runs.runner if services.runs is not None else None
        Library(auth, Guard(auth, request, member), runner).build()
        return None


class Library:
    def __init__(self, auth: Auth, guard: Guard, runner: CodeRunner | None) -> None:
        self.auth, self.guard, self.runner = auth, guard, runner
        self.engine = auth.workspace.engine

    def build(self) -> None:
        with ui.header().classes('items-center gap-2 bg-slate-800'):
            ui.button('Dashboard', icon='arrow_back', on_click=lambda: ui.navigate.to('/')) \
                .props('flat color=white data-testid=back-to-dashboard')
            ui.label('Questions').classes('text-lg font-semibold')
            ui.space()
            ui.label(self.guard.member.name).props('data-testid=member-name')
        with ui.column().classes('w-full gap-2 p-2'):
            with ui.row().classes('w-full items-end gap-2'):
                self.search = ui.input('Search by title', on_change=lambda: self.refresh()) \
                    .props('outlined dense clearable debounce=250 data-testid=q-search').style('width: 16rem')
                self.difficulty = ui.select({ALL: 'any difficulty', **{d: d for d in library.DIFFICULTIES}},
                                            value=ALL, on_change=lambda: self.refresh()) \
                    .props('outlined dense data-testid=q-filter-difficulty').classes('w-40')
                self.tag = ui.select({ALL: 'any tag'}, value=ALL, on_change=lambda: self.refresh()) \
                    .props('outlined dense data-testid=q-filter-tag').classes('w-40')
                ui.space()
                ui.button('New question', icon='add', on_click=lambda: self.edit(None)) \
                    .props('data-testid=q-new')
                ui.button('Add the sample questions', icon='library_add', on_click=self.add_samples) \
                    .props('outline data-testid=q-add-samples')
                ui.button('Import', icon='upload', on_click=self.import_dialog).props('outline data-testid=q-import')
                with ui.button('Export', icon='download').props('outline data-testid=q-export'):
                    with ui.menu():
                        ui.menu_item('All as YAML', on_click=lambda: self.export('yaml')) \
                            .props('data-testid=q-export-yaml')
                        ui.menu_item('All as JSON', on_click=lambda: self.export('json')) \
                            .props('data-testid=q-export-json')
            self.count = ui.label('').classes('text-sm text-gray-600').props('data-testid=q-count')
            self.rows = ui.column().classes('w-full gap-1').props('data-testid=question-list')
        self.refresh()

    # -- the list ------------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        member = self.guard.current()
        if member is None:
            return
        everything = [library.summary(row) for row in list_questions(self.engine, member.team_id)]
        tags = sorted({tag for question in everything for tag in question.tags})
        self.tag.set_options({ALL: 'any tag', **{tag: tag for tag in tags}},
                             value=self.tag.value if self.tag.value in tags else ALL)
        shown = [library.summary(row) for row in list_questions(
            self.engine, member.team_id, search=(self.search.value or '').strip(),
            difficulty=self.difficulty.value or None, tag=self.tag.value or None)]
        self.count.set_text(f'{len(shown)} of {len(everything)} question{"s" if len(everything) != 1 else ""}')
        self.rows.clear()
        with self.rows:
            if not everything:
                ui.label('No questions yet: write one, import a file, or add the sample questions.') \
                    .props('data-testid=q-empty')
            for question in shown:
                self._row(question)

    def _row(self, question: library.Summary) -> None:
        with ui.card().classes('w-full p-2').props('flat bordered') as card:
            # data attributes set as values, never parsed from a props string: titles and slugs are text from outside
            card.props.update({'data-testid': 'question-row', 'data-id': question.id, 'data-slug': question.slug})
            with ui.row().classes('w-full items-center gap-2'):
                ui.label(question.title).classes('font-medium').props('data-testid=q-row-title')
                ui.badge(question.difficulty).props('data-testid=q-row-difficulty')
                ui.label(', '.join(question.tags)).classes('text-sm text-gray-600').props('data-testid=q-row-tags')
                ui.space()
                ui.label(f'{question.visible_tests} visible · {question.hidden_tests} hidden tests') \
                    .classes('text-sm').props('data-testid=q-row-cases')
                ui.label(', '.join(question.languages) or 'no starters').classes('text-sm text-gray-600') \
                    .props('data-testid=q-row-languages')
                ui.button(icon='edit', on_click=lambda: self.edit(question.id)) \
                    .props('flat dense data-testid=q-row-edit aria-label=Edit')
                with ui.button(icon='download').props('flat dense data-testid=q-row-export aria-label=Export'):
                    with ui.menu():
                        ui.menu_item('YAML', on_click=lambda: self.export('yaml', question.id, question.slug))
                        ui.menu_item('JSON', on_click=lambda: self.export('json', question.id, question.slug))
                ui.button(icon='fact_check', on_click=lambda: self.check(question.id)) \
                    .props('flat dense data-testid=q-row-check aria-label="Check the reference solutions"')
                ui.button(icon='delete', on_click=lambda: self.confirm_delete(question)) \
                    .props('flat dense color=negative data-testid=q-row-delete aria-label=Delete')

    # -- actions ---------------------------------------------------------------------------------------------------

    def edit(self, question_id: str | None) -> None:
        member = self.guard.current()
        if member is None:
            return
        row = get_question(self.engine, member.team_id, question_id) if question_id else None
        if question_id and row is None:
            ui.notify('This question was deleted meanwhile.', type='warning')
            self.refresh()
            return

        def save(question) -> list[Problem]:
            current = self.guard.current()
            if current is None:
                return [Problem('', 'You are signed out.')]
            try:
                if question_id is None:
                    library.create(self.engine, current.team_id, question, current.name)
                elif library.update(self.engine, current.team_id, question_id, question, current.name) is None:
                    return [Problem('', 'This question was deleted meanwhile.')]
            except SlugTaken as e:
                return [Problem('slug', str(e))]
            ui.notify(f'Saved “{question.title}”.', type='positive')
            self.refresh()
            return []

        QuestionForm(library.load(row) if row else None, save).dialog.open()

    async def check(self, question_id: str) -> None:
        """Run every reference solution against every case in the sandbox: a question whose own solution fails
        its tests would fail every candidate."""
        member = self.guard.current()
        row = get_question(self.engine, member.team_id, question_id) if member is not None else None
        if row is None:
            return
        question = library.load(row)
        with ui.dialog() as dialog, ui.card().style('width: 40rem').props('data-testid=q-check-dialog'):
            ui.label(f'Reference solutions of “{question.title}”').classes('text-lg font-semibold')
            status = ui.label('Running every solution against every test case…').props('data-testid=q-check-status')
            results = ui.column().classes('w-full gap-1')
            ui.button('Close', on_click=dialog.close).props('flat data-testid=q-check-close')
        dialog.open()
        checked = await library.check_solutions(self.runner, question)
        with results:
            for language, outcome in checked:
                with ui.column().classes('gap-1') as block:
                    block.props.update({'data-testid': 'q-check-language', 'data-language': language})
                    if isinstance(outcome, str):
                        ui.label(f'{language}: not run: {outcome}').classes('text-sm text-red-400')
                        continue
                    ui.label(f'{language}: {outcome.passed} of {len(outcome.cases)} passed').classes('font-medium')
                    for case in outcome.cases:
                        with ui.row().classes('gap-2 text-sm') as line:
                            line.props.update({'data-testid': 'q-check-case', 'data-passed': str(case.passed).lower()})
                            ui.label('✓' if case.passed else '✗')
                            ui.label(case.name + (' (hidden)' if case.hidden else ''))
                            ui.label(case.reason).classes('text-gray-600')
        status.set_text('No reference solution to check.' if not checked else 'Done.')

    def confirm_delete(self, question: library.Summary) -> None:
        with ui.dialog() as dialog, ui.card().props('data-testid=q-delete-dialog'):
            ui.label(f'Delete “{question.title}” from the library?')
            ui.label('Interviews that used it keep their own copy.').classes('text-sm text-gray-600')
            with ui.row().classes('w-full'):
                ui.space()
                ui.button('Cancel', on_click=dialog.close).props('flat data-testid=q-delete-cancel')
                ui.button('Delete', color='negative', on_click=lambda: (dialog.close(), self._delete(question.id))) \
                    .props('data-testid=q-delete-confirm')
        dialog.open()

    def _delete(self, question_id: str) -> None:
        member = self.guard.current()
        if member is None:
            return
        delete_question(self.engine, member.team_id, question_id)
        self.refresh()

    def add_samples(self) -> None:
        member = self.guard.current()
        if member is None:
            return
        saved = library.add_samples(self.engine, member.team_id, member.name)
        added = len(saved.created)
        ui.notify(f'Added {added} sample question{"s" if added != 1 else ""}' +
                  (f'; the library already had {len(saved.skipped)}.' if saved.skipped else '.'),
                  type='positive' if added else 'info')
        self.refresh()

    def export(self, format: Format, question_id: str | None = None, stem: str = 'questions') -> None:
        member = self.guard.current()
        if member is None:
            return
        text = library.export(self.engine, member.team_id, format, question_id)
        if text is None:
            ui.notify('This question was deleted meanwhile.', type='warning')
            return
        ui.download.content(text, library.file_name(stem, format),
                            'application/json' if format == 'json' else 'application/yaml')

    def import_dialog(self) -> None:
        with ui.dialog() as dialog, ui.card().style('width: 36rem').props('data-testid=q-import-dialog'):
            ui.label('Import questions').classes('text-lg font-semibold')
            ui.label('A JSON or YAML file: one question, or {questions: [...]}. If anything in it is invalid, '
                     'nothing is imported.').classes('text-sm text-gray-600')
            replace = ui.checkbox('Replace questions that have the same slug').props('data-testid=q-import-replace')
            result = ui.label('').classes('text-sm').props('data-testid=q-import-result role=status')
            problems = ui.column().classes('gap-1').props('data-testid=q-import-problems')

            async def received(e) -> None:
                member = self.guard.current()
                if member is None:
                    return
                problems.clear()
                name = e.file.name or ''
                fmt: Format | None = 'json' if name.lower().endswith('.json') else \
                    'yaml' if name.lower().endswith(('.yaml', '.yml')) else None
                try:
                    if e.file.size() > MAX_FILE_BYTES:  # the browser checks too; this is for those that do not
                        raise QuestionInvalid([Problem('', f'the file is larger than {MAX_FILE_BYTES} bytes')])
                    questions = library.parse_file(await e.file.read(), fmt)
                    saved = library.import_questions(self.engine, member.team_id, questions, member.name,
                                                     on_taken='replace' if replace.value else 'refuse')
                except QuestionInvalid as error:
                    self._show_problems(result, problems, f'Nothing was imported from {name}:', error.problems)
                    return
                except SlugTaken as error:
                    self._show_problems(result, problems, f'Nothing was imported from {name}:',
                                        [Problem('', f'{error}; tick “Replace” to replace them')])
                    return
                result.set_text(f'Imported {len(saved.created)} new and replaced {len(saved.replaced)} from {name}.')
                self.refresh()

            ui.upload(label='Choose a .json or .yaml file', auto_upload=True, max_file_size=MAX_FILE_BYTES,
                      on_upload=received,
                      on_rejected=lambda: result.set_text(f'The file is larger than {MAX_FILE_BYTES} bytes.')) \
                .props('accept=".json,.yaml,.yml" data-testid=q-import-upload').classes('w-full')
            ui.button('Close', on_click=dialog.close).props('flat data-testid=q-import-close')
        dialog.open()

    @staticmethod
    def _show_problems(result: ui.label, container: ui.column, heading: str, problems: list[Problem]) -> None:
        result.set_text(heading)
        with container:
            for problem in problems:
                ui.label(str(problem)).classes('text-sm text-red-400').props('data-testid=q-import-problem')
