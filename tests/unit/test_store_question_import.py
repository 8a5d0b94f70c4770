"""store.question_import on SQLite and a real PostgreSQL: a batch of questions is saved in one transaction, so a
slug the team already has refuses the whole batch (or is replaced, keeping its id, or skipped), and other teams'
slugs do not count."""

import pytest

from store import SlugTaken, create_db, list_questions, save_question
from store.question_import import NewQuestion, save_questions


@pytest.fixture
def engine(database_url):
    engine = create_db(database_url)
    yield engine
    engine.dispose()


def _new(slug: str, title: str = 'T') -> NewQuestion:
    return NewQuestion(slug=slug, title=title, difficulty='easy', tags=['a', 'b'], body='{}')


def test_a_batch_is_saved_whole_or_not_at_all(engine):
    kept = save_question(engine, team_id='t', slug='b', title='Old', difficulty='hard', tags=[], body='{}',
                         updated_by='Ann')
    save_question(engine, team_id='other', slug='c', title='Theirs', difficulty='hard', tags=[], body='{}',
                  updated_by='Zed')
    with pytest.raises(SlugTaken, match='already has b'):
        save_questions(engine, 't', [_new('a'), _new('b'), _new('c')], updated_by='Ann')
    assert [q.slug for q in list_questions(engine, 't')] == ['b']  # not even a

    skipped = save_questions(engine, 't', [_new('a'), _new('b')], updated_by='Ann', on_taken='skip')
    assert (skipped.created, skipped.replaced, skipped.skipped) == (['a'], [], ['b'])
    assert {q.slug: q.title for q in list_questions(engine, 't')} == {'a': 'T', 'b': 'Old'}

    replaced = save_questions(engine, 't', [_new('b', 'New'), _new('c')], updated_by='Bob', on_taken='replace')
    assert (replaced.created, replaced.replaced) == (['c'], ['b'])
    rows = {q.slug: q for q in list_questions(engine, 't')}
    assert rows['b'].id == kept.id and rows['b'].title == 'New' and rows['b'].tags == 'a,b'
    assert rows['b'].updated_by == 'Bob'
    assert [q.title for q in list_questions(engine, 'other')] == ['Theirs']
    assert save_questions(engine, 't', [], updated_by='Ann').created == []
    with pytest.raises(ValueError):
        save_questions(engine, 't', [_new('d')], updated_by='Ann', on_taken='overwrite')
