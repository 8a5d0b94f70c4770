"""One interview, people on different instances: two real Chromium browsers pinned to two instances of a real
cluster (tools.cluster: redis-server, PostgreSQL, haproxy, two app processes) type at the same spot; both editors,
both instances and the database end equal, no update stored twice. Then one instance is killed with -9 while its
browser keeps typing: the browser comes back through the proxy on the other instance with nothing lost or doubled,
and the dead instance's cursor leaves the other browser within 5 s; left alone, without any network emulation, a
tab whose instance was killed comes back through the proxy by itself. PostgreSQL stopped with `pg_ctl stop -m
immediate` for 5 s while both type: the rooms show "saving…" and then "saved", nobody sees an error, and every
keystroke is in the database afterwards, once. A run whose instance is killed while no other instance has a tab
in its room is marked failed in the store by a survivor, without any restart."""

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
import pytest
from playwright.sync_api import Error as PlaywrightError, expect
from pycrdt import Doc, Text

from tests.e2e.room_page import RoomPage
from tools.cluster import Cluster

pytestmark = pytest.mark.skipif(
    (not shutil.which('redis-server') or not shutil.which('haproxy')) and not os.environ.get('PAIRPAD_REQUIRE_CLUSTER'),
    reason='needs redis-server and haproxy (make cluster-packages; CI installs them and sets PAIRPAD_REQUIRE_CLUSTER)')


class ClusterServer:
    """What RoomPage needs of a server (tools/app_server.AppServer's interface), over the proxy."""

    def __init__(self, cluster: Cluster, urls: dict) -> None:
        self.cluster = cluster
        self.url = urls['proxy']
        self.instances = urls['instances']
        self.database = urls['database']
        self.created: dict[str, dict] = {}

    def wait_in_service(self, timeout: float = 20.0) -> None:
        """Until the proxy answers through a healthy instance again: an earlier test may have killed an instance or
        Redis, and haproxy needs a passing health check (every second) to send requests there again."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f'{self.url}/healthz', timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, 'the proxy found no healthy instance'
            time.sleep(0.2)

    def wait_served_by(self, instance: str, timeout: float = 20.0) -> None:
        """Until the proxy sends a request whose cookie names `instance` to that instance."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                response = httpx.get(f'{self.url}/healthz', cookies={'SRV': instance}, timeout=2)
                if response.headers.get('x-pairpad-instance') == instance:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f'the proxy did not send requests to {instance}'
            time.sleep(0.2)

    def create_interview(self, language: str = 'plaintext') -> dict:
        self.wait_in_service()
        response = httpx.post(f'{self.url}/api/interviews', json={'title': 'Across', 'language': language}, timeout=10)
        response.raise_for_status()
        created = response.json()
        self.created[created['id']] = created
        return created

    def room_url(self, interview_id: str, role: str = 'candidate') -> str:
        return f'{self.url}/room/{interview_id}?key={self.created[interview_id][f"{role}_key"]}'

    def code_on(self, base: str, interview_id: str) -> str:
        key = self.created[interview_id]['interviewer_key']
        response = httpx.get(f'{base}/api/interviews/{interview_id}', headers={'X-Pairpad-Key': key}, timeout=10)
        response.raise_for_status()
        return response.json()['code']

    def wait_code_everywhere(self, interview_id: str, expected: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        codes: dict[str, str] = {}
        for base in self.instances:
            while (code := self.code_on(base, interview_id)) != expected and time.monotonic() < deadline:
                time.sleep(0.1)
            codes[base] = code
        assert all(code == expected for code in codes.values()), f'instances differ: {codes}'


@pytest.fixture(scope='module')
def cluster():
    state_dir = Path(tempfile.mkdtemp(prefix='pairpad-e2e-cluster-'))  # under /tmp: PostgreSQL's user reaches it
    rig = Cluster(state_dir, instances=2, durable=False)
    try:
        yield ClusterServer(rig, rig.start())
    finally:
        rig.stop()
        logs = '\n'.join((state_dir / f'i{n}.log').read_text(errors='replace') for n in (1, 2)
                         if (state_dir / f'i{n}.log').exists())
        shutil.rmtree(state_dir, ignore_errors=True)
    errors = [line for line in logs.splitlines() if ' ERROR ' in line]
    assert not errors, 'an instance logged errors:\n' + '\n'.join(errors[:20])


def pinned(new_page, cluster: ClusterServer, instance: str):
    """A browser whose proxy cookie names `instance` (the cookie haproxy would have set), once the proxy sends that
    cookie there: an instance an earlier test restarted answers before haproxy's next health check (every second)
    marks it up again, and until then the proxy redispatches its cookie to another instance."""
    cluster.wait_served_by(instance)
    page = new_page()
    page.context.add_cookies([{'name': 'SRV', 'value': instance, 'url': cluster.url}])
    return page


def served_by(page) -> str:
    return page.evaluate('async () => (await fetch("/healthz")).headers.get("x-pairpad-instance")')


def stored_rows(cluster: ClusterServer, interview_id: str) -> list[bytes]:
    url = cluster.database.replace('postgresql+psycopg://', 'postgresql://')
    with psycopg.connect(url) as connection:
        return [bytes(row[0]) for row in connection.execute(
            'SELECT data FROM docupdate WHERE interview_id = %s', (interview_id,))]


def test_two_browsers_on_two_instances_type_at_the_same_spot(cluster, new_page):
    interview = cluster.create_interview()
    ada = RoomPage(pinned(new_page, cluster, 'i1'), cluster, interview['id']).join('Ada')
    bob = RoomPage(pinned(new_page, cluster, 'i2'), cluster, interview['id']).join('Bob')
    assert (served_by(ada.page), served_by(bob.page)) == ('i1', 'i2')
    ada_keys, bob_keys = 'abcdefghij' * 6, '0123456789' * 6
    ada.focus_end()
    bob.focus_end()
    for i in range(0, 60, 6):  # bursts without waiting: each browser types while the other's edits travel
        ada.page.keyboard.type(ada_keys[i:i + 6])
        bob.page.keyboard.type(bob_keys[i:i + 6])
    final = ada.text_when_settled(120, timeout=20_000)
    bob.wait_text(final)
    assert ''.join(c for c in final if c.isalpha()) == ada_keys
    assert ''.join(c for c in final if c.isdigit()) == bob_keys
    cluster.wait_code_everywhere(interview['id'], final)
    expect(ada.page.get_by_test_id('participant')).to_have_count(2)  # each sees the other's chip
    expect(bob.page.get_by_test_id('participant')).to_have_count(2)
    deadline = time.monotonic() + 10
    while len(rows := stored_rows(cluster, interview['id'])) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(rows) == len(set(rows)), 'an update was stored twice'


WATCH_STATUS = '''id => {
    window.adaStatuses = [];
    const seen = () => {
        const chip = document.querySelector(`[data-testid="participant"][data-participant-id="${id}"]`);
        if (chip && window.adaStatuses.at(-1) !== chip.dataset.status) window.adaStatuses.push(chip.dataset.status);
    };
    seen();
    new MutationObserver(seen).observe(document.body, {subtree: true, childList: true, attributes: true,
                                                       attributeFilter: ['data-status']});
}'''


def test_killing_an_instance_mid_typing_loses_nothing(cluster, new_page):
    """Ada's instance is killed while she types. Her tab is held offline until the survivor has shown her offline
    (a tab back through the proxy before the dead instance's liveness key expired is never shown offline: no
    flicker), then it comes back on the other instance with everything typed meanwhile, and she is online again."""
    interview = cluster.create_interview()
    ada = RoomPage(pinned(new_page, cluster, 'i1'), cluster, interview['id']).join('Ada')
    bob = RoomPage(pinned(new_page, cluster, 'i2'), cluster, interview['id']).join('Bob')
    ada.focus_end()
    ada.page.keyboard.type('before ')
    bob.wait_text('before ')
    ada_client = ada.editor.evaluate('el => el.pairpad.doc.clientID')
    expect(bob.page.locator(f'[data-testid="remote-cursor"][data-client-id="{ada_client}"]')).to_have_count(1)
    ada_chip = bob.page.locator(f'[data-testid="participant"][data-participant-id="{ada.participant_id()}"]')
    expect(ada_chip).to_have_attribute('data-status', 'online')
    bob.page.evaluate(WATCH_STATUS, ada.participant_id())
    ada.page.context.set_offline(True)
    cluster.cluster.instance(0).kill()
    killed = time.monotonic()
    try:
        ada.page.keyboard.type('during ')  # typed into the tab while its instance is dead
        expect(bob.page.locator(f'[data-testid="remote-cursor"][data-client-id="{ada_client}"]')).to_have_count(
            0, timeout=5_000)
        assert time.monotonic() - killed <= 6.0
        expect(ada_chip).to_have_attribute('data-status', 'offline', timeout=5_000)
        ada.page.context.set_offline(False)
        ada.wait_synced(timeout=30_000)  # NiceGUI reloaded the page through the proxy: now on i2
        assert served_by(ada.page) == 'i2'
        ada.wait_text('before during ')  # her offline words, from IndexedDB, before she types after them
        ada.focus_end()
        ada.page.keyboard.type('after')
        expected = 'before during after'
        ada.wait_text(expected, timeout=20_000)
        bob.wait_text(expected, timeout=20_000)
        assert cluster.code_on(cluster.instances[1], interview['id']) == expected
        expect(ada_chip).to_have_attribute('data-status', 'online', timeout=10_000)
        assert bob.page.evaluate('() => window.adaStatuses') == ['online', 'offline', 'online']
    finally:
        ada.page.context.set_offline(False)
        cluster.cluster.instance(0).start()


def test_a_tab_whose_instance_is_killed_comes_back_through_the_proxy_by_itself(cluster, new_page):
    """No network emulation this time: i1 is killed with -9 and Ada's tab, left alone, reconnects through haproxy,
    which sends it to i2 (its cookie names a dead server: `option redispatch`); NiceGUI on i2 does not know the old
    page, so the page reloads, resumes Ada's participant and syncs. Her text is all there, her old cursor leaves
    Bob's editor, her chip is online and what she types next reaches Bob through i2."""
    interview = cluster.create_interview()
    ada = RoomPage(pinned(new_page, cluster, 'i1'), cluster, interview['id']).join('Ada')
    bob = RoomPage(pinned(new_page, cluster, 'i2'), cluster, interview['id']).join('Bob')
    assert (served_by(ada.page), served_by(bob.page)) == ('i1', 'i2')
    ada_id = ada.participant_id()
    ada.focus_end()
    ada.page.keyboard.type('before ')
    bob.wait_text('before ')
    old_client = ada.editor.evaluate('el => el.pairpad.doc.clientID')
    old_cursor = bob.page.locator(f'[data-testid="remote-cursor"][data-client-id="{old_client}"]')
    expect(old_cursor).to_have_count(1)
    ada.page.evaluate('() => { window.pageBeforeTheKill = true; }')
    events = _record_navigation(ada.page)
    events.append(f'{time.monotonic():.2f} kill')
    cluster.cluster.instance(0).kill()
    try:
        deadline = time.monotonic() + 40
        while True:  # a new page (the reload) whose editor is synced; evaluate fails while the page navigates
            try:
                if ada.page.evaluate('() => !window.pageBeforeTheKill && document.querySelector('
                                     '\'[data-testid="editor"][data-synced="true"]\') !== null'):
                    break
            except PlaywrightError:
                pass
            assert time.monotonic() < deadline, \
                f'the tab did not come back by itself: {_stuck(ada.page, events, cluster)}'
            time.sleep(0.2)
        assert served_by(ada.page) == 'i2'
        assert ada.participant_id() == ada_id  # the same person, resumed, not a new join
        assert ada.text() == 'before '
        expect(old_cursor).to_have_count(0, timeout=5_000)
        ada.focus_end()
        ada.page.keyboard.type('after')
        bob.wait_text('before after')
        assert cluster.code_on(cluster.instances[1], interview['id']) == 'before after'
        ada_chip = bob.page.locator(f'[data-testid="participant"][data-participant-id="{ada_id}"]')
        expect(ada_chip).to_have_attribute('data-status', 'online')
        expect(bob.page.get_by_test_id('participant')).to_have_count(2)  # one chip each: no second Ada
    finally:
        cluster.cluster.instance(0).start()


def _record_navigation(page) -> list[str]:
    """What the page logs, loads and fails to load from now on, timed: said when a tab does not come back."""
    events: list[str] = []
    stamp = lambda text: events.append(f'{time.monotonic():.2f} {text}')  # noqa: E731
    page.on('console', lambda m: stamp(f'{m.type}: {m.text}'))
    page.on('framenavigated', lambda f: stamp(f'navigated {f.url}'))
    page.on('requestfailed', lambda r: stamp(f'failed {r.url} {r.failure}'))
    page.on('response', lambda r: stamp(f'{r.status} {r.url}') if r.status >= 400 or r.request.resource_type ==
            'document' else None)
    return events


def _stuck(page, events: list[str], cluster: ClusterServer) -> str:
    """Where a tab is, what it showed and did, and the proxy's last log lines."""
    try:
        state = page.evaluate('() => [location.href, document.body.innerText.slice(0, 400), '
                              'window.socket?.connected]')
    except PlaywrightError as error:
        state = str(error)
    proxy = (cluster.cluster.state_dir / 'haproxy.log').read_text(errors='replace').splitlines()[-60:]
    return '\n'.join([str(state), *events[-80:], 'haproxy:', *proxy])


def test_redis_killed_and_back_while_both_type(cluster, new_page):
    """Both browsers type through a Redis outage of 5 s: everything converges within 2 s of its return (plus the
    time the browsers take to show it) and nobody is shown offline because of it."""
    interview = cluster.create_interview()
    ada = RoomPage(pinned(new_page, cluster, 'i1'), cluster, interview['id']).join('Ada')
    bob = RoomPage(pinned(new_page, cluster, 'i2'), cluster, interview['id']).join('Bob')
    expect(ada.page.get_by_test_id('participant')).to_have_count(2)
    statuses = '''el => [...el.ownerDocument.querySelectorAll('[data-testid="participant"]')].map(c => c.dataset.status)'''
    ada.page.evaluate('''() => { window.seenOffline = false; new MutationObserver(() => {
        if (document.querySelector('[data-testid="participant"][data-status="offline"]')) window.seenOffline = true;
    }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['data-status']}); }''')
    ada.focus_end()
    bob.focus_end()
    cluster.cluster.redis.kill()
    for word in ('one ', 'two ', 'three '):
        ada.page.keyboard.type('a-' + word)
        bob.page.keyboard.type('b-' + word)
        ada.page.wait_for_timeout(1500)  # the outage lasts about 5 s while both keep typing
    cluster.cluster.redis.start()
    back = time.monotonic()
    length = len('a-one a-two a-three b-one b-two b-three ')
    final = ada.text_when_settled(length, timeout=10_000)
    bob.wait_text(final, timeout=10_000)
    took = time.monotonic() - back
    assert took <= 4.0, f'converged {took:.1f} s after Redis came back'
    assert ''.join(final.split()).count('a-') == 3 and ''.join(final.split()).count('b-') == 3
    cluster.wait_code_everywhere(interview['id'], final)
    assert ada.page.evaluate('() => window.seenOffline') is False
    assert ada.editor.evaluate(statuses) == ['online', 'online']


def test_run_pressed_on_two_instances_gives_one_run_and_a_killed_runner_frees_the_room(cluster, new_page):
    interview = cluster.create_interview(language='python')
    ada = RoomPage(pinned(new_page, cluster, 'i1'), cluster, interview['id']).join('Ada')
    bob = RoomPage(pinned(new_page, cluster, 'i2'), cluster, interview['id']).join('Bob')
    ada.editor.evaluate('el => { const t = el.pairpad.doc.getText("code"); t.delete(0, t.length); '
                        't.insert(0, "import time\\nprint(\\"ran\\", flush=True)\\ntime.sleep(60)\\n"); }')
    bob.wait_text('import time\nprint("ran", flush=True)\ntime.sleep(60)\n')
    cluster.wait_code_everywhere(interview['id'], 'import time\nprint("ran", flush=True)\ntime.sleep(60)\n')
    for room in (ada, bob):  # Ctrl+Enter in both editors at once: the editor's Run, whatever the button shows
        room.editor.locator('.monaco-editor textarea').focus()
    ada.page.keyboard.press('Control+Enter')
    bob.page.keyboard.press('Control+Enter')
    for room in (ada, bob):  # one run, in both consoles
        expect(room.page.get_by_test_id('run-output')).to_contain_text('ran', timeout=20_000)
        expect(room.page.get_by_test_id('run-output')).to_have_attribute('data-state', 'running')
        expect(room.page.get_by_test_id('run-status')).to_contain_text('started by')
    runs = [room.page.get_by_test_id('run-output').inner_text().count('ran') for room in (ada, bob)]
    assert runs == [1, 1]
    starter = ada.page.get_by_test_id('run-status').inner_text().split('started by ')[1].rstrip('…')
    assert bob.page.get_by_test_id('run-status').inner_text().endswith(f'started by {starter}…')
    runner = {'Ada': 0, 'Bob': 1}[starter]
    survivor = bob if runner == 0 else ada
    cluster.cluster.instance(runner).kill()  # the instance running it dies: the run ends, the room is free
    expect(survivor.page.get_by_test_id('run-output')).to_have_attribute('data-state', 'ended', timeout=15_000)
    expect(survivor.page.get_by_test_id('run-status')).to_contain_text('stopped', timeout=5_000)
    survivor.editor.evaluate('el => { const t = el.pairpad.doc.getText("code"); t.delete(0, t.length); '
                             't.insert(0, "print(\\"next\\")\\n"); }')
    survivor.page.get_by_test_id('run-button').click()
    expect(survivor.page.get_by_test_id('run-output')).to_contain_text('next', timeout=40_000)
    cluster.cluster.instance(runner).start()



def stored_run(cluster: ClusterServer, run_id: str) -> tuple[str, str | None]:
    url = cluster.database.replace('postgresql+psycopg://', 'postgresql://')
    with psycopg.connect(url) as connection:
        return connection.execute('SELECT outcome, summary FROM coderun WHERE id = %s', (run_id,)).fetchone()


def test_a_run_whose_instance_died_with_no_tab_elsewhere_is_failed_in_the_store_by_another(cluster, new_page):
    """The instance running a room's code is killed, and no other instance has that room's run hub (nobody's tab
    there): a survivor that sees the instance go marks the stored run failed with the reason, without a restart;
    the REST API of the survivor says so."""
    interview = cluster.create_interview(language='python')
    code = 'import time\nprint("ran", flush=True)\ntime.sleep(60)\n'
    ada = RoomPage(pinned(new_page, cluster, 'i1'), cluster, interview['id']).join('Ada')
    ada.editor.evaluate('el => { const t = el.pairpad.doc.getText("code"); t.delete(0, t.length); '
                        f't.insert(0, {json.dumps(code)}); }}')
    runner, survivor = cluster.instances
    deadline = time.monotonic() + 15
    while cluster.code_on(runner, interview['id']) != code:
        assert time.monotonic() < deadline, 'the code never reached the instance'
        time.sleep(0.1)
    ada.page.close()  # nobody's tab is anywhere now: only the runner instance knows of the run
    key = {'X-Pairpad-Key': interview['interviewer_key']}
    started = httpx.post(f'{runner}/api/interviews/{interview["id"]}/runs', headers=key, timeout=10)
    assert started.status_code == 202, started.text
    run_id = started.json()['id']
    deadline = time.monotonic() + 30
    while 'ran' not in httpx.get(f'{runner}/api/interviews/{interview["id"]}/runs/{run_id}', headers=key,
                                 timeout=10).json()['stdout']:
        assert time.monotonic() < deadline, 'the run never printed'
        time.sleep(0.2)
    assert (stored_run(cluster, run_id) or ('absent',))[0] == 'running', 'the run going on is not in the store'
    cluster.cluster.instance(0).kill()
    try:
        deadline = time.monotonic() + 30  # the liveness key expires within 3 s; the survivor looks every second
        while (stored := stored_run(cluster, run_id))[0] == 'running':
            assert time.monotonic() < deadline, 'the dead instance\'s run stayed "running" in the store'
            time.sleep(0.2)
        # Failed by whichever survivor path came first: the store's sweep of runs left running ("the server running
        # it (i1) stopped before it ended"), or i2's run mirror of the room, if a request had made one, ending the
        # run it followed ("the server that ran it stopped"). Both say why; neither leaves it running.
        reasons = ('stopped before it ended', 'the server that ran it stopped')
        assert stored[0] == 'failed' and any(reason in stored[1] for reason in reasons), stored
        seen = httpx.get(f'{survivor}/api/interviews/{interview["id"]}/runs/{run_id}', headers=key, timeout=10)
        assert seen.json()['status'] == 'failed' and any(reason in seen.json()['summary'] for reason in reasons)
    finally:
        cluster.cluster.instance(0).start()

WATCH_PAGE = '''() => {
    window.notices = []; window.saveStates = [];
    const state = () => document.querySelector('[data-testid="save-state"]').dataset.state;
    const seen = () => {
        if (window.saveStates.at(-1) !== state()) window.saveStates.push(state());
        document.querySelectorAll('.q-notification').forEach(n => {
            if (!window.notices.includes(n.innerText)) window.notices.push(n.innerText);
        });
    };
    seen();
    new MutationObserver(seen).observe(document.body, {subtree: true, childList: true, attributes: true,
                                                       attributeFilter: ['data-state']});
}'''


def test_postgres_stopped_and_back_while_both_type_loses_and_doubles_nothing(cluster, new_page):
    """pg_ctl stop -m immediate for 5 s while both browsers (on two instances) type: each room shows "saving…" during
    the outage and "saved" after it, no page shows an error, /healthz says the store is down meanwhile, and the
    database ends with every keystroke, no update row twice."""
    interview = cluster.create_interview()
    ada = RoomPage(pinned(new_page, cluster, 'i1'), cluster, interview['id']).join('Ada')
    bob = RoomPage(pinned(new_page, cluster, 'i2'), cluster, interview['id']).join('Bob')
    rooms = (ada, bob)
    for room in rooms:
        expect(room.page.get_by_test_id('save-state')).to_have_attribute('data-state', 'saved')
        room.page.evaluate(WATCH_PAGE)
    ada.focus_end()
    bob.focus_end()
    typed = {str.islower: [], str.isupper: []}  # Ada types lower case, Bob upper case: told apart in the text

    def type_word(word: int) -> None:
        for room, case in ((ada, str.islower), (bob, str.isupper)):
            letter = chr(ord('a') + word % 26)
            typed[case].append(f'{letter.upper() if case is str.isupper else letter}' * 3 + ' ')
            room.page.keyboard.type(typed[case][-1])

    type_word(0)
    cluster.cluster.postgres.stop_immediate()
    try:
        stopped, word = time.monotonic(), 1
        while True:  # both keep typing through an outage of about 5 s
            type_word(word)
            word += 1
            if time.monotonic() - stopped >= 5.0 and word > 3:
                break
            ada.page.wait_for_timeout(400)  # a person's pause between words; the outage is what lasts
        for room in rooms:  # each instance has this room's keystrokes waiting for the store
            expect(room.page.get_by_test_id('save-state')).to_have_attribute('data-state', 'saving', timeout=5_000)
            expect(room.page.get_by_test_id('save-state')).to_have_text('Saving…')
        assert [httpx.get(f'{base}/healthz', timeout=5).status_code for base in cluster.instances] == [503, 503]
    finally:
        cluster.cluster.postgres.start()
    type_word(word)
    for room in rooms:
        expect(room.page.get_by_test_id('save-state')).to_have_attribute('data-state', 'saved', timeout=20_000)
    length = sum(len(w) for words in typed.values() for w in words)
    final = ada.text_when_settled(length, timeout=15_000)
    bob.wait_text(final)
    cluster.wait_code_everywhere(interview['id'], final)
    for case, words in typed.items():  # each person's keystrokes in their order, none lost or doubled
        assert ''.join(filter(case, final)) == ''.join(words).replace(' ', '')
    assert final.count(' ') == sum(len(words) for words in typed.values())
    rows = stored_rows(cluster, interview['id'])
    assert len(rows) == len(set(rows)), 'an update was stored twice'
    stored = Doc()
    for row in rows:
        stored.apply_update(row)
    assert str(stored.get('code', type=Text)) == final, 'the database lacks keystrokes'
    for room in rooms:
        assert room.page.evaluate('() => window.notices') == []
        states = room.page.evaluate('() => window.saveStates')  # a write slower than 0.5 s shows too: no exact list
        assert states[0] == 'saved' and 'saving' in states and states[-1] == 'saved', states
    cluster.wait_in_service()
