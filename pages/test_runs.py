"""Run tests and the interview's question, written once for the room's buttons and the REST API.

The question is the interview's own copy in the database (store.pick_question), read again whenever it is needed:
that copy, not a tab's memory, is what every instance agrees on. A set of tests runs what the room's document
holds, in the room's language, with the run limits, and is stored with every case (hidden ones too) once it ends;
what each role sees is chosen when it is shown (`role_view`), so a candidate's view is never built from anything
but the candidate's share.
"""

import asyncio
import json
import logging
from dataclasses import fields
from datetime import datetime, timezone

from questions import CaseResult, Question, TestRun, run_tests
from runner import RunRefused
from runner.hub import TestRecord
from store import interview_question, save_test_run
from store.question_models import TestRunRow

from .services import Services

log = logging.getLogger(__name__)

CASE_FIELDS = tuple(f.name for f in fields(CaseResult))


class TestsRefused(RunRefused):
    """No question with tests is picked, or the interview has ended: nothing to run."""

    __test__ = False


def current_question(services: Services, interview_id: str) -> Question | None:
    """The interview's question, or None (none picked, or a stored copy that no longer validates: logged)."""
    row = interview_question(services.engine, interview_id)
    if row is None:
        return None
    try:
        return Question.model_validate_json(row.body)
    except ValueError as error:
        log.warning('the question of %s does not validate: %s', interview_id, error)
        return None


def question_version(services: Services, interview_id: str) -> str:
    """Changes whenever another question (or the same one again) is picked: '' while none is."""
    row = interview_question(services.engine, interview_id)
    return row.picked_at.isoformat() if row is not None else ''


async def start_test_run(services: Services, interview_id: str, started_by: str) -> TestRecord:
    """Run every case of the interview's question against its document now, holding the room's run lock.
    Raises TestsRefused (no question, ended), RunBusy (a run or a set going) or another RunRefused (the language
    cannot run here)."""
    room = await services.rooms.get(interview_id)
    if room.ended:
        raise TestsRefused('the interview has ended: running is off')
    question = await asyncio.to_thread(current_question, services, interview_id)
    if question is None or not question.tests:
        raise TestsRefused('pick a question with test cases first')
    language = room.language or 'plaintext'
    hub = services.runs.get(interview_id)
    refusal = hub.runner.refusal(language)
    if refusal is not None:
        raise RunRefused(refusal)
    code, cases = room.text, question.tests

    async def job(record: TestRecord) -> dict:
        result = await run_tests(hub.runner, code, language, cases, started_by=started_by, stopper=record.stopper)
        view = result.view('interviewer')
        try:
            await asyncio.to_thread(save_test_run, services.engine, TestRunRow(
                id=record.run_id, interview_id=interview_id, language=language, started_by=started_by[:40],
                started_at=datetime.fromtimestamp(record.started_at, timezone.utc), passed=result.passed,
                total=len(result.cases), results=json.dumps(view, ensure_ascii=False)))
        except Exception as error:  # the room still shows the results; the store's outage is logged elsewhere
            log.warning('keeping test run %s failed: %s', record.run_id, error)
        return view

    return hub.start_tests(language, job, started_by=started_by)


def role_view(result: dict, role: str) -> dict:
    """What `role` may see of a set's results, from the interviewer's view (the only one kept and relayed): a
    candidate's is rebuilt through questions.TestRun.view, so hidden cases are left out the one way they are
    everywhere."""
    if role == 'interviewer':
        return result
    cases = [CaseResult(**{name: case[name] for name in CASE_FIELDS if name in case}) for case in result['cases']]
    return TestRun(result['language'], cases).view(role)
