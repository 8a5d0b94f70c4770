"""The interviewer's scorecard in the room: each criterion of the question's rubric (or the team's defaults) scored
1-4 with a comment, an overall recommendation and a summary; saved as a draft or submitted; and, once submitted,
the other interviewers' submitted scorecards.

Built only on interviewers' pages (pages/workspace.py), like the notes: nothing of a scorecard is ever built in a
candidate's tab, so nothing of one reaches a candidate's browser. What an interviewer reads of the others' is
decided on the server by questions.scorecards.visible_scorecards (anti-anchoring: nothing of the others' until
their own is submitted), and every save is checked there too (questions.scorecards.check), whatever the tab sent.

A scorecard belongs to the signed-in account when the room's page request carries a member of the interview's team
(so two tabs, or a tab reopened tomorrow, write one scorecard), else to the participant of a link-only interviewer.
The tab's author is kept in NiceGUI's per-connection storage, where the room's Report button finds it
(pages/report.py): the report then applies the same rule.

Automation hooks: `scorecard` (the button), `scorecard-dialog` (`data-state` new|draft|submitted),
`scorecard-criterion` per criterion (`data-index`, `data-criterion`) holding `scorecard-score` (a toggle whose
buttons read '1 · poor' … '4 · excellent') and `scorecard-comment`; `scorecard-recommendation` (a toggle: 'Strong
no', 'No', 'Yes', 'Strong yes'), `scorecard-summary`, `scorecard-save`, `scorecard-submit`, `scorecard-close`,
`scorecard-error`, `scorecard-status`; `scorecard-others` holding `scorecard-other` per readable scorecard of
another interviewer (`data-author`, `data-recommendation`) and `scorecard-withheld` (`data-count`).
"""

import asyncio
import json
import logging
from dataclasses import dataclass

from nicegui import app, ui

from presence import ParticipantView
from questions.scorecards import (MAX_COMMENT, MAX_SUMMARY, RECOMMENDATIONS, SCORES, ScorecardError, check,
                                  criteria_for, recommendation_label, visible_scorecards)
from store import list_scorecards, save_scorecard
from store.accounts import team_criteria
from store.questions import ScorecardSubmitted
from store.question_models import Scorecard

from .services import Services, find_interview
from .test_runs import current_question

log = logging.getLogger(__name__)

AUTHOR_KEY = 'pairpad:scorecard-author'  # in app.storage.client: this tab's scorecard author id


@dataclass(frozen=True)
class Author:
    id: str
    name: str


def room_author(services: Services, interview, participant: ParticipantView) -> Author:
    """The account of the signed-in member of the interview's team this page was opened by, else the participant."""
    member = None
    if services.member_of is not None and interview.team_id is not None:
        try:
            member = services.member_of(ui.context.client.request)
        except RuntimeError:  # a page without a request: nobody signed in
            member = None
    if member is not None and member.team_id == interview.team_id:
        return Author(member.id, member.name[:40])
    return Author(participant.id, participant.name[:40])


def tab_author() -> str | None:
    """The scorecard author of the current tab, if it built a scorecard button (an interviewer who joined)."""
    return app.storage.client.get(AUTHOR_KEY)


def ratings_of(card: Scorecard | None) -> list[dict]:
    try:
        ratings = json.loads(card.ratings) if card is not None else []
    except ValueError:
        return []
    return [r for r in ratings if isinstance(r, dict)] if isinstance(ratings, list) else []


def scorecard_criteria(services: Services, interview_id: str, own: Scorecard | None) -> list[str]:
    """What a scorecard rates: a submitted one keeps the criteria it was submitted with (the question may have
    changed since); otherwise the interview's question's rubric, or the defaults."""
    if own is not None and own.submitted_at is not None:
        return [str(r.get('criterion', '')) for r in ratings_of(own)]
    interview = find_interview(services, interview_id)
    defaults = team_criteria(services.engine, interview.team_id) if interview and interview.team_id else []
    return criteria_for(current_question(services, interview_id), defaults)


def write_scorecard(services: Services, interview_id: str, author: Author, data: object, *,
                    submit: bool) -> Scorecard:
    """Save `author`'s scorecard (ScorecardError if it is not valid). Once submitted, a scorecard stays complete:
    a change must still score every criterion and keep a recommendation."""
    own = _own(list_scorecards(services.engine, interview_id), author.id)
    criteria = scorecard_criteria(services, interview_id, own)
    card = check(data, criteria, complete=submit or (own is not None and own.submitted_at is not None))
    complete = card.recommendation is not None and all(rating.score is not None for rating in card.ratings)
    try:  # `own` may be older than a submission from another tab: the store checks again in its transaction
        return save_scorecard(services.engine, interview_id, author.id, author.name,
                              ratings=json.dumps([r.model_dump() for r in card.ratings], ensure_ascii=False),
                              recommendation=card.recommendation, summary=card.summary, submit=submit,
                              complete=complete)
    except ScorecardSubmitted as conflict:
        raise ScorecardError(str(conflict)) from None


def _own(cards: list[Scorecard], author_id: str) -> Scorecard | None:
    return next((card for card in cards if card.author_id == author_id), None)


class ScorecardButton(ui.button):
    def __init__(self, services: Services, interview, participant: ParticipantView) -> None:
        super().__init__('Scorecard', icon='grading', on_click=self.open)
        self.props('outline data-testid=scorecard')
        self.services = services
        self.interview_id = interview.id
        self.author = room_author(services, interview, participant)
        app.storage.client[AUTHOR_KEY] = self.author.id

    def _read(self) -> tuple[list[Scorecard], list[str]]:
        cards = list_scorecards(self.services.engine, self.interview_id)
        return cards, scorecard_criteria(self.services, self.interview_id, _own(cards, self.author.id))

    async def open(self) -> None:
        cards, criteria = await asyncio.to_thread(self._read)
        own = _own(cards, self.author.id)
        stored = {str(r.get('criterion')): r for r in ratings_of(own)}
        with ui.dialog() as dialog, ui.card().style('width: 48rem; max-width: 95vw') as card:
            card.props(f'data-testid=scorecard-dialog data-state={_state(own)}')
            with ui.row().classes('w-full items-center gap-2'):
                ui.label('Your scorecard').classes('text-lg font-semibold')
                status = ui.label(_status(own)).classes('text-xs text-gray-500').props('data-testid=scorecard-status')
            fields = [self._criterion(index, name, stored.get(name, {})) for index, name in enumerate(criteria)]
            ui.label('Overall recommendation').classes('font-semibold')
            recommendation = ui.toggle(RECOMMENDATIONS, value=own.recommendation if own else None, clearable=True) \
                .props('data-testid=scorecard-recommendation no-caps')
            summary = ui.textarea('Summary', value=own.summary if own else '') \
                .props(f'data-testid=scorecard-summary outlined maxlength={MAX_SUMMARY}').classes('w-full')
            error = ui.label('').classes('text-sm whitespace-pre-wrap').style('color: #b91c1c') \
                .props('data-testid=scorecard-error')
            with ui.row().classes('gap-2'):
                save = ui.button('Save draft').props('outline data-testid=scorecard-save')
                submit = ui.button('Submit', icon='send').props('data-testid=scorecard-submit')
                ui.button('Close', on_click=dialog.close).props('flat data-testid=scorecard-close')
            others = ui.column().classes('w-full gap-2').props('data-testid=scorecard-others')

        def collect() -> dict:
            return {'ratings': [{'criterion': name, 'score': score.value, 'comment': comment.value or ''}
                                for name, score, comment in fields],
                    'recommendation': recommendation.value, 'summary': summary.value or ''}

        async def store(submitting: bool) -> None:
            try:
                row = await asyncio.to_thread(write_scorecard, self.services, self.interview_id, self.author,
                                              collect(), submit=submitting)
            except ScorecardError as problem:
                error.set_text(str(problem))
                return
            error.set_text('')
            card.props(f'data-state={_state(row)}')
            status.set_text(_status(row))
            self._submitted(row, save, submit)
            await self._show_others(others)

        save.on_click(lambda: store(False))
        submit.on_click(lambda: store(True))
        self._submitted(own, save, submit)
        await self._show_others(others, cards)
        dialog.on_value_change(lambda e: e.value or dialog.delete())
        dialog.open()

    def _criterion(self, index: int, name: str, stored: dict) -> tuple[str, ui.toggle, ui.input]:
        with ui.column().classes('w-full gap-1 border rounded p-2') as box:
            box.props(f'data-testid=scorecard-criterion data-index={index}')
            box._props['data-criterion'] = name  # a prop, not the props string: any character is safe
            ui.label(name).classes('font-semibold')
            score = stored.get('score') if stored.get('score') in SCORES else None
            toggle = ui.toggle(SCORES, value=score, clearable=True).props('data-testid=scorecard-score no-caps')
            comment = ui.input('Comment', value=str(stored.get('comment', ''))[:MAX_COMMENT]) \
                .props(f'data-testid=scorecard-comment dense outlined maxlength={MAX_COMMENT}').classes('w-full')
        return name, toggle, comment

    @staticmethod
    def _submitted(own: Scorecard | None, save: ui.button, submit: ui.button) -> None:
        """A submitted scorecard can still be corrected (Save changes), not submitted again."""
        done = own is not None and own.submitted_at is not None
        save.set_text('Save changes' if done else 'Save draft')
        submit.set_visibility(not done)

    async def _show_others(self, others: ui.column, cards: list[Scorecard] | None = None) -> None:
        if cards is None:
            cards = await asyncio.to_thread(list_scorecards, self.services.engine, self.interview_id)
        visible = visible_scorecards(cards, self.author.id, 'interviewer')
        others.clear()
        with others:
            ui.label("The other interviewers' scorecards").classes('font-semibold')
            shown = [card for card in visible.shown if card.author_id != self.author.id]
            for card in shown:
                _other(card)
            if visible.withheld:
                ui.label(f'{visible.withheld} submitted: shown once you submit yours (so that nobody anchors on '
                         'another opinion).').classes('text-sm text-gray-500') \
                    .props(f'data-testid=scorecard-withheld data-count={visible.withheld}')
            elif not shown:
                ui.label('None submitted yet.').classes('text-sm text-gray-500')


def _other(card: Scorecard) -> None:
    with ui.column().classes('w-full gap-1 border rounded p-2') as box:
        box.props(f'data-testid=scorecard-other data-recommendation={card.recommendation or ""}')
        box._props['data-author'] = card.author_name
        ui.label(f'{card.author_name}: {recommendation_label(card.recommendation)}').classes('font-semibold')
        for rating in ratings_of(card):
            comment = f' — {rating.get("comment")}' if rating.get('comment') else ''
            ui.label(f'{rating.get("criterion", "")}: {rating.get("score") or "—"}/4{comment}') \
                .classes('text-sm whitespace-pre-wrap')
        if card.summary:
            ui.label(card.summary).classes('text-sm whitespace-pre-wrap')


def _state(card: Scorecard | None) -> str:
    return 'new' if card is None else 'submitted' if card.submitted_at is not None else 'draft'


def _status(card: Scorecard | None) -> str:
    if card is None:
        return 'not started'
    if card.submitted_at is not None:
        return f'submitted {card.submitted_at:%Y-%m-%d %H:%M} UTC'
    return f'draft saved {card.updated_at:%H:%M:%S} UTC'
