"""What the room's pages make of the runner and the hub's records (pages/run_panel.py), without a browser: the
language picker's notes (a version, or why a language cannot run here), the console's status line of a compile
error, and the markers the editors get (none while a run goes)."""

import dataclasses
from types import SimpleNamespace

from pages.run_panel import _js, language_notes, marker_data, summary
from runner import Outcome, RunRecord, RunResult
from runner.diagnostics import Marker


def _runner(versions: dict[str, str], refusals: dict[str, str], available: bool = True):
    return SimpleNamespace(versions=versions, available=available,
                           refusal=lambda language: None if language in versions else refusals.get(language))


def test_the_picker_notes_a_version_or_why_a_language_cannot_run():
    runner = _runner({'java': 'Java 17.0.13', 'c': 'GCC 12.2.0'},
                     {'rust': "Rust can't run here: install rustc", 'plaintext': 'Plain text is not a program'})
    notes = language_notes(runner)
    assert notes['java'] == 'Java 17.0.13' and notes['c'] == 'GCC 12.2.0'
    assert notes['rust'] == "can't run here: install rustc"
    assert notes['plaintext'] == ''


def test_with_running_off_the_picker_notes_nothing_the_button_says_why():
    notes = language_notes(_runner({}, {'python': 'Running code is off'}, available=False))
    assert set(notes.values()) == {''}


def test_the_notes_table_fits_a_vue_attribute():
    assert _js("can't <b>\"x\"</b>") == "'can\\u{27}t \\u{3c}b\\u{3e}\\u{22}x\\u{22}\\u{3c}/b\\u{3e}'"


def _record(outcome: Outcome, exit_code: int | None, markers=(), ended=True, signal=None) -> RunRecord:
    result = RunResult(run_id='r', language='cpp', outcome=outcome, reason='compile error (the compiler exited '
                       'with code 1)', exit_code=exit_code, signal=signal, duration=1.25, output_bytes=1,
                       truncated=False, timed_out=False, stopped_by=None, unsafe=False, markers=tuple(markers))
    return RunRecord(run_id='r', language='cpp', started_by='Ada', started_at=0.0, result=result, ended=ended)


def test_a_compile_error_says_so_with_the_compilers_exit_code():
    assert summary(_record(Outcome.COMPILE_ERROR, 1)) == 'compile error · exit code 1 · 1.25 s'
    assert summary(_record(Outcome.EXITED, 0)) == 'exit code 0 · 1.25 s'


def test_a_run_with_neither_exit_code_nor_signal_says_only_how_long_and_why():
    record = _record(Outcome.FAILED, None)
    record.result = dataclasses.replace(record.result, reason='the server that ran it stopped; run it again')
    assert summary(record) == '1.25 s · the server that ran it stopped; run it again'
    assert summary(_record(Outcome.KILLED, None, signal='SIGKILL')).startswith('killed by SIGKILL · 1.25 s · ')


def test_the_editors_get_the_markers_of_an_ended_run_only():
    marker = Marker(5, 12, "'missing' was not declared in this scope", 'error')
    assert marker_data(_record(Outcome.COMPILE_ERROR, 1, [marker])) == [marker.to_dict()]
    assert marker_data(_record(Outcome.COMPILE_ERROR, 1, [marker], ended=False)) == []
    assert marker_data(None) == []
