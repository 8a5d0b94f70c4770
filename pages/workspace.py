"""The room once a tab has joined: the question's prompt, the shared editor, the people, the run console and the
tests' results, and a screen-reader announcer (who comes and goes, runs, the end: components/announcer.py); and for
interviewers the controls and documents candidates never receive (end/reopen, notes, playback, the question picker
and its guide, everybody's integrity signals on the chips). Those are not hidden on the candidate's page: they are
never built for it, so nothing of them reaches a candidate's browser. Every tab's own pastes and time away are
recorded (pages/signal_tab.py), whatever its role."""

from nicegui import ui

from languages import monaco_ids, select_options, type_declarations
from components.announcer import Announcer, PresenceAnnouncements
from components.collab_editor import CollabEditor
from components.participant_list import ParticipantList
from presence import ParticipantView

from .completion_link import CompletionLink
from .editor_session import EditorSession
from .notes_panel import NotesPanel
from .playback import open_playback
from .question_panel import QuestionPanel
from .run_panel import RunPanel, language_notes, show_language_notes
from .scorecard_panel import ScorecardButton
from .services import NotAllowed, Services, end_interview
from .signal_hub import SignalHub
from .signal_tab import SignalTab, show_on_chips


def workspace(services: Services, interview, participant: ParticipantView, signals: SignalHub) -> None:
    """:param signals: where this tab's pastes and time away are recorded (everybody's), and, for an interviewer,
        where everybody's come from to be shown on the chips"""
    interview_id = interview.id
    is_interviewer = participant.role == 'interviewer'
    announcer = Announcer()  # what a screen reader is told: comings and goings, runs, the end (not keystrokes)
    with ui.row().classes('w-full items-center gap-4'):
        language = ui.select(select_options(), label='Language').props('dense outlined data-testid=language-select') \
            .classes('w-48')
        show_language_notes(language, language_notes(services.runs.runner))
        people = ParticipantList(self_id=participant.id, on_follow=lambda pid: editor.follow(pid))  # editor: below
        ui.space()
        if is_interviewer:
            ui.button('Playback', icon='history', on_click=lambda: open_playback(services, interview)) \
                .props('outline data-testid=playback')
            ScorecardButton(services, interview, participant)
            end_button = ui.button('End interview', icon='stop_circle', color='negative') \
                .props('data-testid=end-interview')
            reopen_button = ui.button('Reopen', icon='play_circle').props('data-testid=reopen-interview outline')
    for other in services.presence.participants(interview_id):
        people.show(other)
    prompt = ui.element('div').classes('w-full')
    with ui.row().classes('w-full grow no-wrap gap-2'):
        editor = CollabEditor(interview_id, max_message_bytes=services.settings.max_message_bytes,
                              max_document_bytes=services.settings.max_document_bytes, monaco_ids=monaco_ids(),
                              type_declarations=type_declarations()) \
            .classes('grow h-full border rounded').props(f'data-participant-id={participant.id}')
        editor.style('min-height: 400px')
        CompletionLink(editor, services.rooms, services.completion, interview_id)
        editor.on_follow_end(lambda: people.set_following(None))
        if is_interviewer:
            NotesPanel(services, interview_id, participant).classes('w-1/3 h-full')
    panel = RunPanel(services, interview_id, participant, editor, interview.language, announce=announcer.say)
    with prompt:
        question = QuestionPanel(services, interview, participant, editor, on_tests=panel.set_has_tests)
    editor.on('run', panel.run)
    editor.on_ended(lambda e: panel.set_ended(bool(e.args)))
    _announce_end(editor, announcer)
    language.on_value_change(lambda e: e.value and editor.set_language(e.value))

    async def language_changed(e) -> None:
        language.set_value(e.language)
        panel.set_language(e.language)
        await question.set_language(e.language)
    editor.on_language(language_changed)
    if is_interviewer:
        _end_controls(services, interview_id, participant, editor, end_button, reopen_button)
    session = EditorSession(editor, services.rooms, services.presence, participant)
    SignalTab(session, signals)
    _show_presence(services, interview_id, participant, people, announcer)
    if is_interviewer:
        show_on_chips(signals, interview_id, people)
    session.attach()


def _end_controls(services: Services, interview_id: str, participant: ParticipantView, editor: CollabEditor,
                  end_button: ui.button, reopen_button: ui.button) -> None:
    """End and Reopen, one of them shown at a time: as this interviewer presses them, and as the document says
    (someone else ended or reopened it)."""
    async def set_ended(ended: bool) -> None:
        try:
            await end_interview(services, interview_id, participant.role, ended=ended, by=participant.name)
        except NotAllowed as e:
            ui.notify(str(e), type='negative')
            return
        # the pressed button goes: its counterpart takes its place and the focus (a keyboard user keeps theirs)
        end_button.set_visibility(not ended)
        reopen_button.set_visibility(ended)
        shown = reopen_button if ended else end_button
        ui.run_javascript(f'requestAnimationFrame(() => document.getElementById("c{shown.id}")?.focus())')

    end_button.on_click(lambda: set_ended(True))
    reopen_button.on_click(lambda: set_ended(False))
    reopen_button.set_visibility(False)

    def show_ended(e) -> None:
        end_button.set_visibility(not e.args)
        reopen_button.set_visibility(bool(e.args))
    editor.on_ended(show_ended)


def _show_presence(services: Services, interview_id: str, participant: ParticipantView, people: ParticipantList,
                   announcer: Announcer) -> None:
    """Every change of anybody's presence refreshes their chip, and a screen reader hears of others' comings and
    goings (components/announcer.py), until this tab's page is gone."""
    arrivals = PresenceAnnouncements(announcer, participant.id, services.presence.participants(interview_id))

    def changed(other: ParticipantView) -> None:
        people.show(other)
        arrivals.show(other)
    ui.context.client.on_delete(services.presence.subscribe(interview_id, changed))


def _announce_end(editor: CollabEditor, announcer: Announcer) -> None:
    """Say when the interview ends or is reopened: the editor reports it (its document says so) in every tab, and
    once as the page loads if it has ended already, which a person arriving then needs to hear too."""
    ended = False

    def changed(e) -> None:
        nonlocal ended
        if bool(e.args) != ended:
            ended = bool(e.args)
            announcer.say('The interview has ended. The code is read-only.' if ended
                          else 'The interview was reopened.')
    editor.on_ended(changed)
