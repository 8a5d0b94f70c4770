"""Issue 4 chaos: a browser loses the network while the other types; the server is killed (-9) mid-typing.

Both must end with every character both people typed, in each person's order, and nothing duplicated.
"""

from playwright.sync_api import expect

from tests.e2e.room_page import RoomPage

A_KEYS = 'abcdefghij' * 6
B_KEYS = '0123456789' * 6


def _letters_and_digits(text: str) -> tuple[str, str]:
    return ''.join(c for c in text if c.isalpha()), ''.join(c for c in text if c.isdigit())


def test_network_off_and_on_merges_both_sides(server, new_page):
    interview = server.create_interview(language='plaintext')
    a = RoomPage(new_page(), server, interview['id']).join('Offline Ada')
    b = RoomPage(new_page(), server, interview['id']).join('Online Bob')
    a_id = a.participant_id()
    a.focus_end()
    b.focus_end()
    a.page.keyboard.type(A_KEYS[:20])
    a.page.context.set_offline(True)
    expect(a.editor).to_have_attribute('data-connection', 'offline')
    expect(a.page.get_by_test_id('connection-banner')).to_be_visible()
    expect(a.page.get_by_test_id('connection-banner')).to_contain_text('your changes are kept and will sync')
    expect(b.page.locator(f'[data-testid=participant][data-participant-id="{a_id}"]')) \
        .to_have_attribute('data-status', 'offline', timeout=5000)
    a.page.keyboard.type(A_KEYS[20:])  # typed offline
    b.page.keyboard.type(B_KEYS)       # typed meanwhile by the other person
    a.page.context.set_offline(False)
    a.wait_synced()
    expect(a.page.get_by_test_id('connection-banner')).to_be_hidden()
    total = len(A_KEYS) + len(B_KEYS)
    final = a.text_when_settled(total)
    b.wait_text(final)
    assert _letters_and_digits(final) == (A_KEYS, B_KEYS)
    server.wait_code(interview['id'], final)
    expect(b.page.locator(f'[data-testid=participant][data-participant-id="{a_id}"]')) \
        .to_have_attribute('data-status', 'online')


def test_kill_9_mid_typing_loses_nothing(own_server, new_page):
    server = own_server
    interview = server.create_interview(language='plaintext')
    a = RoomPage(new_page(), server, interview['id']).join('Ada')
    b = RoomPage(new_page(), server, interview['id']).join('Bob')
    a.focus_end()
    b.focus_end()
    for i in range(0, 30, 5):  # concurrent typing, then the crash lands in the middle of it
        a.page.keyboard.type(A_KEYS[i:i + 5])
        b.page.keyboard.type(B_KEYS[i:i + 5])
    server.kill()
    expect(a.editor).to_have_attribute('data-connection', 'offline')
    a.page.keyboard.type(A_KEYS[30:])  # typed while the server is down
    b.page.keyboard.type(B_KEYS[30:])
    # each tab's IndexedDB copy holds everything its editor holds (how much of the other's typing arrived before the
    # crash varies from run to run)
    a.wait_local_saved(len(a.text()))
    b.wait_local_saved(len(b.text()))
    server.start()
    a.wait_synced(timeout=30_000)  # the tabs reconnect (and reload) by themselves
    b.wait_synced(timeout=30_000)
    total = len(A_KEYS) + len(B_KEYS)
    final = a.text_when_settled(total, timeout=30_000)
    b.wait_text(final, timeout=30_000)
    assert _letters_and_digits(final) == (A_KEYS, B_KEYS)
    server.wait_code(interview['id'], final)
