"""The run hub's messages to and from the other instances (runner.hub, pages/run_link.py): a RunResult as JSON-ready
data and back, and the checks on another instance's test results. What another instance sends is read as
untrusted: a field of the wrong type drops the message (ValueError), a marker that does not validate is dropped
alone, with a log line.
"""

import logging
from dataclasses import fields, replace

from .diagnostics import MAX_MARKERS, Marker
from .outcome import Outcome, RunResult

log = logging.getLogger(__name__)


def result_data(result: RunResult) -> dict:
    """A RunResult as JSON-ready data for the other instances (asdict would turn markers into plain tuples)."""
    data = {f.name: getattr(result, f.name) for f in fields(result)}
    data.update(outcome=result.outcome.value, markers=[marker.to_dict() for marker in result.markers])
    return data


def remote_result(data: object, instance: str) -> RunResult | None:
    """The RunResult another instance sent (ValueError/KeyError/TypeError if its fields are wrong: the caller
    drops the message). Each marker is validated on its own: a bad one is dropped with a log line."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ValueError('a run result must be an object')
    raw = data.get('markers', [])
    known = {f.name for f in fields(RunResult)} - {'markers', 'outcome'}
    result = RunResult(outcome=Outcome(data['outcome']), **{key: value for key, value in data.items() if key in known})
    markers = []
    for item in (raw if isinstance(raw, list) else [raw])[:MAX_MARKERS]:  # the runner never makes more
        try:
            markers.append(Marker.from_dict(item))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            log.warning('dropped a marker of run %s from %s: %s', result.run_id, instance, error)
    return replace(result, markers=tuple(markers))


CASE_TEXTS = ('name', 'reason', 'stdin', 'expected', 'actual', 'stderr')


def remote_tests(data: object) -> dict | None:
    """The results of a Run tests another instance sent, checked field by field (ValueError: the caller drops
    the message): each tab's role view is rebuilt from these cases, so a malformed one must not get that far."""
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get('cases'), list) or len(data['cases']) > 1000:
        raise ValueError('test results must be an object with a list of cases')
    for case in data['cases']:
        if not isinstance(case, dict) or not all(isinstance(case.get(key), str) for key in CASE_TEXTS) \
                or not isinstance(case.get('hidden'), bool) or not isinstance(case.get('passed'), bool) \
                or type(case.get('weight')) is not int or not isinstance(case.get('duration', 0.0), (int, float)) \
                or not (case.get('first_difference') is None or type(case.get('first_difference')) is int):
            raise ValueError('a test case result with missing or mistyped fields')
    if not isinstance(data.get('language'), str):
        raise ValueError('test results without a language')
    return data
