"""The team's interview questions: prompt, starters, test cases and the interviewer's guide; reading and writing
them as files, the five samples the project ships, and Run tests (the document against every case, in the
sandbox). No NiceGUI and no SQL here: the store keeps questions, the pages show them."""

from .compare import Comparison, compare
from .files import QuestionFileError, read_questions, write_questions
from .grading import CaseResult, TestRun, run_tests
from .model import Guide, Library, Question, TestCase
from .samples import sample_questions

__all__ = ['CaseResult', 'Comparison', 'Guide', 'Library', 'Question', 'QuestionFileError', 'TestCase', 'TestRun',
           'compare', 'read_questions', 'run_tests', 'sample_questions', 'write_questions']
