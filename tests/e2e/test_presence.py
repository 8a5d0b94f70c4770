"""Issue 3 end to end: named coloured cursors, selections, typing, online/away/offline, in three browsers."""

import json
import re
import statistics
import time

from playwright.sync_api import expect

from tests.e2e.room_page import RoomPage

TEXT = 'alpha line\nbravo line\ncharlie line\ndelta line\n'


def _three(server, new_page):
    interview = server.create_interview(language='plaintext')
    a = RoomPage(new_page(), server, interview['id']).join('Ada <b>Lovelace</b>', role='interviewer')
    a.focus_end()
    a.page.keyboard.type(TEXT)
    b = RoomPage(new_page(), server, interview['id']).join('Bob')
    c = RoomPage(new_page(), server, interview['id']).join('Cy')
    b.wait_text(TEXT)
    c.wait_text(TEXT)
    return interview, a, b, c


def _label(room: RoomPage, participant_id: str):
    return room.page.locator(f'[data-testid=remote-cursor][data-participant-id="{participant_id}"]')


def _chip(room: RoomPage, participant_id: str):
    return room.page.locator(f'[data-testid=participant][data-participant-id="{participant_id}"]')


def test_cursor_shows_in_the_others_with_name_and_colour_and_never_in_its_own_editor(server, new_page):
    interview, a, b, c = _three(server, new_page)
    a_id = a.participant_id()
    a.set_caret(TEXT.index('charlie'))
    a_color = server.participants(interview['id'])[a_id]['color']
    for other in (b, c):
        label = _label(other, a_id)
        expect(label).to_have_text('Ada <b>Lovelace</b>')  # the name as text, never as HTML
        expect(label).to_have_attribute('data-line', '3')
        assert label.evaluate('el => getComputedStyle(el).backgroundColor') == _rgb(a_color)
    expect(a.page.get_by_test_id('remote-cursor').and_(a.page.locator(f'[data-participant-id="{a_id}"]'))) \
        .to_have_count(0)
    expect(a.page.get_by_test_id('remote-cursor')).to_have_count(2)  # Bob's and Cy's, not Ada's own
    chip = _chip(b, a_id)
    expect(chip).to_contain_text('Ada <b>Lovelace</b>')
    # the words after the name are drawn by pairpad.css from data-details: seen, and read as the chip's name
    expect(chip).to_have_accessible_name('Ada <b>Lovelace</b> interviewer · online')
    assert chip.evaluate('el => getComputedStyle(el, "::before").backgroundColor') == _rgb(a_color)  # the dot
    expect(chip).to_have_attribute('data-status', 'online')
    # styled by the compiled Tailwind (rounded-full, border, px-2), with NiceGUI's Tailwind runtime off
    expect(chip).to_have_css('border-top-left-radius', re.compile(r'^[1-9][0-9.e+]*px$'))  # not 0px
    expect(chip).to_have_css('padding-left', '8px')
    assert b.page.locator('script[src*="tailwindcss"]').count() == 0


def test_selection_is_highlighted_in_the_participant_colour(server, new_page):
    interview, a, b, _ = _three(server, new_page)
    a.select(TEXT.index('bravo'), TEXT.index('bravo') + len('bravo line'))
    client_id = a.editor.evaluate('el => el.pairpad.doc.clientID')
    highlight = b.page.locator(f'.yRemoteSelection-{client_id}')
    expect(highlight.first).to_be_visible()
    color = server.participants(interview['id'])[a.participant_id()]['color']
    assert highlight.first.evaluate('el => getComputedStyle(el).backgroundColor') == _rgb(color, alpha=0.25)


def test_cursor_stays_on_its_character_while_someone_types_above(server, new_page):
    _, a, b, c = _three(server, new_page)
    a_id = a.participant_id()
    a.set_caret(TEXT.index('charlie') + 3)  # between "cha" and "rlie"
    label = _label(c, a_id)
    expect(label).to_have_attribute('data-column', '4')
    b.set_caret(0)
    b.page.keyboard.type('new first line\nand another\n')
    expect(label).to_have_attribute('data-line', '5')
    expect(label).to_have_attribute('data-column', '4')
    line = c.editor.evaluate('el => el.pairpad.editor.getModel().getLineContent(5)')
    assert line == 'charlie line'


def test_typing_indicator_turns_on_and_off(server, new_page):
    _, a, b, _ = _three(server, new_page)
    a_id = a.participant_id()
    a.focus_end()
    a.page.keyboard.type('x')
    expect(_chip(b, a_id)).to_have_attribute('data-typing', 'true')
    expect(_label(b, a_id)).to_have_attribute('data-typing', 'true')
    expect(_chip(b, a_id)).to_have_attribute('data-typing', 'false', timeout=3000)
    expect(_label(b, a_id)).to_have_attribute('data-typing', 'false', timeout=3000)


def test_hidden_tab_is_away_and_visible_again_is_online(server, new_page):
    _, a, b, _ = _three(server, new_page)
    a_id = a.participant_id()
    a.set_visibility('hidden')
    expect(_chip(b, a_id)).to_have_attribute('data-status', 'away', timeout=1000)
    a.set_visibility('visible')
    expect(_chip(b, a_id)).to_have_attribute('data-status', 'online', timeout=1000)


def test_closed_tab_turns_offline_and_its_cursor_disappears(server, new_page):
    _, a, b, _ = _three(server, new_page)
    a_id = a.participant_id()
    a.set_caret(5)
    expect(_label(b, a_id)).to_have_count(1)
    a.page.context.close()
    expect(_chip(b, a_id)).to_have_attribute('data-status', 'offline', timeout=5000)
    expect(_label(b, a_id)).to_have_count(0, timeout=5000)


def test_reload_keeps_the_participant_and_its_single_chip(server, new_page):
    interview, a, b, _ = _three(server, new_page)
    a_id = a.participant_id()
    a.page.reload()
    a.wait_synced()
    assert a.participant_id() == a_id
    expect(b.page.get_by_test_id('participant')).to_have_count(3)
    expect(_chip(b, a_id)).to_have_attribute('data-status', 'online')
    assert len(server.participants(interview['id'])) == 3


def test_cursor_moves_reach_the_others_quickly(server, new_page):
    _, a, b, _ = _three(server, new_page)
    a_id = a.participant_id()
    a.set_caret(0)
    label = _label(b, a_id)
    expect(label).to_have_attribute('data-line', '1')
    latencies = []
    for line in (2, 3, 4, 3, 2, 1, 2, 3, 4, 5):
        b.page.evaluate('''([id, line]) => { window.__moved = new Promise(resolve => {
            const seen = new MutationObserver(() => {
              const el = document.querySelector(`[data-testid=remote-cursor][data-participant-id="${id}"]`);
              if (el && el.dataset.line === String(line)) { seen.disconnect(); resolve(performance.timeOrigin + performance.now()); }
            });
            seen.observe(document.body, {subtree: true, attributes: true, childList: true}); }); }''', [a_id, line])
        start = a.page.evaluate('performance.timeOrigin + performance.now()')
        a.page.keyboard.press('ArrowDown' if line > int(label.get_attribute('data-line')) else 'ArrowUp')
        arrived = b.page.evaluate('window.__moved')
        latencies.append(arrived - start)
    print(f'cursor propagation ms: median {statistics.median(latencies):.1f}, max {max(latencies):.1f}')
    assert statistics.median(latencies) < 150


def test_a_still_cursor_is_not_resent_per_keystroke_yet_outlives_the_awareness_timeout(server, new_page):
    """Bob does not move while Ada types in front of his caret for 36 s: Monaco moves his caret along and y-monaco
    sets his awareness selection again each time, but a relative position does not change with it, so Bob's tab
    sends (nearly) nothing, and still renews his state often enough that Ada never loses his cursor (peers drop
    an awareness state that is not renewed for 30 s)."""
    interview = server.create_interview(language='plaintext')
    a = RoomPage(new_page(), server, interview['id']).join('Ada', role='interviewer')
    a.focus_end()
    a.page.keyboard.type(TEXT)
    b = RoomPage(new_page(), server, interview['id']).join('Bob')
    b.wait_text(TEXT)
    b_id = b.participant_id()
    b.set_caret(len('alpha line'))  # at the end of the first line
    label = _label(a, b_id)
    expect(label).to_have_attribute('data-column', '11')
    sent = []  # Bob's yjs events (he changes nothing, so each one is an awareness or sync message)
    cdp = b.page.context.new_cdp_session(b.page)
    cdp.on('Network.webSocketFrameSent', lambda e: sent.append(e['response']['payloadData']))
    cdp.send('Network.enable')
    a.set_caret(0)
    a.page.keyboard.type('x' * 144, delay=250)  # 36 s, each keystroke moving Bob's caret one column along
    b.wait_text('x' * 144 + TEXT)
    assert b.editor.evaluate('el => el.pairpad.editor.getPosition().column') == 11 + 144
    expect(label).to_have_count(1)
    expect(label).to_have_attribute('data-line', '1')
    expect(label).to_have_attribute('data-column', str(11 + 144))
    yjs = [payload for payload in map(_event_payload, sent) if isinstance(payload, dict) and 'm' in payload]
    assert 2 <= len(yjs) <= 8, f'{len(yjs)} awareness messages from a tab whose cursor never moved'


def test_the_caret_and_typing_ride_on_the_keystrokes_own_event_and_the_stored_caret_follows(server, new_page):
    """A keystroke costs the server one socket event: its typing flag (when typing starts) and the caret for the
    stored presence (at most four a second) ride on the `yjs` event it sends anyway; only the caret's last position,
    when no keystroke followed it, goes alone. The stored caret (REST) still ends where the caret is."""
    interview = server.create_interview(language='plaintext')
    a = RoomPage(new_page(), server, interview['id']).join('Ada', role='interviewer')
    b = RoomPage(new_page(), server, interview['id']).join('Bob')
    a_id = a.participant_id()
    sent = []
    cdp = a.page.context.new_cdp_session(a.page)
    cdp.on('Network.webSocketFrameSent', lambda e: sent.append(e['response']['payloadData']))
    cdp.send('Network.enable')
    a.focus_end()
    a.page.keyboard.type('typed at a steady pace', delay=80)  # 22 keystrokes in about 1.8 s
    b.wait_text('typed at a steady pace')
    expect(_chip(b, a_id)).to_have_attribute('data-typing', 'false', timeout=5000)
    deadline = time.monotonic() + 10
    while server.participants(interview['id'])[a_id]['cursor'] != {'line': 1, 'column': 23}:
        assert time.monotonic() < deadline, f'stored caret: {server.participants(interview["id"])[a_id]["cursor"]}'
        time.sleep(0.05)
    payloads = [p for p in map(_event_payload, sent) if isinstance(p, dict)]
    rides = [p for p in payloads if 'm' in p]
    alone_cursors = [p for p in payloads if 'line' in p]
    typing = [(p['p'] if 'm' in p else p)['is_typing'] for p in payloads if 'p' in p or 'is_typing' in p]
    assert sum('c' in p for p in rides) >= 4, 'the caret did not ride on the keystrokes'
    assert next(p for p in rides if 'm' in p and 'p' in p)['p'] == {'is_typing': True}, 'typing did not ride'
    # on and off, once (or again after a pause of a loaded machine); its end goes with the awareness message that
    # tells the others, or alone
    assert typing[0] is True and typing[-1] is False and all(x != y for x, y in zip(typing, typing[1:])), typing
    # a caret goes alone only when no keystroke came for half a second: typing at this pace, once at its end
    # (twice or three times if the machine stalled the typing)
    assert len(alone_cursors) <= 3, f'{len(alone_cursors)} caret events of their own while typing went on'


def test_a_typing_tab_sends_no_heartbeat_and_stays_online_by_its_edits(server, new_page):
    """Any event a tab sends is a sign of life, so its heartbeat goes only after a second without one: six seconds
    of keystrokes send no heartbeat, and the server, which turns a tab silent for 3.5 s offline, keeps the typist
    online by the edits alone (Bob never sees Ada offline). The keys are Delete at the start of the text: the caret
    stays put, so no caret rides on the edits either. Once the typing stops, the heartbeats come back."""
    interview = server.create_interview(language='plaintext')
    a = RoomPage(new_page(), server, interview['id']).join('Ada', role='interviewer')
    b = RoomPage(new_page(), server, interview['id']).join('Bob')
    a_id = a.participant_id()
    text = 'sixty characters, deleted one by one at ten keys a second..'
    a.focus_end()
    a.page.keyboard.insert_text(text)
    b.wait_text(text)
    a.set_caret(0)
    expect(_chip(b, a_id)).to_have_attribute('data-status', 'online')
    b.page.evaluate("""id => {
        window.pairpadStatuses = [];
        new MutationObserver(records => records
            .filter(r => r.target.dataset.participantId === id)
            .forEach(r => window.pairpadStatuses.push(r.target.dataset.status)))
            .observe(document.body, {subtree: true, attributes: true, attributeFilter: ['data-status']});
    }""", a_id)
    sent = []  # (CDP timestamp in seconds, frame)
    cdp = a.page.context.new_cdp_session(a.page)
    cdp.on('Network.webSocketFrameSent', lambda e: sent.append((e['timestamp'], e['response']['payloadData'])))
    cdp.send('Network.enable')
    for _ in text:
        a.page.keyboard.press('Delete', delay=0)
        a.page.wait_for_timeout(100)
    b.wait_text('')
    edits = [t for t, frame in sent if isinstance(p := _event_payload(frame), dict) and 'm' in p]
    heartbeats = [t for t, frame in sent if _event_payload(frame) == {'status': 'online'}]
    during = [t for t in heartbeats if edits[0] < t < edits[-1]]
    # none while every keystroke went within the second (one per stall of a second or more, on a loaded machine)
    stalls = sum(later - earlier >= 1.0 for earlier, later in zip(edits, edits[1:]))
    assert len(during) <= stalls, f'{len(during)} heartbeats during {edits[-1] - edits[0]:.1f} s of typing'
    assert edits[-1] - edits[0] > 4.5  # longer than the 3.5 s after which a silent tab goes offline
    deadline = time.monotonic() + 10
    while not [t for t, frame in sent if t > edits[-1] and _event_payload(frame) == {'status': 'online'}]:
        assert time.monotonic() < deadline, 'no heartbeat after the typing stopped'
        a.page.wait_for_timeout(100)  # lets Playwright deliver the frames meanwhile (time.sleep would not)
    expect(_chip(b, a_id)).to_have_attribute('data-status', 'online')
    statuses = b.page.evaluate('window.pairpadStatuses')
    assert 'offline' not in statuses, f'Bob saw Ada offline while she typed: {statuses}'


def _event_payload(frame: str) -> object:
    """The argument of a NiceGUI element event in a Socket.IO frame (`42["event", {..., "args": ["<json>"]}]`)."""
    if not frame.startswith('42["event"'):
        return None
    args = json.loads(frame[2:])[1].get('args') or [None]
    return json.loads(args[0]) if isinstance(args[0], str) else args[0]


def _rgb(hex_color: str, alpha: float | None = None) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f'rgb({r}, {g}, {b})' if alpha is None else f'rgba({r}, {g}, {b}, {alpha})'
