"""Issue 15 §3 in real Chromium: two interviewers and a candidate in one interview of a team.

Ann (the team's signed-in admin, so her scorecard is her account's) scores the picked question's rubric and submits;
Ivan (a link-only interviewer) sees nothing of hers, neither in his page nor in his socket frames nor in the report
he downloads, until he has submitted his own; then he sees hers, and she his. A submission with a criterion left
unscored is refused with a clear error. Ann's second tab finds her submitted scorecard (one per account, not per
tab). The candidate's page has no scorecard control and no frame of the candidate's socket ever holds a word of a
scorecard (the same scan finds them in Ivan's frames). The report holds both scorecards; the dashboard's row shows
both recommendations.

Hooks used (pages/scorecard_panel.py): `scorecard`, `scorecard-dialog`, `scorecard-criterion`, `scorecard-score`,
`scorecard-comment`, `scorecard-recommendation`, `scorecard-summary`, `scorecard-save`, `scorecard-submit`,
`scorecard-close`, `scorecard-error`, `scorecard-other`, `scorecard-withheld`; and `row-scorecards` on the
dashboard, `export-report`, `row-report`.
"""

import uuid

from playwright.sync_api import Page, expect

from questions import sample_questions
from tests.e2e.room_page import RoomPage, download, received_frames
from tools.app_server import ADMIN_EMAIL, ADMIN_PASSWORD, AppServer

TWO_SUM = next(question for question in sample_questions() if question.slug == 'two-sum')
RUBRIC = TWO_SUM.guide.criteria



def sign_in(page: Page, server: AppServer) -> None:
    page.goto(server.url)
    page.get_by_test_id('sign-in-email').fill(ADMIN_EMAIL)
    page.get_by_test_id('sign-in-password').fill(ADMIN_PASSWORD)
    page.get_by_test_id('sign-in-submit').click()
    expect(page.get_by_test_id('member-name')).to_have_text('Admin')


def open_scorecard(room: RoomPage):
    room.page.get_by_test_id('scorecard').click()
    dialog = room.page.get_by_test_id('scorecard-dialog')
    expect(dialog).to_be_visible()
    return dialog


def fill(dialog, scores: list[str], recommendation: str, summary: str) -> None:
    criteria = dialog.get_by_test_id('scorecard-criterion')
    for index, score in enumerate(scores):
        criteria.nth(index).get_by_test_id('scorecard-score').get_by_role('button', name=score).click()
        criteria.nth(index).get_by_test_id('scorecard-comment').fill(f'comment {index} of {summary}')
    dialog.get_by_test_id('scorecard-recommendation').get_by_role('button', name=recommendation, exact=True).click()
    dialog.get_by_test_id('scorecard-summary').fill(summary)


def test_interviewers_see_each_others_scorecards_only_after_their_own_and_the_candidate_never(claimed, new_page):
    interview = claimed.create_interview('Scored <round>')  # the team's (the admin's token)
    iid = interview['id']
    ann_secret, ivan_secret = f'annsays{uuid.uuid4().hex}', f'ivansays{uuid.uuid4().hex}'

    board = new_page()
    sign_in(board, claimed)
    ann_page = board.context.new_page()
    ann_page.goto(claimed.room_url(iid, 'interviewer'))  # a member's interviewer link: no name form
    ann = RoomPage(ann_page, claimed, iid)
    ann.wait_synced()
    ivan_page, cara_page = new_page(), new_page()
    ivan_frames, cara_frames = received_frames(ivan_page), received_frames(cara_page)
    ivan = RoomPage(ivan_page, claimed, iid).join('Ivan', role='interviewer')
    cara = RoomPage(cara_page, claimed, iid).join('Cara', role='candidate')
    expect(cara.page.get_by_test_id('scorecard')).to_have_count(0)

    ann.page.get_by_test_id('pick-question').click()
    ann.page.locator('[data-testid=question-option][data-slug="two-sum"]').click()
    expect(ann.page.get_by_test_id('prompt-title')).to_have_text(TWO_SUM.title)

    dialog = open_scorecard(ann)
    expect(dialog.get_by_test_id('scorecard-criterion')).to_have_count(len(RUBRIC))
    for index, criterion in enumerate(RUBRIC):
        expect(dialog.get_by_test_id('scorecard-criterion').nth(index)).to_have_attribute('data-criterion', criterion)
    fill(dialog, ['3 · good'] * len(RUBRIC), 'Yes', ann_secret)
    dialog.get_by_test_id('scorecard-criterion').nth(1).get_by_test_id('scorecard-score') \
        .get_by_role('button', name='3 · good').click()  # clicked again: cleared
    dialog.get_by_test_id('scorecard-submit').click()
    expect(dialog.get_by_test_id('scorecard-error')).to_have_text(
        f'score every criterion before submitting (not scored: {RUBRIC[1]})')
    expect(dialog).to_have_attribute('data-state', 'new')
    dialog.get_by_test_id('scorecard-criterion').nth(1).get_by_test_id('scorecard-score') \
        .get_by_role('button', name='2 · mixed').click()
    dialog.get_by_test_id('scorecard-submit').click()
    expect(dialog).to_have_attribute('data-state', 'submitted')
    expect(dialog.get_by_test_id('scorecard-error')).to_have_text('')
    expect(dialog.get_by_test_id('scorecard-submit')).to_be_hidden()
    expect(dialog.get_by_test_id('scorecard-other')).to_have_count(0)
    dialog.get_by_test_id('scorecard-close').click()

    # Ivan: nothing of Ann's, not in the page, not on his socket, not in his report, while his own is not submitted
    dialog = open_scorecard(ivan)
    expect(dialog.get_by_test_id('scorecard-withheld')).to_have_attribute('data-count', '1')
    fill(dialog, ['4 · excellent'] * len(RUBRIC), 'Strong yes', ivan_secret)
    dialog.get_by_test_id('scorecard-save').click()
    expect(dialog).to_have_attribute('data-state', 'draft')
    expect(dialog.get_by_test_id('scorecard-other')).to_have_count(0)
    dialog.get_by_test_id('scorecard-close').click()
    report = download(ivan.page, 'export-report')
    assert ann_secret not in report and ivan_secret in report
    assert '1 scorecard of other interviewers is in the report once you submit yours.' in report
    assert ann_secret not in ivan.page.content() and ann_secret not in ''.join(ivan_frames)

    dialog = open_scorecard(ivan)  # the draft as it was saved
    expect(dialog).to_have_attribute('data-state', 'draft')
    expect(dialog.get_by_test_id('scorecard-summary')).to_have_value(ivan_secret)
    dialog.get_by_test_id('scorecard-submit').click()
    expect(dialog).to_have_attribute('data-state', 'submitted')
    other = dialog.get_by_test_id('scorecard-other')
    expect(other).to_have_count(1)
    expect(other).to_have_attribute('data-author', 'Admin')
    expect(other).to_have_attribute('data-recommendation', 'yes')
    expect(other).to_contain_text(ann_secret)
    assert ann_secret in ''.join(ivan_frames), 'the frame scan would not see a scorecard'
    dialog.get_by_test_id('scorecard-close').click()

    # Ann's second tab (her account, another participant): her submitted scorecard, and now Ivan's
    again = board.context.new_page()
    again.goto(claimed.room_url(iid, 'interviewer'))
    second = RoomPage(again, claimed, iid)
    second.wait_synced()
    dialog = open_scorecard(second)
    expect(dialog).to_have_attribute('data-state', 'submitted')
    expect(dialog.get_by_test_id('scorecard-summary')).to_have_value(ann_secret)
    expect(dialog.get_by_test_id('scorecard-other')).to_contain_text(ivan_secret)

    report = download(ann.page, 'export-report')
    for text in (ann_secret, ivan_secret, '<h3>Admin: Yes</h3>', '<h3>Ivan: Strong yes</h3>',
                 f'<td>{RUBRIC[1]}</td><td>2/4</td>'):
        assert text in report, text

    board.reload()
    row = board.locator(f'[data-testid=interview-row][data-id="{iid}"]')
    expect(row.get_by_test_id('row-scorecards')).to_have_text('2 scorecards: yes, strong yes')
    expect(row.get_by_test_id('row-scorecards')).to_have_attribute('data-count', '2')
    report = download(board, 'row-report', within=row)
    assert ann_secret in report and ivan_secret in report

    before = len(cara_frames)
    ivan.focus_end()  # the candidate's socket still receives the room's traffic: the scan covers the whole test
    ivan.page.keyboard.type('# done')
    cara.wait_text(ivan.text())
    assert len(cara_frames) > before
    received = ''.join(cara_frames)
    for secret in (ann_secret, ivan_secret, 'comment 0 of', 'Strong yes', 'scorecard'):
        assert secret not in received, f'{secret!r} reached the candidate'
        assert secret not in cara.page.content()


def test_a_teams_own_criteria_are_what_its_scorecards_rate_without_a_question(claimed, new_page):
    """An administrator sets the team's default criteria on /team (a wrong list says what is wrong); an interview
    with no question is then scored on them."""
    admin = new_page()
    sign_in(admin, claimed)
    admin.get_by_test_id('open-team').click()
    panel = admin.get_by_test_id('criteria-panel')
    criteria = panel.get_by_test_id('criteria-input')
    status = panel.get_by_test_id('criteria-status')
    criteria.fill('Ownership\nownership')
    panel.get_by_test_id('criteria-save').click()
    expect(status).to_have_text('each criterion once')
    expect(status).to_have_attribute('data-state', 'error')
    criteria.fill('Ownership\n\n   Clear   thinking ')
    panel.get_by_test_id('criteria-save').click()
    expect(status).to_have_text('Saved')
    expect(criteria).to_have_value('Ownership\nClear thinking')

    interview = claimed.create_interview('No question')
    room_page = admin.context.new_page()
    room_page.goto(claimed.room_url(interview['id'], 'interviewer'))
    room = RoomPage(room_page, claimed, interview['id'])
    room.wait_synced()
    rated = open_scorecard(room).get_by_test_id('scorecard-criterion')
    expect(rated).to_have_count(2)
    expect(rated.nth(0)).to_contain_text('Ownership')
    expect(rated.nth(1)).to_contain_text('Clear thinking')

    criteria.fill('')  # back to the built-in ones, for the module's other tests
    panel.get_by_test_id('criteria-save').click()
    expect(status).to_have_text('Saved: the built-in criteria')
