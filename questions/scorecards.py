"""Scorecards: what an interviewer may write on one, and whose scorecards each person may see.

Written once here, with no NiceGUI and no SQL, so that the room, the report and the dashboard apply the same rules
and the rules are tested without a server.

Anti-anchoring: an interviewer who is still forming an opinion must not read the others' first. So while a person
rates an interview and has not submitted, they see only their own scorecard; once theirs is submitted, they see every
submitted one. Drafts are never shown to anybody but their author, and a candidate sees nothing at all (the room
never builds a scorecard for them; `visible_scorecards` gives them nothing either, should a caller ask).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, Sequence, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt, TypeAdapter, ValidationError
from typing_extensions import Annotated

from .model import Criterion, Question

# The team's criteria when the interview's question has no rubric of its own (or there is no question).
DEFAULT_CRITERIA = ('Problem solving', 'Code quality', 'Communication', 'Testing')
_CRITERION = TypeAdapter(Criterion)
RECOMMENDATIONS = {'strong_no': 'Strong no', 'no': 'No', 'yes': 'Yes', 'strong_yes': 'Strong yes'}
SCORES = {1: '1 · poor', 2: '2 · mixed', 3: '3 · good', 4: '4 · excellent'}
MAX_CRITERIA = 12        # as many as a question's guide may list (questions.model.Guide)
MAX_COMMENT = 2_000      # characters of one criterion's comment
MAX_SUMMARY = 10_000     # characters of the summary

Role = Literal['interviewer', 'member', 'candidate']


class ScorecardError(ValueError):
    """A scorecard that cannot be saved as it is; the message says what to change."""


class Rating(BaseModel):
    model_config = ConfigDict(extra='forbid')
    criterion: Criterion
    score: Annotated[StrictInt, Field(ge=1, le=4)] | None = None  # None: not scored yet (a draft)
    comment: str = Field(default='', max_length=MAX_COMMENT)


class ScorecardInput(BaseModel):
    """A scorecard as its author writes it; `check` adds what pydantic cannot know (the interview's criteria)."""

    model_config = ConfigDict(extra='forbid')
    ratings: list[Rating] = Field(max_length=MAX_CRITERIA)
    recommendation: Literal['strong_no', 'no', 'yes', 'strong_yes'] | None = None
    summary: str = Field(default='', max_length=MAX_SUMMARY)


def criteria_for(question: Question | None, team_defaults: Sequence[str] = ()) -> list[str]:
    """The rubric of the interview's question, or the team's default criteria (its own, set on /team, or the
    built-in ones)."""
    if question is not None and question.guide.criteria:
        return list(question.guide.criteria)
    return list(team_defaults) or list(DEFAULT_CRITERIA)


def team_criteria_from(text: object) -> list[str]:
    """A team's default criteria from one name per line (blank lines skipped; none at all: the built-in ones), or
    ScorecardError saying what to change. Held to a question rubric's bounds (questions.model.Guide)."""
    if not isinstance(text, str):
        raise ScorecardError('the criteria must be text, one per line')
    names = [' '.join(line.split()) for line in text.splitlines() if line.strip()]
    problems = []
    for i, name in enumerate(names, 1):
        try:
            _CRITERION.validate_python(name)
        except ValidationError as e:
            problems.append(f'criterion {i}: {e.errors()[0]["msg"].lower()}')
    if len(names) > MAX_CRITERIA:
        problems.append(f'at most {MAX_CRITERIA} criteria, not {len(names)}')
    if len({name.casefold() for name in names}) != len(names):
        problems.append('each criterion once')
    if problems:
        raise ScorecardError('; '.join(problems))
    return names


def check(data: object, criteria: Sequence[str], *, complete: bool) -> ScorecardInput:
    """The scorecard `data` describes, or ScorecardError listing every problem. `complete` (submitting, or
    changing a submitted scorecard): every criterion scored and a recommendation chosen."""
    try:
        card = ScorecardInput.model_validate(data)
    except ValidationError as error:
        raise ScorecardError('; '.join(_problem(e, data) for e in error.errors())) from None
    if [rating.criterion for rating in card.ratings] != list(criteria):
        raise ScorecardError(f'ratings must be for the criteria {", ".join(criteria)}, in that order')
    problems = []
    unscored = [rating.criterion for rating in card.ratings if rating.score is None]
    if complete and unscored:
        problems.append(f'score every criterion before submitting (not scored: {", ".join(unscored)})')
    if complete and card.recommendation is None:
        problems.append('choose a recommendation before submitting')
    if problems:
        raise ScorecardError('; '.join(problems))
    return card


def _problem(error: dict, data: object) -> str:
    """'score of Testing: Input should be less than or equal to 4': a rating is named by its criterion."""
    loc = list(error['loc'])
    if len(loc) >= 2 and loc[0] == 'ratings' and isinstance(loc[1], int):
        try:
            name = data['ratings'][loc[1]]['criterion']  # type: ignore[index]
        except (TypeError, KeyError, IndexError):
            name = None
        named = f'criterion {loc[1] + 1}' if not isinstance(name, str) else repr(name[:60])
        loc = [*loc[2:], 'of', named] if len(loc) > 2 else [named]
    return f'{" ".join(str(part) for part in loc) or "the scorecard"}: {error["msg"]}'


class Card(Protocol):
    author_id: str
    submitted_at: datetime | None


C = TypeVar('C', bound=Card)


@dataclass(frozen=True)
class Visible:
    shown: list            # the scorecards this person may read, in the order given
    withheld: int          # others' submitted scorecards kept back until this person submits their own


def visible_scorecards(cards: Sequence[C], viewer_id: str | None, role: Role) -> Visible:
    """What `viewer_id` may read of an interview's scorecards.

    - 'candidate': nothing, and not even how many there are.
    - 'interviewer' (in the room: they rate this interview): their own; the others' submitted ones only once their
      own is submitted.
    - 'member' (a team member outside the room, e.g. the dashboard): every submitted one, unless they have an
      unsubmitted scorecard of this interview themselves (then they rate it: as an interviewer).
    Nobody reads another person's draft."""
    if role == 'candidate':
        return Visible([], 0)
    own = next((card for card in cards if viewer_id is not None and card.author_id == viewer_id), None)
    others = [card for card in cards if card is not own and card.submitted_at is not None]
    rating = role == 'interviewer' or own is not None
    if rating and (own is None or own.submitted_at is None):
        return Visible([own] if own is not None else [], len(others))
    return Visible([card for card in cards if card is own or card.submitted_at is not None], 0)


def recommendation_label(value: str | None) -> str:
    return RECOMMENDATIONS.get(value or '', 'no recommendation')


def summary_line(visible: Visible) -> str:
    """One line for a list: '2 scorecards: yes, strong yes' (submitted ones only), or what is withheld."""
    submitted = [card for card in visible.shown if card.submitted_at is not None]
    parts = []
    if submitted:
        labels = ', '.join(recommendation_label(getattr(card, 'recommendation', None)).lower() for card in submitted)
        parts.append(f'{len(submitted)} scorecard{"s" if len(submitted) != 1 else ""}: {labels}')
    if visible.withheld:
        parts.append(f'{visible.withheld} more shown once you submit yours')
    draft = any(card.submitted_at is None for card in visible.shown)
    if draft:
        parts.append('your scorecard is a draft')
    return ' · '.join(parts)
