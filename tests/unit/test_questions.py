"""Questions as data (issue 15 §1): validation with a clear error per field, files that round-trip, the output
comparison, and what a candidate may see of a test run's hidden cases."""

import json

import pytest

from questions import (CaseResult, Question, QuestionFileError, TestRun, compare, read_questions, sample_questions,
                       write_questions)
from questions.files import MAX_FILE_BYTES


def _question(**fields) -> dict:
    return {'slug': 'sum', 'title': 'Sum', 'prompt': 'Add two numbers.',
            'tests': [{'name': 'one', 'stdin': '1 2\n', 'expected': '3\n'}], **fields}


def test_every_sample_round_trips_through_yaml_and_json():
    samples = list(sample_questions())
    assert len(samples) == 5
    for fmt in ('yaml', 'json'):
        assert read_questions(write_questions(samples, fmt), fmt) == samples
        assert read_questions(write_questions(samples[:1], fmt)) == samples[:1]  # one question: itself, sniffed


@pytest.mark.parametrize('fields, problem', [
    ({'tests': 'none'}, 'tests: Input should be a valid list'),
    ({'title': ''}, 'title: String should have at least 1 character'),
    ({'difficulty': 'impossible'}, "difficulty: Input should be 'easy', 'medium' or 'hard'"),
    ({'starters': {'cobol': 'x'}}, "starters: Value error, unknown language 'cobol'"),
    ({'guide': {'solutions': {'klingon': ''}}}, "guide.solutions: Value error, unknown language 'klingon'"),
    ({'tests': [{'name': 'a', 'expected': 1}]}, 'tests.0.expected: Input should be a valid string'),
    ({'tests': [{'name': 'a', 'stdin': 'x'}]}, 'tests.0.expected: Field required'),
    ({'tests': [{'name': 'a', 'expected': '', 'weight': 0}]}, 'tests.0.weight: Input should be greater than'),
    ({'tests': [{'name': 'a', 'expected': ''}, {'name': 'a', 'expected': ''}]}, 'tests: Value error, test case names must be unique'),
    ({'tests': [{'name': str(i), 'expected': ''} for i in range(10_000)]}, 'tests: List should have at most 100'),
    ({'tests': [{'name': 'a', 'stdin': 'é' * 40_000, 'expected': ''}]}, 'tests.0.stdin: Value error, at most'),
    ({'slug': '../../etc'}, 'slug: String should match pattern'),
    ({'surprise': True}, 'surprise: Extra inputs are not permitted'),
])
def test_a_wrong_question_file_says_what_is_wrong_where(fields, problem):
    with pytest.raises(QuestionFileError) as refused:
        read_questions(json.dumps(_question(**fields)))
    assert any(line.startswith(problem) for line in refused.value.problems), refused.value.problems


@pytest.mark.parametrize('data, problem', [
    (b'\xff\xfe', 'not UTF-8'),
    (b'{"slug": ', 'not valid JSON'),
    (b'slug: [unclosed', 'not valid YAML at line'),
    (b'- a\n- b\n', 'must hold one question'),
    (b'!!python/object/apply:os.system ["touch /tmp/pwned"]\n', 'not valid YAML'),
    (b'x' * (MAX_FILE_BYTES + 1), 'at most'),
])
def test_a_file_that_is_not_a_question_is_refused_plainly(data, problem):
    with pytest.raises(QuestionFileError) as refused:
        read_questions(data)
    assert problem in str(refused.value)


def test_a_hundred_megabytes_of_stdin_is_refused_before_it_is_parsed():
    with pytest.raises(QuestionFileError, match='bytes; at most'):
        read_questions(json.dumps(_question(tests=[{'name': 'big', 'stdin': 'x' * 100_000_000, 'expected': ''}])))


def test_library_slugs_are_unique():
    with pytest.raises(QuestionFileError, match='question slugs must be unique: sum'):
        read_questions(json.dumps({'questions': [_question(), _question()]}))


@pytest.mark.parametrize('expected, actual, passed, line', [
    ('3\n', '3\n', True, None),
    ('3\n', '3', True, None),                    # no final newline
    ('a b\nc\n', 'a b  \r\nc\r\n\n\n', True, None),  # trailing spaces, CRLF, trailing blank lines
    ('1\n2\n', '1\n3\n', False, 2),
    ('1\n2\n', '1\n', False, 2),                 # a line missing
    ('1\n', '1\n2\n', False, 2),                 # a line too many
    (' 1\n', '1\n', False, 1),                   # leading spaces count
    ('', '', True, None),
])
def test_output_comparison_ignores_line_endings_and_trailing_whitespace_only(expected, actual, passed, line):
    verdict = compare(expected, actual)
    assert (verdict.passed, verdict.first_difference) == (passed, line)


def _test_run() -> TestRun:
    run = TestRun('python')
    run.cases = [CaseResult('visible', False, 1, True, 'passed', '1\n', '1\n', '1\n'),
                 CaseResult('secret-a', True, 3, False, 'wrong answer (line 1 differs)', 'HIDDEN-IN', 'HIDDEN-OUT',
                            'HIDDEN-ACTUAL'),
                 CaseResult('secret-b', True, 2, True, 'passed', 'HIDDEN-IN-2', 'HIDDEN-OUT-2', 'HIDDEN-OUT-2')]
    return run


def test_a_candidate_sees_only_how_many_hidden_cases_passed():
    view = _test_run().view('candidate')
    assert [case['name'] for case in view['cases']] == ['visible']
    assert (view['hidden_total'], view['hidden_passed'], view['passed'], view['total']) == (2, 1, 2, 3)
    assert 'HIDDEN' not in json.dumps(view) and 'secret' not in json.dumps(view) and 'score' not in view


def test_an_interviewer_sees_every_case_and_the_weighted_score():
    view = _test_run().view('interviewer')
    assert [case['name'] for case in view['cases']] == ['visible', 'secret-a', 'secret-b']
    assert view['cases'][1]['stdin'] == 'HIDDEN-IN' and view['score'] == pytest.approx(3 / 6)


def test_a_question_model_is_strict_about_its_shape():
    question = Question.model_validate(_question())
    assert question.visible_tests[0].name == 'one' and question.guide.criteria == []
