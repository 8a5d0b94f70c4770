"""config.Settings is the one settings object: every variable of README's configuration table is read there (and
nothing else is), and the classes that take their values from it have its defaults when made without arguments."""

import os
import re
import subprocess
import sys
from pathlib import Path

from collab import Limits, MemoryPersistence
from collab.fanout import Fanout
from collab.writer import GroupCommitWriter
from completion.service import CompletionService
from config import _VARIABLES, Settings
from presence import PresenceService
from runner import RunLimits, RunnerSettings

README = Path(__file__).resolve().parents[2] / 'README.md'


def _readme_rows() -> list[tuple[list[str], list[str]]]:
    text = README.read_text()
    table = text[text.index('## Configuration'):].split('\n## ')[0]
    rows = []
    for line in table.splitlines():
        cells = line.split(' | ')
        if line.startswith('| `') and len(cells) >= 3:
            rows.append((re.findall(r'`([^`]+)`', cells[0]), re.findall(r'`([^`]+)`', cells[1])))
    return rows


def test_the_readme_lists_exactly_the_variables_settings_reads():
    listed = {name for names, _ in _readme_rows() for name in names}
    assert listed == {name for name, _ in _VARIABLES.values()}


def test_the_readme_defaults_are_the_settings_defaults():
    checked = 0
    for names, defaults in _readme_rows():
        if len(names) != len(defaults) or 'DATABASE_URL' in names:
            continue
        for name, default in zip(names, defaults):
            assert Settings.from_env({name: default}) == Settings(), name
            checked += 1
    assert checked >= 20


def test_every_class_made_without_arguments_has_the_settings_defaults():
    settings = Settings()
    assert Limits() == Limits.from_settings(settings)
    assert RunLimits() == RunLimits.from_settings(settings)
    assert RunnerSettings() == RunnerSettings.from_settings(settings)
    made, configured = PresenceService(None), PresenceService.from_settings(None, settings)
    for name in ('write_interval', 'offline_after', 'away_offline_after', 'sweep_interval', 'max_present'):
        assert getattr(made, name) == getattr(configured, name), name
    writer = GroupCommitWriter(MemoryPersistence())
    assert (writer.window, writer.compact_every, writer.compact_after_idle) == (
        settings.commit_window, settings.compact_every, settings.compact_after_idle)
    assert CompletionService(warm_up=None).timeout == settings.completion_timeout
    fanout = Fanout(lambda peers, messages: None)
    assert (fanout.interval, fanout.frames_per_s) == (settings.fanout_interval, settings.fanout_frames_per_s)


def test_a_value_from_the_environment_reaches_the_class_that_uses_it():
    settings = Settings.from_env({'PAIRPAD_MAX_CONNECTIONS': '7', 'PAIRPAD_COMMIT_WINDOW_MS': '40',
                                  'PAIRPAD_RUN_OUTPUT_KB': '2', 'PAIRPAD_MAX_DOCUMENT_BYTES': ''})
    assert Limits.from_settings(settings).max_peers == 7 and settings.commit_window == 0.04
    assert RunLimits.from_settings(settings).output_bytes == 2048
    assert settings.max_document_bytes == Settings().max_document_bytes  # empty: the default
    assert Settings().websocket_deflate and not Settings.from_env({'PAIRPAD_WEBSOCKET_DEFLATE': '0'}).websocket_deflate


def test_an_unknown_websocket_implementation_is_one_line_and_an_exit(tmp_path):
    done = subprocess.run([sys.executable, str(README.parent / 'main.py')], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env={**os.environ, 'PAIRPAD_WEBSOCKET': 'carrier-pigeon',
                                                          'DATABASE_URL': f'sqlite:///{tmp_path}/p.db'})
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == ('pairpad: PAIRPAD_WEBSOCKET must be one of websockets-sansio, '
                                                    "websockets, wsproto, not 'carrier-pigeon'")
    assert 'Traceback' not in done.stderr
