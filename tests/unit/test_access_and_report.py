"""Private-link keys, the run history kept in the store, and the report's escaping (no browser)."""

from datetime import datetime, timezone
from types import SimpleNamespace

from collab import initial_update
from pages.report import build_report
from pages.services import role_for_key, room_path
from store import create_db, create_interview, list_runs, new_run, run_output, save_run
from store.models import Interview


def test_each_key_gives_its_role_and_nothing_else_does():
    interview = Interview(id='i', title='T', language='python', interviewer_key='I' * 22, candidate_key='C' * 22)
    assert role_for_key(interview, 'I' * 22) == 'interviewer'
    assert role_for_key(interview, 'C' * 22) == 'candidate'
    for key in (None, '', 'I' * 21, 'I' * 23, 'c' * 22, 'C' * 5000, 12, ['C' * 22], 'C' * 21 + '\0'):
        assert role_for_key(interview, key) is None
    assert room_path(interview, 'candidate') == '/room/i?key=' + 'C' * 22


def test_an_interview_without_keys_opens_for_no_key():
    old = Interview(id='i', title='T', language='python')  # made before private links existed
    assert role_for_key(old, '') is None and role_for_key(old, 'anything') is None


def test_finished_runs_are_kept_in_order_with_their_output(tmp_path):
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    interview = create_interview(engine, title='T', language='python', initial_update=initial_update('python'))
    for i, at in enumerate((1_700_000_100, 1_700_000_000)):
        save_run(engine, new_run(run_id=f'r{i}', interview_id=interview.id, language='python', started_by='Cara',
                                 started_at=at, output=[('stdout', '42\n'), ('stderr', 'oops')], duration=0.5,
                                 exit_code=0, outcome='exited', summary='exit code 0 · 0.50 s'))
    runs = list_runs(engine, interview.id)
    assert [r.id for r in runs] == ['r1', 'r0']
    assert runs[0].started_at == datetime.fromtimestamp(1_700_000_000, timezone.utc)
    assert run_output(runs[0]) == [('stdout', '42\n'), ('stderr', 'oops')]


def test_the_report_escapes_everything_people_typed():
    person = SimpleNamespace(name='<b>Eve</b>', color='#123456" onload="x', role='candidate', status='offline',
                             joined_at=datetime(2026, 1, 1, 10, tzinfo=timezone.utc),
                             last_seen_at=datetime(2026, 1, 1, 11, tzinfo=timezone.utc))
    run = SimpleNamespace(started_at=datetime(2026, 1, 1, 10, 30, tzinfo=timezone.utc), started_by='<i>Eve</i>',
                          language='python', summary='exit code 0', output='[["stdout", "<script>1</script>"]]',
                          stdin='<b>3 4</b>')
    report = build_report(title='<script>t</script>', created_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
                          ended_at=None, language='python', code='if a < b: print("</pre>")', participants=[person],
                          runs=[run], notes='**good** <img src=x onerror=alert(1)>',
                          generated_at=datetime(2026, 1, 2, tzinfo=timezone.utc))
    assert '<script>' not in report and '<b>Eve' not in report and '<i>Eve' not in report
    assert 'onload="x' not in report and '<img' not in report
    assert '&lt;script&gt;t&lt;/script&gt;' in report and 'if a &lt; b: print(&quot;&lt;/pre&gt;&quot;)' in report
    assert '<strong>good</strong>' in report
    assert '<pre class="stdin">&lt;b&gt;3 4&lt;/b&gt;</pre>' in report  # what the run was given, escaped
    assert '2026-01-01 10:00:00 UTC</td><td>2026-01-01 11:00:00 UTC' in report
