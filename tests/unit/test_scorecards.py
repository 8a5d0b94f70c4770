"""Scorecards (issue 15 §3) without a browser: what may be written on one (questions.scorecards.check, and the room's
save through pages.scorecard_panel.write_scorecard on a real store), whose scorecards each person may read
(visible_scorecards: anti-anchoring, never a candidate), the dashboard's line, and the report's scorecards and test
runs with hostile names and comments escaped."""

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from collab import RoomRegistry, initial_update
from config import Settings
from pages.report import build_report
from pages.scorecard_panel import Author, write_scorecard
from pages.services import Services
from presence import PresenceService
from questions import Guide, Question, sample_questions
from questions.scorecards import (DEFAULT_CRITERIA, MAX_COMMENT, MAX_SUMMARY, ScorecardError, Visible, check,
                                  criteria_for, summary_line, team_criteria_from, visible_scorecards)
from store import (SqlUpdateLog, TestRunRow, create_db, create_interview, list_scorecards, pick_question,
                   save_scorecard)
from store.question_models import Scorecard
from store.questions import ScorecardSubmitted, scorecards_of

AT = datetime(2026, 3, 1, 14, 2, tzinfo=timezone.utc)


def _card(criteria=DEFAULT_CRITERIA, score=3, **fields) -> dict:
    return {'ratings': [{'criterion': c, 'score': score, 'comment': ''} for c in criteria], **fields}


# -- what may be written --------------------------------------------------------------------------------------------

def test_a_draft_may_leave_scores_and_the_recommendation_open():
    card = check(_card(score=None), DEFAULT_CRITERIA, complete=False)
    assert [r.score for r in card.ratings] == [None] * 4 and card.recommendation is None


def test_a_submission_needs_every_criterion_scored_and_a_recommendation():
    data = _card()
    data['ratings'][1]['score'] = None
    with pytest.raises(ScorecardError) as refused:
        check(data, DEFAULT_CRITERIA, complete=True)
    assert str(refused.value) == ('score every criterion before submitting (not scored: Code quality); '
                                  'choose a recommendation before submitting')
    done = check(_card(score=4, recommendation='strong_yes'), DEFAULT_CRITERIA, complete=True)
    assert done.recommendation == 'strong_yes'


@pytest.mark.parametrize('score, message', [
    (0, "score of 'Problem solving': Input should be greater than or equal to 1"),
    (5, "score of 'Problem solving': Input should be less than or equal to 4"),
    ('3', "score of 'Problem solving': Input should be a valid integer"),
    (True, "score of 'Problem solving': Input should be a valid integer"),
    (2.5, "score of 'Problem solving': Input should be a valid integer"),
])
def test_scores_are_whole_numbers_from_1_to_4_and_the_error_names_the_criterion(score, message):
    data = _card()
    data['ratings'][0]['score'] = score
    with pytest.raises(ScorecardError) as refused:
        check(data, DEFAULT_CRITERIA, complete=False)
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize('data, message', [
    (_card(recommendation='maybe'), "recommendation: Input should be 'strong_no', 'no', 'yes' or 'strong_yes'"),
    (_card(summary='x' * (MAX_SUMMARY + 1)), f'summary: String should have at most {MAX_SUMMARY} characters'),
    (_card(verdict='hire'), 'verdict: Extra inputs are not permitted'),
    ({'ratings': 'all good'}, 'ratings: Input should be a valid list'),
    ([], 'the scorecard: Input should be a valid dictionary'),
    (None, 'the scorecard: Input should be a valid dictionary'),
])
def test_a_bad_recommendation_summary_or_shape_is_refused_with_what_is_wrong(data, message):
    with pytest.raises(ScorecardError) as refused:
        check(data, DEFAULT_CRITERIA, complete=False)
    assert str(refused.value).startswith(message)


def test_comments_are_bounded():
    data = _card()
    data['ratings'][3]['comment'] = 'x' * (MAX_COMMENT + 1)
    with pytest.raises(ScorecardError, match=f"comment of 'Testing': String should have at most {MAX_COMMENT}"):
        check(data, DEFAULT_CRITERIA, complete=False)
    data['ratings'][3]['comment'] = 'x' * MAX_COMMENT
    assert check(data, DEFAULT_CRITERIA, complete=False).ratings[3].comment == 'x' * MAX_COMMENT


@pytest.mark.parametrize('criteria', [DEFAULT_CRITERIA[:3], DEFAULT_CRITERIA + ('Charm',),
                                      tuple(reversed(DEFAULT_CRITERIA)), ('Problem solving',) * 4])
def test_the_ratings_are_for_the_interviews_criteria_exactly(criteria):
    with pytest.raises(ScorecardError, match='ratings must be for the criteria Problem solving, Code quality, '
                                             'Communication, Testing, in that order'):
        check(_card(criteria), DEFAULT_CRITERIA, complete=False)


def test_the_criteria_are_the_questions_rubric_or_the_defaults():
    question = next(iter(sample_questions()))
    with_rubric = question.model_copy(update={'guide': Guide(criteria=['Edge cases', 'Complexity'])})
    without = question.model_copy(update={'guide': Guide()})
    assert criteria_for(with_rubric) == ['Edge cases', 'Complexity']
    assert criteria_for(without) == criteria_for(None) == list(DEFAULT_CRITERIA)
    assert criteria_for(without, ['Ownership']) == criteria_for(None, ['Ownership']) == ['Ownership']  # the team's
    assert criteria_for(with_rubric, ['Ownership']) == ['Edge cases', 'Complexity']  # the question's rubric first


@pytest.mark.parametrize('text, problem', [
    ('x' * 201, 'criterion 1: string should have at most 200 characters'),
    ('Clarity\nclarity', 'each criterion once'),
    ('\n'.join(f'c{i}' for i in range(13)), 'at most 12 criteria, not 13'),
    (['Clarity'], 'the criteria must be text, one per line'),
])
def test_a_teams_default_criteria_are_refused_with_what_is_wrong(text, problem):
    with pytest.raises(ScorecardError, match=problem):
        team_criteria_from(text)
    assert team_criteria_from('  Ownership \n\n Code   quality\n') == ['Ownership', 'Code quality']
    assert team_criteria_from('\n \n') == []  # none: the built-in ones


def test_a_teams_default_criteria_are_what_its_scorecards_rate_without_a_rubric(services):
    from accounts import Passwords, Workspace, WorkspaceError
    workspace = Workspace(services.engine, secret='s', passwords=Passwords.cheap())
    ann = workspace.create_member(email='ann@example.com', name='Ann', password='a password 1', is_admin=True)
    bob = workspace.create_member(email='bob@example.com', name='Bob', password='a password 1', is_admin=False)
    with pytest.raises(WorkspaceError, match='Only an administrator'):
        workspace.set_scorecard_criteria(bob, 'Mine')
    with pytest.raises(WorkspaceError, match='each criterion once'):
        workspace.set_scorecard_criteria(ann, 'A\na')
    assert workspace.set_scorecard_criteria(ann, 'Ownership\nClarity') == ['Ownership', 'Clarity']
    ours = create_interview(services.engine, title='I', language='python', initial_update=initial_update('python'),
                            team_id=ann.team_id)
    outside = create_interview(services.engine, title='O', language='python', initial_update=initial_update('python'))
    with pytest.raises(ScorecardError, match='ratings must be for the criteria Ownership, Clarity'):
        write_scorecard(services, ours.id, Author(ann.id, 'Ann'), _card(recommendation='yes'), submit=True)
    write_scorecard(services, ours.id, Author(ann.id, 'Ann'), _card(['Ownership', 'Clarity'], recommendation='yes'),
                    submit=True)
    write_scorecard(services, outside.id, Author('p', 'P'), _card(recommendation='no'), submit=True)  # no team
    assert workspace.set_scorecard_criteria(ann, '') == []
    write_scorecard(services, ours.id, Author(bob.id, 'Bob'), _card(recommendation='no'), submit=True)  # built-in
    assert [(a.actor, a.action) for a in workspace.activity(ann)][:2] == [
        ('Ann', 'set the scorecard criteria'), ('Ann', 'set the scorecard criteria')]


# -- who reads whose -----------------------------------------------------------------------------------------------

@dataclass
class Card:
    author_id: str
    submitted_at: datetime | None
    recommendation: str | None = None


ANN_SUBMITTED, BOB_DRAFT, CY_SUBMITTED = Card('ann', AT, 'yes'), Card('bob', None, 'no'), Card('cy', AT, 'strong_yes')
CARDS = [ANN_SUBMITTED, BOB_DRAFT, CY_SUBMITTED]


def test_a_candidate_reads_nothing_not_even_how_many():
    for viewer in ('ann', 'nobody', None):
        assert visible_scorecards(CARDS, viewer, 'candidate') == Visible([], 0)


def test_an_interviewer_reads_the_others_only_after_submitting_their_own():
    assert visible_scorecards(CARDS, 'dan', 'interviewer') == Visible([], 2)  # no scorecard yet
    assert visible_scorecards(CARDS, None, 'interviewer') == Visible([], 2)  # not joined yet
    assert visible_scorecards(CARDS, 'bob', 'interviewer') == Visible([BOB_DRAFT], 2)  # a draft
    assert visible_scorecards(CARDS, 'ann', 'interviewer') == Visible([ANN_SUBMITTED, CY_SUBMITTED], 0)


def test_nobody_reads_another_persons_draft():
    for viewer, role in (('ann', 'interviewer'), ('cy', 'member'), ('eve', 'member'), (None, 'member')):
        assert BOB_DRAFT not in visible_scorecards(CARDS, viewer, role).shown


def test_a_member_outside_the_room_reads_the_submitted_ones_unless_their_own_is_a_draft():
    assert visible_scorecards(CARDS, 'eve', 'member') == Visible([ANN_SUBMITTED, CY_SUBMITTED], 0)
    assert visible_scorecards(CARDS, 'bob', 'member') == Visible([BOB_DRAFT], 2)
    assert visible_scorecards([], 'eve', 'member') == Visible([], 0)


def test_the_dashboards_line_names_the_submitted_recommendations():
    assert summary_line(visible_scorecards(CARDS, 'eve', 'member')) == '2 scorecards: yes, strong yes'
    assert summary_line(visible_scorecards([CY_SUBMITTED], 'eve', 'member')) == '1 scorecard: strong yes'
    assert summary_line(visible_scorecards(CARDS, 'bob', 'member')) == \
        '2 more shown once you submit yours · your scorecard is a draft'
    assert summary_line(Visible([], 0)) == ''


# -- the room's save, on a real store -------------------------------------------------------------------------------

@pytest.fixture
def services(database_url):
    engine = create_db(database_url)
    yield Services(settings=Settings(), engine=engine, rooms=RoomRegistry(SqlUpdateLog(engine)),
                   presence=PresenceService(engine), runs=None)
    engine.dispose()


def test_the_room_saves_one_scorecard_per_author_checked_against_the_questions_rubric(services):
    interview = create_interview(services.engine, title='I', language='python', initial_update=initial_update('python'))
    ann, bob = Author('acc-ann', 'Ann'), Author('p-bob', 'Bob')
    write_scorecard(services, interview.id, ann, _card(score=None, summary='first look'), submit=False)
    with pytest.raises(ScorecardError, match='choose a recommendation'):
        write_scorecard(services, interview.id, ann, _card(), submit=True)
    write_scorecard(services, interview.id, ann, _card(recommendation='yes'), submit=True)
    with pytest.raises(ScorecardError, match='score every criterion'):  # a submitted one stays complete
        write_scorecard(services, interview.id, ann, _card(score=None, recommendation='yes'), submit=False)

    rubric = ['Edge cases', 'Complexity']
    question = Question(slug='q', title='Q', prompt='p', guide=Guide(criteria=rubric))
    pick_question(services.engine, interview.id, question.model_dump_json(), 'Ann')
    with pytest.raises(ScorecardError, match='ratings must be for the criteria Edge cases, Complexity'):
        write_scorecard(services, interview.id, bob, _card(recommendation='no'), submit=True)
    write_scorecard(services, interview.id, bob, _card(rubric, score=2, recommendation='no'), submit=True)
    # Ann's was submitted with the defaults: it keeps them after the question changed
    write_scorecard(services, interview.id, ann, _card(score=4, recommendation='strong_yes'), submit=False)

    cards = list_scorecards(services.engine, interview.id)
    assert [(c.author_id, c.recommendation, c.submitted_at is not None) for c in cards] == [
        ('p-bob', 'no', True), ('acc-ann', 'strong_yes', True)]
    assert [r['criterion'] for r in json.loads(cards[0].ratings)] == rubric
    assert cards[0].submitted_at.tzinfo is not None  # aware on SQLite too
    assert scorecards_of(services.engine, [interview.id, 'unknown']) == {interview.id: cards}
    assert scorecards_of(services.engine, []) == {}


def test_a_submitted_scorecard_refuses_an_incomplete_version_inside_the_store_transaction(services):
    """What a second tab's draft save meets when its own read came before the first tab's submission: the store
    checks the stored row, not the caller's idea of it."""
    interview = create_interview(services.engine, title='I', language='python', initial_update=initial_update('python'))
    write_scorecard(services, interview.id, Author('acc-ann', 'Ann'), _card(recommendation='yes', summary='final'),
                    submit=True)
    with pytest.raises(ScorecardSubmitted, match='has been submitted'):
        save_scorecard(services.engine, interview.id, 'acc-ann', 'Ann', ratings='[]', recommendation=None,
                       summary='stale draft', submit=False, complete=False)
    (card,) = list_scorecards(services.engine, interview.id)
    assert (card.summary, card.recommendation, card.submitted_at is not None) == ('final', 'yes', True)


def test_a_draft_racing_a_submission_from_another_tab_never_leaves_it_submitted_and_incomplete(services):
    """Two tabs of one author, started together on threads (as the room's to_thread calls are), 8 times: the
    submission and an incomplete draft. In whichever order they reach the store, the scorecard ends submitted and
    complete, and a refused draft says why."""
    ann = Author('acc-ann', 'Ann')
    for _ in range(8):
        interview = create_interview(services.engine, title='I', language='python',
                                     initial_update=initial_update('python'))
        write_scorecard(services, interview.id, ann, _card(score=None, summary='first look'), submit=False)
        start = threading.Barrier(2)
        refused: list[str] = []

        def tab(data: dict, submit: bool) -> None:
            start.wait()
            try:
                write_scorecard(services, interview.id, ann, data, submit=submit)
            except ScorecardError as error:
                refused.append(str(error))

        tabs = [threading.Thread(target=tab, args=(_card(recommendation='yes', summary='final'), True)),
                threading.Thread(target=tab, args=(_card(score=None, summary='draft'), False))]
        for thread in tabs:
            thread.start()
        for thread in tabs:
            thread.join(30)
        (card,) = list_scorecards(services.engine, interview.id)
        assert card.submitted_at is not None and card.recommendation == 'yes'
        assert all(rating['score'] == 3 for rating in json.loads(card.ratings)) and card.summary == 'final'
        # the draft saved first and then overwritten, or refused: read before the submission or after it
        assert all('has been submitted' in text or 'score every criterion' in text for text in refused)


# -- the report ----------------------------------------------------------------------------------------------------

HOSTILE = '<img src=x onerror=alert(1)>'


def _report(**fields) -> str:
    return build_report(title='T', created_at=AT, ended_at=None, language='python', code='', participants=[],
                        runs=[], notes='', generated_at=AT, **fields)


def _stored_card(author: str, **fields):
    card = {'interview_id': 'i', 'author_id': author, 'author_name': f'{author} {HOSTILE}', 'recommendation': 'yes',
            'summary': f'line one\n{HOSTILE}', 'submitted_at': AT,
            'ratings': json.dumps([{'criterion': f'Taste {HOSTILE}', 'score': 4, 'comment': f'</td>{HOSTILE}'}])}
    return Scorecard(id=author, **{**card, **fields})


def test_the_report_shows_the_readers_scorecards_escaped_and_counts_the_withheld():
    ann, bob = _stored_card('ann'), _stored_card('bob', submitted_at=None, recommendation=None)
    report = _report(scorecards=visible_scorecards([ann, bob], 'ann', 'interviewer'))
    assert '<img' not in report and '</td><img' not in report
    assert '<h3>ann &lt;img src=x onerror=alert(1)&gt;: Yes</h3>' in report
    assert '<td>Taste &lt;img src=x onerror=alert(1)&gt;</td><td>4/4</td>' in report
    assert '<p class="summary">line one\n&lt;img' in report
    assert 'bob ' not in report  # a draft of another

    withheld = _report(scorecards=visible_scorecards([ann, bob], 'bob', 'interviewer'))
    assert 'ann ' not in withheld and 'draft, not submitted' in withheld
    assert '1 scorecard of other interviewers is in the report once you submit yours.' in withheld
    assert 'No scorecards yet.' in _report()


def test_the_report_lists_every_test_run_with_each_case_hidden_ones_included():
    view = {'language': 'python', 'passed': 1, 'total': 2, 'score': 0.25, 'cases': [
        {'name': f'small {HOSTILE}', 'hidden': False, 'passed': True, 'reason': 'passed'},
        {'name': 'large', 'hidden': True, 'passed': False, 'reason': 'wrong answer (line 2 differs)'}]}
    later = dict(view, passed=2, cases=[dict(case, passed=True, reason='passed') for case in view['cases']])
    runs = [TestRunRow(id='r1', interview_id='i', language='python', started_by='<b>Cara</b>', started_at=AT,
                       passed=1, total=2, results=json.dumps(view)),
            TestRunRow(id='r2', interview_id='i', language='python', started_by='Cara', started_at=AT,
                       passed=2, total=2, results=json.dumps(later)),
            TestRunRow(id='r3', interview_id='i', language='python', started_by='Cara', started_at=AT,
                       passed=0, total=0, results='not json')]
    report = _report(test_runs=runs)
    assert '<b>' not in report and '<img' not in report
    assert '&lt;b&gt;Cara&lt;/b&gt; ran the tests in python: 1/2 passed · weighted score 25%' in report
    assert '<td>large (hidden)</td><td class="fail">failed</td><td>wrong answer (line 2 differs)</td>' in report
    assert '<td>small &lt;img src=x onerror=alert(1)&gt;</td><td>2 of 2</td>' in report
    assert '<td>large (hidden)</td><td>1 of 2</td>' in report
    assert 'ran the tests in python: 0/0 passed</h3>' in report  # unreadable results: the run is still listed
    assert 'The tests were not run.' in _report()
