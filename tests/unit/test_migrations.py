"""Schema migrations (store/migrate.py, store/migrations/), on SQLite and PostgreSQL: a database made by the release
before Alembic upgrades without loss, revision 0001 is that release's schema, head is the models' schema, and two
instances starting at once on one PostgreSQL database both come up on one upgraded schema."""

import json
import threading
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from pycrdt import Doc, Text
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

from collab import PendingUpdate, Room, initial_update
from store import (SqlUpdateLog, create_db, get_interview, list_participants, list_runs, new_run, notes_room_id,
                   run_output, save_run)
from store.migrate import _config, current, head

DATA = Path(__file__).resolve().parents[1] / 'data'
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)


def _previous_release_database(url: str):
    """A database as release 7f0a248 left it: its create_all's schema (tests/data), no alembic_version."""
    engine = create_engine(url)
    ddl = (DATA / f'schema_7f0a248.{engine.dialect.name}.sql').read_text()
    ddl = '\n'.join(line for line in ddl.splitlines() if not line.startswith('--'))
    with engine.begin() as connection:
        for statement in filter(str.strip, ddl.split(';')):
            connection.exec_driver_sql(statement)
    return engine


def _fitting_docs() -> tuple[list[bytes], str, bytes]:
    """The code's updates, its final text and a notes update, all with a CRC-32 below 2**31: the old PostgreSQL
    schema (a 4-byte INTEGER checksum) could not hold any other, so a real database of it has no other."""
    for client_id in range(1, 1000):
        doc = Doc(client_id=client_id)
        doc.apply_update(initial_update('python', 'x = 1\n'))
        code = doc.get('code', type=Text)
        updates = [doc.get_update()]
        for piece in ('print(x)\n', '# 漢字 😊\n'):
            before = doc.get_state()
            code += piece
            updates.append(doc.get_update(before))
        notes = Doc(client_id=client_id)
        notes.get('code', type=Text).insert(0, 'hire')
        if all(zlib.crc32(data) < 2 ** 31 for data in (*updates, notes.get_update())):
            return updates, str(code), notes.get_update()
    raise AssertionError('no client id gives fitting checksums')


def test_a_database_of_the_previous_release_upgrades_without_loss(database_url):
    old = _previous_release_database(database_url)
    updates, final, notes = _fitting_docs()
    with old.begin() as connection:
        connection.execute(text(
            "INSERT INTO interview VALUES ('iv1', 'Old one', 'python', :t, :t, 'ikey', 'ckey')"), {'t': T0})
        snapshot = updates[0]  # the first update already compacted into the snapshot, as that release left it
        rows = [('code', updates[0], True, None), ('code', updates[1], False, 'p1'), ('code', updates[2], False, 'p2'),
                ('notes', notes, False, 'p1')]
        for document, data, compacted, author in rows:
            connection.execute(text(
                'INSERT INTO docupdate (interview_id, document, data, checksum, created_at, author, compacted) '
                "VALUES ('iv1', :document, :data, :checksum, :t, :author, :compacted)"),
                {'document': document, 'data': data, 'checksum': zlib.crc32(data), 't': T0,
                 'author': author, 'compacted': compacted})
        connection.execute(text("INSERT INTO docsnapshot VALUES ('iv1', 'code', :data, :checksum, :t)"),
                           {'data': snapshot, 'checksum': zlib.crc32(snapshot), 't': T0})
        connection.execute(text(
            "INSERT INTO participant VALUES ('p1', 'iv1', 'Ann', '#ff0000', 'interviewer', 'away', :typing, 3, 4, "
            "'hash', :t, :t)"), {'typing': False, 't': T0})
        connection.execute(text(
            "INSERT INTO coderun VALUES ('r1', 'iv1', 'python', 'Ann', :t, 0.5, 0, 'ok', 'Exited with 0', :out)"),
            {'t': T0, 'out': json.dumps([['stdout', '1\n']])})
    old.dispose()

    engine = create_db(database_url)
    try:
        assert current(engine) == head()
        interview = get_interview(engine, 'iv1')
        assert (interview.title, interview.interviewer_key, interview.candidate_key) == ('Old one', 'ikey', 'ckey')
        log = SqlUpdateLog(engine)
        room, kept = Room('iv1'), Room(notes_room_id('iv1'))
        room.load(log.load('iv1'))
        kept.load(log.load(notes_room_id('iv1')))
        assert room.text == final and kept.text == 'hire'
        assert [e.author for e in log.history('iv1')] == [None, 'p1', 'p2']
        [participant] = list_participants(engine, 'iv1')
        assert (participant.name, participant.status, participant.cursor_line) == ('Ann', 'away', 3)
        [run] = list_runs(engine, 'iv1')
        assert (run.outcome, run.instance, run_output(run), run.stdin) == ('ok', None, [('stdout', '1\n')], '')
        # the upgraded database takes what the old PostgreSQL schema could not: CRC-32s past 2**31
        doc = Doc()
        doc.apply_update(room.doc.get_update())
        while True:
            before = doc.get_state()
            doc.get('code', type=Text).insert(0, '#')
            update = doc.get_update(before)
            log.append([PendingUpdate('iv1', update, 'p2')])
            if zlib.crc32(update) >= 2 ** 31:
                break
        log.compact('iv1')
        again = Room('iv1')
        again.load(log.load('iv1'))
        assert again.text == str(doc.get('code', type=Text)) and again.text.endswith(final)
    finally:
        engine.dispose()


def _schema(url: str) -> dict:
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        return {table: {'columns': [(c['name'], str(c['type']), c['nullable']) for c in inspector.get_columns(table)],
                        'key': inspector.get_pk_constraint(table)['constrained_columns'],
                        'foreign': sorted((f['constrained_columns'], f['referred_table'])
                                          for f in inspector.get_foreign_keys(table)),
                        'indexes': sorted((i['name'], i['column_names'], bool(i['unique']))
                                          for i in inspector.get_indexes(table))}
                for table in inspector.get_table_names() if table != 'alembic_version'}
    finally:
        engine.dispose()


def test_revision_0001_is_the_schema_the_previous_release_made(database_url, tmp_path, request):
    _previous_release_database(database_url).dispose()
    made_then = _schema(database_url)
    if database_url.startswith('sqlite'):
        second = f'sqlite:///{tmp_path / "second.db"}'
    else:
        second = request.getfixturevalue('postgres_cluster').create_database(f'second_{tmp_path.name[-20:].lower()}'
                                                                            .replace('-', '_'))
    engine = create_engine(second)
    with engine.begin() as connection:
        command.upgrade(_config(connection), '0001')
    engine.dispose()
    assert _schema(second) == made_then


def test_head_is_the_schema_of_the_models(database_url):
    engine = create_db(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
        assert differences == []
    finally:
        engine.dispose()


def test_an_upgraded_database_starts_again_unchanged(database_url):
    first = create_db(database_url)
    first.dispose()
    second = create_db(database_url)
    try:
        assert current(second) == head()
    finally:
        second.dispose()


def test_revision_0003_keeps_each_runs_stdin(database_url):
    """A run stored before 0003 reads back with no stdin; one stored after keeps its stdin, lines and all."""
    engine = create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(_config(connection), '0002')
        connection.execute(text("INSERT INTO interview VALUES ('iv3', 'T', 'python', :t, NULL, 'i', 'c')"), {'t': T0})
        connection.execute(text(
            "INSERT INTO coderun VALUES ('r0', 'iv3', 'python', 'Ann', :t, 0.1, 0, 'exited', 's', '[]', NULL)"),
            {'t': T0})
    engine.dispose()
    engine = create_db(database_url)
    try:
        save_run(engine, new_run(run_id='r1', interview_id='iv3', language='python', started_by='Ann',
                                 started_at=T0.timestamp() + 1, output=[], duration=0.1, exit_code=0,
                                 outcome='exited', summary='s', stdin='1 2\n3 4\n'))
        assert [(run.id, run.stdin) for run in list_runs(engine, 'iv3')] == [('r0', ''), ('r1', '1 2\n3 4\n')]
    finally:
        engine.dispose()


def test_instances_starting_at_once_on_one_postgres_database_all_come_up(postgres_url):
    barrier = threading.Barrier(4)
    results: list[object] = []

    def start() -> None:
        barrier.wait(10)
        try:
            engine = create_db(postgres_url)
            results.append(current(engine))
            engine.dispose()
        except Exception as error:
            results.append(error)

    threads = [threading.Thread(target=start, daemon=True) for _ in range(4)]  # without the lock they deadlock
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert results == [head()] * 4


def test_revision_0004_keeps_earlier_interviews_outside_any_team(database_url):
    """An interview stored before 0004 reads back with no team, no creator and no candidate name (its links keep
    working; no dashboard lists it); the team workspace's tables work after the upgrade."""
    engine = create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(_config(connection), '0003')
        connection.execute(text("INSERT INTO interview VALUES ('iv4', 'Old', 'python', :t, NULL, 'i', 'c')"),
                           {'t': T0})
    engine.dispose()
    engine = create_db(database_url)
    try:
        old = get_interview(engine, 'iv4')
        assert (old.title, old.team_id, old.created_by, old.candidate_name) == ('Old', None, None, '')
        from accounts import Passwords, Workspace
        from store import create_interview, list_team_interviews
        workspace = Workspace(engine, secret='s', passwords=Passwords.cheap())
        member = workspace.create_member(email='ann@example.com', name='Ann', password='a password 1',
                                         is_admin=True)
        new = create_interview(engine, title='New', language='python', initial_update=initial_update('python'),
                               team_id=member.team_id, created_by=member.id, candidate_name='Cy')
        assert [i.id for i in list_team_interviews(engine, member.team_id)[0]] == [new.id]
    finally:
        engine.dispose()
