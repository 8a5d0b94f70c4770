"""The room's question panel without a browser (pages/question_panel.py): a hostile prompt renders with no raw HTML
and no javascript: link; the picker offers the team's library, or the five samples for an interview without a team
or a team whose library is empty; a stored question that no longer validates is left out; the starter goes in
without asking only over an empty document or the language's template, written by the server (Room.write) so it
reaches the peers, the store and the other instances like an edit."""

import pytest

from collab.document import initial_update, replace_code
from collab.room import Room
from languages import get_language
from pages.question_panel import is_blank, library, prompt_html
from pages.services import Services
from questions import sample_questions
from store import create_db, save_question
from tests.wiring import Wire


@pytest.mark.parametrize('hostile', [
    '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<a href="javascript:alert(1)">y</a>',
    '```\n<script>x</script>\n```', '<iframe src="https://evil.example"></iframe>',
])
def test_a_hostile_prompt_renders_with_no_raw_html(hostile):
    rendered = prompt_html(f'# Title\n\n{hostile}\n\n**bold**')
    assert '<script' not in rendered and '<img' not in rendered and '<iframe' not in rendered
    assert '<a href="javascript' not in rendered
    assert '<strong>bold</strong>' in rendered and '&lt;' in rendered  # Markdown still works, the tags are text


def test_a_javascript_link_loses_its_target():
    assert 'javascript:' not in prompt_html('[click](javascript:alert(1))')
    assert 'href="https://example.com"' in prompt_html('[ok](https://example.com)')


def test_the_picker_offers_the_library_or_the_samples(tmp_path, caplog):
    engine = create_db(f'sqlite:///{tmp_path / "q.db"}')
    services = Services(settings=None, engine=engine, rooms=None, presence=None, runs=None)
    samples = [question.slug for question in sample_questions()]
    assert len(samples) == 5
    assert [q.slug for q in library(services, None)] == samples  # an interview without a team
    assert [q.slug for q in library(services, '')] == samples
    assert [q.slug for q in library(services, 'team1')] == samples  # the team's library is empty

    mine = sample_questions()[0].model_copy(update={'slug': 'ours', 'title': 'Our own'})
    save_question(engine, team_id='team1', slug='ours', title='Our own', difficulty='easy', tags=[],
                  body=mine.model_dump_json(), updated_by=None)
    save_question(engine, team_id='team1', slug='broken', title='Broken', difficulty='easy', tags=[],
                  body='{"slug": "broken"}', updated_by=None)
    assert [q.slug for q in library(services, 'team1')] == ['ours']  # the broken one is left out, logged
    assert any('does not validate' in record.getMessage() for record in caplog.records)
    assert [q.slug for q in library(services, 'team2')] == samples  # another team's questions are not offered


def test_only_an_empty_document_or_the_template_takes_the_starter_without_asking():
    assert is_blank('', 'python') and is_blank('  \n', 'java')
    assert is_blank(get_language('python').template, 'python')
    assert not is_blank('print("mine")\n', 'python')
    assert not is_blank(get_language('java').template, 'python')


def test_the_starter_is_written_by_the_server_and_reaches_peers_the_store_and_the_other_instances():
    stored, relayed = [], []
    room = Room('r', on_update=lambda room_id, update, author: stored.append(author))
    room.load([initial_update('python', 'print("mine")\n')])
    room.outbound = lambda kind, update: relayed.append(kind)
    wire = Wire(room)
    alice = wire.add('alice')
    wire.connect('alice')
    wire.settle()
    starter = sample_questions()[0].starters['python']
    room.write(lambda doc: replace_code(doc, starter))
    wire.settle()
    assert room.text == alice.text == starter
    assert stored == [None] and len(relayed) == 1  # stored once, as the server's (no author), and relayed
