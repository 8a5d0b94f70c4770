"""Issue 5 §1 and §3: the link decides the role; interviewer notes, written together, never reach a candidate."""

import base64
import uuid

from playwright.sync_api import Error as PlaywrightError, expect

from tests.e2e.room_page import RoomPage, received_frames

INTERVIEWER_ONLY = ('notes', 'notes-editor', 'end-interview', 'reopen-interview', 'playback', 'export-report',
                    'copy-candidate-link', 'copy-interviewer-link')


def _base64_forms(secret: str) -> list[str]:
    """The parts of `secret`'s base64 that appear whatever its alignment inside a larger base64 message."""
    forms = []
    for shift in range(3):
        encoded = base64.b64encode(b'\0' * shift + secret.encode()).decode()
        forms.append(encoded[4:-4])
    return forms


def test_a_link_without_a_valid_key_gets_one_refusal_that_tells_nothing(server, new_page):
    interview = server.create_interview(title='Staff engineer 7f3a')
    other = server.create_interview(title='Another')
    iid = interview['id']
    page = new_page()
    refusals = set()
    for path in (f'/room/{iid}', f'/room/{iid}?key=', f'/room/{iid}?key=wrong', f'/room/{iid}?key={"A" * 22}',
                 f'/room/{iid}?key={other["interviewer_key"]}', f'/room/{iid}?key={interview["candidate_key"]}x',
                 f'/room/nope?key={interview["candidate_key"]}', f'/room/{iid}?key=%3Cscript%3E'):
        page.goto(server.url + path)
        refusal = page.get_by_test_id('link-refused')
        expect(refusal).to_be_visible()
        refusals.add(refusal.inner_text())
        assert 'Staff engineer' not in page.content() and page.title() == 'Pairpad interview'
        expect(page.get_by_test_id('join-form')).to_have_count(0)
    assert len(refusals) == 1


def test_the_candidate_link_reaches_no_notes_and_no_interviewer_control(server, new_page):
    interview = server.create_interview(language='python')
    iid = interview['id']
    ivan = RoomPage(new_page(), server, iid).join('Ivan', role='interviewer')
    cara_page = new_page()
    frames = received_frames(cara_page)
    cara = RoomPage(cara_page, server, iid).join('Cara', role='candidate')

    expect(cara.page.get_by_test_id('my-role')).to_have_attribute('data-role', 'candidate')
    for chip_page in (ivan.page, cara.page):  # the role is on the chips, for everybody
        expect(chip_page.locator('[data-testid=participant][data-role=candidate]')).to_contain_text('Cara')
        expect(chip_page.locator('[data-testid=participant][data-role=interviewer]')).to_contain_text('Ivan')
    for testid in INTERVIEWER_ONLY:
        expect(cara.page.get_by_test_id(testid)).to_have_count(0)
        expect(ivan.page.get_by_test_id(testid)).not_to_have_count(0)

    # Pasted, so one Yjs update carries the whole secret (typed notes would travel a character per update).
    secret = f'verdict{uuid.uuid4().hex}'
    notes = f'# Verdict\n\nStrong hire {secret}\n'
    ivan.paste_notes(notes)
    ivan.type_notes('typed too')
    ines = RoomPage(new_page(), server, iid).join('Ines', role='interviewer')
    ines.wait_notes(notes + 'typed too')  # the notes went through the server to another interviewer
    marker = f'after{uuid.uuid4().hex}'
    ivan.paste(f'# {marker}')
    # The candidate's socket kept receiving the room's traffic meanwhile. Both editors are read once the paste is
    # in each (a read of Ivan's text at once could catch his editor before the paste, or between its changes).
    for person in (ivan, cara):
        try:
            person.page.wait_for_function('([el, m]) => el.pairpad.text().includes(m)',
                                          arg=[person.editor.element_handle(), marker], timeout=30_000)
        except PlaywrightError as error:
            state = person.editor.evaluate('el => [el.pairpad.text(), el.dataset.synced, el.dataset.connection]')
            raise AssertionError(f'the paste did not reach {person.page.url}: {state}\n{server.log()[-3000:]}') \
                from error
    cara.wait_text(ivan.text())

    received = ''.join(frames)
    assert any(form in received for form in _base64_forms(marker)), 'the frame check would not see a secret'
    assert secret not in received
    assert not any(form in received for form in _base64_forms(secret)), 'interviewer notes reached the candidate'
    assert cara.page.get_by_text('Strong hire').count() == 0


def test_interviewers_write_notes_together_with_a_safe_markdown_preview_kept_across_reloads(server, new_page):
    interview = server.create_interview(language='plaintext')
    iid = interview['id']
    ivan = RoomPage(new_page(), server, iid).join('Ivan', role='interviewer')
    ines = RoomPage(new_page(), server, iid).join('Ines', role='interviewer')
    ivan.type_notes('# Plan\n')
    ines.wait_notes('# Plan\n')
    ines.type_notes('- **solid** tests <img src=x onerror="window.pwned=1">\n')
    expected = '# Plan\n- **solid** tests <img src=x onerror="window.pwned=1">\n'
    ivan.wait_notes(expected)
    ivan.page.get_by_test_id('notes-preview-tab').click()
    preview = ivan.page.get_by_test_id('notes-preview')
    expect(preview.locator('h1')).to_have_text('Plan')
    expect(preview.locator('strong')).to_have_text('solid')
    assert ivan.page.evaluate('window.pwned') is None  # raw HTML in notes is sanitised, never run
    ines.type_notes('late line\n')  # the preview follows while it is open
    expect(preview).to_contain_text('late line')
    ivan.page.reload()
    ivan.wait_synced()
    ivan.wait_notes(expected + 'late line\n')
