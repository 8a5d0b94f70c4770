"""Issue 15 §4: integrity signals, as signals. The candidate pastes a block and leaves the tab for 3 s (another page
of the same browser comes to the front: a real focus change); the interviewer sees both on the candidate's chip, live,
and on the playback timeline (a click jumps to each); the candidate's socket never carries any of it. Then the same
with the interviewer and the candidate on two instances of a cluster (the signal crosses the relay as a notice)."""

import os
import shutil

import pytest
from playwright.sync_api import expect

from tests.e2e.room_page import RoomPage, download, received_frames
from tests.e2e.test_several_instances import cluster, pinned, served_by  # noqa: F401 (cluster is a fixture)

BLOCK = '\n'.join(f'def step_{i}(x):\n    return x + {i}' for i in range(6))  # 12 lines, no final newline
SIGNAL_MARKS = ('data-pastes', 'data-away-seconds', 'participant-signals', 'playback-signal')


def _chip(room: RoomPage, participant_id: str):
    return room.page.locator(f'[data-testid=participant][data-participant-id="{participant_id}"]')


def leave_tab(room: RoomPage, seconds: float, *, close: bool = False) -> float:
    """Bring another page of the candidate's browser context to the front for at least `seconds` by the candidate
    page's own clock, then come back (or close the candidate's page while it is away); returns how long the page saw
    itself without focus. Playwright makes every page believe it has the focus: that emulation is off for this page
    meanwhile, so the real focus change is seen."""
    page = room.page
    cdp = page.context.new_cdp_session(page)
    cdp.send('Emulation.setFocusEmulationEnabled', {'enabled': False})
    page.bring_to_front()
    page.wait_for_function('() => document.hasFocus()', polling=100)
    page.evaluate('''() => { window.__focus = [];
        addEventListener("blur", () => __focus.push(["blur", performance.now()]));
        addEventListener("focus", () => __focus.push(["focus", performance.now()])); }''')
    other = page.context.new_page()
    other.bring_to_front()
    page.wait_for_function('s => __focus.length > 0 && performance.now() - __focus[0][1] >= s * 1000', arg=seconds,
                           polling=100, timeout=seconds * 1000 + 15_000)
    if close:
        away = page.evaluate('() => (performance.now() - __focus[0][1]) / 1000')
        page.close()
        other.close()
        return away
    page.bring_to_front()
    page.wait_for_function('() => __focus.some(([kind]) => kind === "focus")', polling=100)
    other.close()
    events = page.evaluate('() => __focus')
    cdp.send('Emulation.setFocusEmulationEnabled', {'enabled': True})
    cdp.detach()
    blur = next(at for kind, at in events if kind == 'blur')
    focus = next(at for kind, at in events if kind == 'focus' and at > blur)
    return (focus - blur) / 1000


def _received(frames: list[str], start: int = 0) -> str:
    return ''.join(frames[start:])


def test_a_paste_and_time_away_reach_the_interviewer_only(server, new_page):
    interview = server.create_interview(language='python')
    iid = interview['id']
    ivan_page = new_page()
    ivan_frames = received_frames(ivan_page)
    ivan = RoomPage(ivan_page, server, iid).join('Ivan', role='interviewer')
    cara_page = new_page()
    cara_frames = received_frames(cara_page)
    cara_page.goto(server.room_url(iid, 'candidate'))
    expect(cara_page.get_by_test_id('join-recorded')).to_contain_text('pastes')  # said before joining
    expect(cara_page.get_by_test_id('join-recorded')).to_contain_text('time away from this tab')
    cara = RoomPage(cara_page, server, iid).join('Cara', role='candidate')
    joined = len(cara_frames)  # the join screen itself names what is recorded: the scan starts after it
    cara_id = cara.participant_id()

    cara.replace_code(BLOCK)
    ivan.wait_text(BLOCK)
    chip = _chip(ivan, cara_id)
    expect(chip).to_have_attribute('data-pastes', '1')
    expect(chip).to_have_attribute('data-pasted-lines', '12')
    expect(chip.get_by_test_id('participant-signals')).to_have_text('1 paste')

    observed = leave_tab(cara, 3)
    assert observed >= 3
    expect(chip).to_have_attribute('data-away-count', '1')
    away = int(chip.get_attribute('data-away-seconds'))
    assert abs(away - observed) <= 2, f'the server measured {away} s, the page saw {observed:.1f} s'
    expect(chip.get_by_test_id('participant-signals')).to_have_text(f'1 paste · {away} s away')

    ivan.page.get_by_test_id('playback').click()
    paste = ivan.page.locator('[data-testid=playback-signal][data-kind=paste]')
    expect(paste).to_have_attribute('data-lines', '12')
    expect(paste).to_have_attribute('data-characters', str(len(BLOCK)))
    expect(paste).to_contain_text('Cara pasted 12 lines')
    gone = ivan.page.locator('[data-testid=playback-signal][data-kind=away]')
    expect(gone).to_contain_text('Cara away from the tab')
    assert abs(float(gone.get_attribute('data-seconds')) - observed) <= 2
    ivan.page.get_by_test_id('playback-start').click()
    expect(paste).to_have_attribute('data-reached', 'false')
    expect(gone).to_have_attribute('data-reached', 'false')
    paste.click()  # jumps to the paste: reached, the time away after it not yet
    expect(paste).to_have_attribute('data-reached', 'true')
    expect(gone).to_have_attribute('data-reached', 'false')
    gone.click()
    expect(gone).to_have_attribute('data-reached', 'true')

    cara.page.keyboard.type('# more')  # the candidate's socket kept receiving the room's traffic meanwhile
    ivan.wait_text(cara.text())
    expect(cara.page.get_by_test_id('participant-signals')).to_have_count(0)
    assert all(mark in _received(ivan_frames) for mark in ('data-pastes', 'data-away-seconds')), \
        'the frame scan would not see a signal'
    leaked = [mark for mark in SIGNAL_MARKS if mark in _received(cara_frames, joined)]
    assert not leaked, f'signals reached the candidate: {leaked}'

    ivan.page.get_by_test_id('playback-close').click()
    report = download(ivan.page, 'export-report')  # the report tells the same facts, as facts
    assert 'Cara</strong> pasted 12 lines' in report and 'Cara</strong> away from the tab' in report
    closed_away = leave_tab(cara, 2, close=True)  # a tab closed while away ends its away period then
    expect(chip).to_have_attribute('data-away-count', '2')
    total = int(chip.get_attribute('data-away-seconds'))
    assert abs(total - away - closed_away) <= 2, f'{total} s in all after {away} s and {closed_away:.1f} s'


def test_made_up_signals_are_refused_and_harm_nothing(server, new_page):
    interview = server.create_interview(language='plaintext')
    iid = interview['id']
    ivan = RoomPage(new_page(), server, iid).join('Ivan', role='interviewer')
    cara = RoomPage(new_page(), server, iid).join('Cara', role='candidate')
    cara_id, ivan_id = cara.participant_id(), ivan.participant_id()
    forged = [  # through the editor component's own event, as a tampered page could (test_bad_socket_input.py)
        '{room: el.dataset.roomId, kind: "paste", characters: 5000, lines: 100}',  # no insertion to match
        f'{{room: el.dataset.roomId, kind: "paste", characters: 3, lines: 1, participant: "{ivan_id}"}}',
        '{room: el.dataset.roomId, kind: "away", away: false, seconds: -5}',
        '{room: "someone-elses-room", kind: "away", away: true}',
        '{room: el.dataset.roomId, kind: "verdict", text: "x".repeat(100000)}',
        '"not an object"',
    ]
    for payload in forged:
        cara.editor.evaluate(f'el => getElement(el.id.slice(1)).$emit("signal", {payload})')
    cara.replace_code('one\ntwo\n')  # a real paste after them is recorded as the document saw it
    ivan.wait_text('one\ntwo\n')
    chip = _chip(ivan, cara_id)
    expect(chip).to_have_attribute('data-pastes', '1')
    expect(chip).to_have_attribute('data-pasted-lines', '2')
    expect(_chip(ivan, ivan_id)).not_to_have_attribute('data-pastes', '1')
    expect(cara.page.locator('.q-notification')).to_have_count(0)  # nothing to correct: refused quietly
    assert 'refused a signal event' in server.log()
    ivan.focus_end()
    ivan.page.keyboard.type('ok')  # the room goes on for both
    cara.wait_text('one\ntwo\nok')


@pytest.mark.skipif(
    (not shutil.which('redis-server') or not shutil.which('haproxy')) and not os.environ.get('PAIRPAD_REQUIRE_CLUSTER'),
    reason='needs redis-server and haproxy (make cluster-packages; CI installs them and sets PAIRPAD_REQUIRE_CLUSTER)')
def test_a_paste_on_one_instance_reaches_the_interviewer_on_the_other(cluster, new_page):  # noqa: F811
    interview = cluster.create_interview(language='python')
    iid = interview['id']
    ivan_page = pinned(new_page, cluster, 'i1')
    ivan = RoomPage(ivan_page, cluster, iid).join('Ivan', role='interviewer')
    cara_page = pinned(new_page, cluster, 'i2')
    cara_frames = received_frames(cara_page)
    cara = RoomPage(cara_page, cluster, iid).join('Cara', role='candidate')
    joined = len(cara_frames)
    assert (served_by(ivan.page), served_by(cara.page)) == ('i1', 'i2')
    cara.replace_code(BLOCK)
    chip = _chip(ivan, cara.participant_id())
    expect(chip).to_have_attribute('data-pastes', '1', timeout=20_000)
    expect(chip).to_have_attribute('data-pasted-lines', '12')
    observed = leave_tab(cara, 3)
    expect(chip).to_have_attribute('data-away-count', '1', timeout=20_000)
    assert abs(int(chip.get_attribute('data-away-seconds')) - observed) <= 2
    cara.page.keyboard.type('# more')
    ivan.wait_text(cara.text())
    leaked = [mark for mark in SIGNAL_MARKS if mark in _received(cara_frames, joined)]
    assert not leaked, f'signals reached the candidate: {leaked}'
