"""Issue 13 across instances: the stdin box is part of the shared document, so what is typed in it on one instance
is what a run pressed on another instance gets, and the run's markers (relayed with its end) appear in the editors
of both instances' browsers. On a real 2-instance cluster (the rig and helpers of test_several_instances.py)."""

import os
import shutil

import pytest
from playwright.sync_api import expect

from tests.e2e.room_page import RoomPage
from tests.e2e.test_several_instances import cluster, pinned, served_by  # noqa: F401 (cluster is a fixture)
from tests.e2e.test_stdin_and_markers import type_stdin, wait_stdin

pytestmark = pytest.mark.skipif(
    (not shutil.which('redis-server') or not shutil.which('haproxy')) and not os.environ.get('PAIRPAD_REQUIRE_CLUSTER'),
    reason='needs redis-server and haproxy (make cluster-packages; CI installs them and sets PAIRPAD_REQUIRE_CLUSTER)')

CODE = 'import sys\n\nnumbers = [int(x) for x in sys.stdin.read().split()]\nprint("sum", sum(numbers))\n' \
       'print(numbers[10])\n'


def test_stdin_typed_on_one_instance_is_run_on_the_other_and_both_see_the_markers(cluster, new_page):  # noqa: F811
    interview = cluster.create_interview(language='python')
    ada = RoomPage(pinned(new_page, cluster, 'i1'), cluster, interview['id']).join('Ada', role='interviewer')
    bob = RoomPage(pinned(new_page, cluster, 'i2'), cluster, interview['id']).join('Bob', role='candidate')
    assert (served_by(ada.page), served_by(bob.page)) == ('i1', 'i2')
    bob.replace_code(CODE)
    cluster.wait_code_everywhere(interview['id'], CODE)
    type_stdin(ada, '4 5\n6')
    wait_stdin(bob, '4 5\n6')
    bob.page.get_by_test_id('run-button').click()
    for room in (bob, ada):
        output = room.page.get_by_test_id('run-output')
        expect(output).to_have_attribute('data-state', 'ended', timeout=30_000)
        expect(output.locator('[data-stream=stdout]')).to_have_text('sum 15\n')
        expect(output.locator('[data-stream=stderr]').last).to_contain_text('IndexError')
        expect(room.page.get_by_test_id('run-stdin')).to_contain_text('stdin: 2 lines')
        expect(room.editor).to_have_attribute('data-marker-lines', '5')
        [marker] = room.editor.evaluate('el => el.pairpad.markers()')
        assert 'IndexError' in marker['message']
    type_stdin(bob, ' 1 1 1 1 1 1 1 1')  # now there is an 11th number
    wait_stdin(ada, '4 5\n6 1 1 1 1 1 1 1 1')
    ada.page.get_by_test_id('run-button').click()  # the next run, pressed on the other instance, clears them
    for room in (bob, ada):
        expect(room.page.get_by_test_id('run-output').locator('[data-stream=stdout]')).to_have_text(
            'sum 23\n1\n', timeout=30_000)
        expect(room.editor).to_have_attribute('data-markers', '0')
