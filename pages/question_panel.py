"""The interview's question in the room: the prompt for everybody, the interviewer's guide and the Question picker
for interviewers only, and the starter code.

The guide and the picker are never built in a candidate's tab (like the notes), so nothing of them reaches a
candidate's browser. The prompt is Markdown written by a team member, shown to the candidate: raw HTML in it is
escaped on the server (markdown2's safe mode, which also refuses javascript: links) and DOMPurify sanitises what
is left in the browser.

Picking stores the interview's copy of the question (store.pick_question) and announces it through the room's
RunHub, which relays it to the other instances (pages/run_link.py): every tab then reads the question again from
the database, so all instances show the one copy the database holds. The relay is at-most-once, so a tab also
checks the stored question's version whenever a Run tests starts: a lost announcement heals by then. The starter goes into the room's pycrdt
document on the server (collab Room.write, origin SERVER), which syncs it like any edit; if the document holds
more than the language's template, the interviewer is asked first. Switching language offers that language's
starter with a button in the prompt panel.

Automation hooks: `prompt` (with `data-slug`), `prompt-title`, `prompt-body`, `pick-question`, `question-option`
(with `data-slug`), `question-guide`, `insert-starter` (with `data-language`), `starter-replace`, `starter-keep`.
"""

import asyncio
import logging

import markdown2
from nicegui import background_tasks, ui

from collab.document import replace_code
from components.collab_editor import CollabEditor
from languages import get_language
from presence import ParticipantView
from questions import Question, sample_questions
from store import list_questions, pick_question

from .services import Services
from .test_runs import current_question, question_version

log = logging.getLogger(__name__)


def prompt_html(markdown: str) -> str:
    """The prompt's Markdown as HTML with every raw HTML tag of it escaped (links only http(s), mailto, relative)."""
    return markdown2.markdown(markdown, safe_mode='escape', extras=['fenced-code-blocks', 'tables'])


def library(services: Services, team_id: str | None) -> list[Question]:
    """What the picker offers: the team's library, or the samples for an interview without a team or a team whose
    library is empty. A stored question that no longer validates is left out (logged)."""
    found = []
    for row in list_questions(services.engine, team_id) if team_id else []:
        try:
            found.append(Question.model_validate_json(row.body))
        except ValueError as error:
            log.warning('question %s of team %s does not validate: %s', row.id, team_id, error)
    return found or list(sample_questions())


def is_blank(code: str, language: str | None) -> bool:
    """Nothing worth keeping: empty, or still the language's starting template."""
    return not code.strip() or code.strip() == get_language(language or 'plaintext').template.strip()


class QuestionPanel(ui.column):
    def __init__(self, services: Services, interview, participant: ParticipantView, editor: CollabEditor,
                 on_tests=lambda has_tests: None) -> None:
        """:param on_tests: told whether the question has test cases (the Run tests button), on every change"""
        super().__init__()
        self.services = services
        self.interview_id = interview.id
        self.team_id = interview.team_id
        self.participant = participant
        self.on_tests = on_tests
        self.is_interviewer = participant.role == 'interviewer'
        self.question: Question | None = None
        self.language = interview.language
        self.classes('w-full gap-1 border rounded p-2')
        with self:
            with ui.row().classes('w-full items-center gap-2'):
                self.title = ui.label('No question yet').classes('text-lg font-semibold') \
                    .props('data-testid=prompt-title')
                ui.space()
                self.starter_button = ui.button(on_click=self.offer_starter).props('dense outline no-caps '
                                                                                   'data-testid=insert-starter')
                self.starter_button.set_visibility(False)
                if self.is_interviewer:
                    ui.button('Question', icon='quiz', on_click=self.open_picker) \
                        .props('dense outline data-testid=pick-question')
            self.body = ui.html('', sanitize=True).classes('w-full text-sm overflow-auto') \
                .style('max-height: 14rem').props('data-testid=prompt-body')
            self.guide = ui.expansion('Interviewer guide', icon='lock').classes('w-full text-sm') \
                .props('data-testid=question-guide dense') if self.is_interviewer else None
        self.props('data-testid=prompt')
        hub = services.runs.get(interview.id)
        self.version: str | None = None  # of the question shown (store: when it was picked)
        ui.context.client.on_delete(hub.subscribe(
            lambda event, record, chunk: event in ('question', 'tests_start') and self._later()))
        self._later()

    def _later(self) -> None:
        background_tasks.create(self.refresh(), name='question refresh')

    async def refresh(self) -> None:
        """Read the interview's question from the database and show it, if it is not the one shown."""
        version = await asyncio.to_thread(question_version, self.services, self.interview_id)
        if version == self.version:
            return
        question = await asyncio.to_thread(current_question, self.services, self.interview_id)
        if self.is_deleted:  # the tab closed meanwhile
            return
        self.question, self.version = question, version
        self.props(f'data-slug={question.slug if question else ""}')
        self.title.set_text(question.title if question else 'No question yet')
        self.body.set_content(prompt_html(question.prompt) if question else
                              ('<p>Pick one with the Question button.</p>' if self.is_interviewer else ''))
        if self.guide is not None:
            self._show_guide(question)
        self.on_tests(bool(question and question.tests))
        await self.set_language(self.language, notify=False)

    def _show_guide(self, question: Question | None) -> None:
        self.guide.clear()
        with self.guide:
            if question is None:
                ui.label('No question picked.').classes('text-gray-500')
                return
            for hint in question.guide.hints:
                ui.label(f'Hint: {hint}').classes('whitespace-pre-wrap')
            for language, solution in question.guide.solutions.items():
                ui.label(f'Reference solution ({get_language(language).label})').classes('font-semibold')
                ui.code(solution, language=language).classes('w-full text-xs')
            if question.guide.criteria:
                ui.label('Rubric: ' + ' · '.join(question.guide.criteria))
            hidden = [case.name for case in question.tests if case.hidden]
            ui.label(f'{len(question.tests)} test cases, hidden: {", ".join(hidden) or "none"}')

    async def set_language(self, language: str, *, notify: bool = True) -> None:
        """The document's language (this tab or another changed it): offer that language's starter."""
        changed = language != self.language
        self.language = language
        starter = self.question.starters.get(language) if self.question else None
        room = await self.services.rooms.get(self.interview_id)
        offer = starter is not None and room.text.strip() != starter.strip() and not room.ended
        label = get_language(language).label
        self.starter_button.set_text(f'Insert the {label} starter')
        self.starter_button.props(f'data-language={language}')
        self.starter_button.set_visibility(offer)
        if offer and changed and notify:
            ui.notify(f'This question has a {label} starter: "Insert the {label} starter" puts it in the editor.')

    async def offer_starter(self) -> None:
        await self._starter(ask=True)

    async def _starter(self, *, ask: bool) -> None:
        """Put the question's starter for the document's language into the document, asking first (`ask`) when
        the document holds more than its template."""
        room = await self.services.rooms.get(self.interview_id)
        starter = self.question.starters.get(room.language or 'plaintext') if self.question else None
        if starter is None or room.ended:
            return
        if ask and not is_blank(room.text, room.language):
            label = get_language(room.language or 'plaintext').label
            with ui.dialog() as dialog, ui.card().props('data-testid=starter-dialog'):
                ui.label(f'The editor holds code. Replace it with the {label} starter?')
                with ui.row():
                    ui.button('Replace', on_click=lambda: dialog.submit(True)).props('data-testid=starter-replace')
                    ui.button('Keep the code', on_click=lambda: dialog.submit(False)) \
                        .props('outline data-testid=starter-keep')
            replace = await dialog
            dialog.delete()
            if not replace:
                return
            room = await self.services.rooms.get(self.interview_id)
            if room.ended:
                return
        room.write(lambda doc: replace_code(doc, starter))
        self.starter_button.set_visibility(False)

    async def open_picker(self) -> None:
        questions = await asyncio.to_thread(library, self.services, self.team_id)
        with ui.dialog() as dialog, ui.card().style('width: 40rem; max-width: 90vw').props('data-testid=question-picker'):
            ui.label('Pick the question of this interview').classes('text-lg font-semibold')
            for question in questions:
                with ui.row().classes('w-full items-center gap-2'):
                    ui.button(question.title, on_click=lambda q=question: dialog.submit(q)) \
                        .props(f'flat no-caps align=left data-testid=question-option data-slug={question.slug}')
                    ui.label(question.difficulty).classes('text-xs text-gray-500')
            ui.button('Cancel', on_click=lambda: dialog.submit(None)).props('flat')
        picked = await dialog
        dialog.delete()
        if picked is not None:
            await self.pick(picked)

    async def pick(self, question: Question) -> None:
        """The interview uses `question` from now on: stored, announced to every tab, its starter offered."""
        row = await asyncio.to_thread(pick_question, self.services.engine, self.interview_id,
                                      question.model_dump_json(), self.participant.name[:40])
        self.question = question
        self.services.runs.get(self.interview_id).announce_question(row.picked_at.isoformat())
        await self._starter(ask=True)
