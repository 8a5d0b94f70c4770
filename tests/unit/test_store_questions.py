"""The store of interview content and evidence (issue 15), on SQLite and on a real PostgreSQL: questions scoped by
team with unique slugs, the interview's own copy of its question, test runs, one scorecard per interviewer that
stays submitted, signals in order; and revision 0005 on a database of the previous revision."""

import json

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from collab import initial_update
from store import (Signal, SlugTaken, TestRunRow, add_signal, create_db, create_interview, delete_question,
                   get_question, interview_question, list_questions, list_scorecards, list_signals, list_test_runs,
                   pick_question, save_question, save_scorecard, save_test_run)
from store.migrate import _config


@pytest.fixture
def engine(database_url):
    engine = create_db(database_url)
    yield engine
    engine.dispose()


def _question(engine, team: str, slug: str, title: str = 'T', **fields):
    return save_question(engine, team_id=team, slug=slug, title=title, difficulty=fields.get('difficulty', 'easy'),
                         tags=fields.get('tags', []), body=json.dumps({'slug': slug}), updated_by='Ada')


def test_questions_belong_to_their_team_and_slugs_are_unique_in_it(engine):
    mine = _question(engine, 'team-a', 'fizzbuzz', 'FizzBuzz', tags=['loops'])
    _question(engine, 'team-b', 'fizzbuzz', 'Their FizzBuzz')  # another team may use the slug
    _question(engine, '', 'fizzbuzz')  # and so may a server without accounts
    with pytest.raises(SlugTaken):
        _question(engine, 'team-a', 'fizzbuzz', 'Again')
    assert get_question(engine, 'team-b', mine.id) is None  # another team's id reads as unknown
    assert delete_question(engine, 'team-b', mine.id) is False
    assert [q.title for q in list_questions(engine, 'team-a')] == ['FizzBuzz']


def test_the_library_is_searched_by_title_and_slug_literally_and_filtered(engine):
    _question(engine, 't', 'two-sum', 'Two numbers that add up', difficulty='medium', tags=['hashing', 'arrays'])
    _question(engine, 't', 'fizzbuzz', 'FizzBuzz up to n', tags=['loops'])
    _question(engine, 't', 'pct', '100% coverage')
    assert [q.slug for q in list_questions(engine, 't', search='ADD')] == ['two-sum']
    assert [q.slug for q in list_questions(engine, 't', search='%')] == ['pct']  # a wildcard is a character here
    assert [q.slug for q in list_questions(engine, 't', search='_')] == []
    assert [q.slug for q in list_questions(engine, 't', difficulty='medium')] == ['two-sum']
    assert [q.slug for q in list_questions(engine, 't', tag='loops')] == ['fizzbuzz']


def test_replacing_a_question_keeps_its_id_and_an_interview_keeps_its_copy(engine):
    interview = create_interview(engine, title='I', language='python', initial_update=initial_update('python'))
    question = _question(engine, 't', 'q', 'First')
    pick_question(engine, interview.id, question.body, picked_by='Ada')
    changed = save_question(engine, team_id='t', slug='q', title='Second', difficulty='hard', tags=[],
                            body='{"changed": true}', updated_by='Bob', question_id=question.id)
    assert changed.id == question.id and get_question(engine, 't', question.id).title == 'Second'
    assert interview_question(engine, interview.id).body == question.body
    with pytest.raises(LookupError):
        save_question(engine, team_id='other', slug='q', title='X', difficulty='easy', tags=[], body='{}',
                      updated_by=None, question_id=question.id)


def test_scorecards_are_one_per_interviewer_and_stay_submitted(engine):
    interview = create_interview(engine, title='I', language='python', initial_update=initial_update('python'))
    save_scorecard(engine, interview.id, 'acc-1', 'Ada', ratings='[]', recommendation=None, summary='draft',
                   submit=False, complete=False)
    first = save_scorecard(engine, interview.id, 'acc-1', 'Ada', ratings='[{"score": 3}]', recommendation='yes',
                           summary='good', submit=True, complete=True)
    again = save_scorecard(engine, interview.id, 'acc-1', 'Ada', ratings='[]', recommendation='no', summary='hm',
                           submit=False, complete=True)
    assert again.submitted_at == first.submitted_at is not None  # an edit does not take the submission back
    save_scorecard(engine, interview.id, 'acc-2', 'Bob', ratings='[]', recommendation=None, summary='', submit=False,
                   complete=False)
    cards = list_scorecards(engine, interview.id)
    assert [(c.author_name, c.submitted_at is not None) for c in cards] == [('Ada', True), ('Bob', False)]


def test_test_runs_and_signals_read_back_in_order(engine):
    interview = create_interview(engine, title='I', language='python', initial_update=initial_update('python'))
    save_test_run(engine, TestRunRow(id='r1', interview_id=interview.id, language='python', started_by='Cara',
                                     passed=2, total=3, results='{"cases": []}'))
    assert [(r.id, r.passed, r.total) for r in list_test_runs(engine, interview.id)] == [('r1', 2, 3)]
    add_signal(engine, Signal(interview_id=interview.id, participant_id='p1', kind='paste', characters=120, lines=4))
    add_signal(engine, Signal(interview_id=interview.id, participant_id='p1', kind='away', seconds=3.5))
    assert [(s.kind, s.lines, s.seconds) for s in list_signals(engine, interview.id)] == [('paste', 4, 0.0),
                                                                                          ('away', 0, 3.5)]


def test_revision_0005_adds_its_tables_to_a_database_at_0004(database_url):
    engine = create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(_config(connection), '0004')
    assert 'scorecard' not in inspect(engine).get_table_names()
    engine.dispose()
    upgraded = create_db(database_url)
    try:
        assert {'question', 'interviewquestion', 'testrun', 'scorecard', 'signal'} <= set(
            inspect(upgraded).get_table_names())
    finally:
        upgraded.dispose()


def test_erasing_an_interview_erases_its_question_test_runs_scorecards_and_signals(engine):
    from store import delete_interview
    interview = create_interview(engine, title='I', language='python', initial_update=initial_update('python'))
    pick_question(engine, interview.id, '{"secret": "UNIQUE-QUESTION"}', picked_by='Ada')
    save_test_run(engine, TestRunRow(id='r1', interview_id=interview.id, language='python', started_by='Cara',
                                     results='{"actual": "UNIQUE-OUTPUT"}'))
    save_scorecard(engine, interview.id, 'acc-1', 'Ada', ratings='[]', recommendation='yes', summary='UNIQUE',
                   submit=True, complete=True)
    add_signal(engine, Signal(interview_id=interview.id, participant_id='p1', kind='paste', characters=5, lines=1))
    assert delete_interview(engine, interview.id)
    assert interview_question(engine, interview.id) is None
    assert list_test_runs(engine, interview.id) == list_scorecards(engine, interview.id) == \
        list_signals(engine, interview.id) == []


def test_test_runs_read_back_with_their_time_zone(engine):
    interview = create_interview(engine, title='I', language='python', initial_update=initial_update('python'))
    save_test_run(engine, TestRunRow(id='r1', interview_id=interview.id, language='python', started_by='C',
                                     results='{}'))
    assert list_test_runs(engine, interview.id)[0].started_at.utcoffset() is not None
