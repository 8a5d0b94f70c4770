"""Tables. Document content is stored as Yjs updates: an append-only log plus one snapshot per interview."""

from datetime import datetime, timezone

from sqlalchemy import BigInteger, Index, Integer
from sqlmodel import Field, SQLModel

from .room_ids import CODE


# 64-bit integers: BIGINT on PostgreSQL; SQLite's INTEGER is 64-bit already (and only an INTEGER PRIMARY KEY is the
# rowid, which numbers new rows itself)
INT64 = BigInteger().with_variant(Integer, 'sqlite')


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Interview(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=32)
    title: str = Field(max_length=200)
    language: str = Field(max_length=32)  # the starting language; the live one is in the shared document
    created_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None  # set while the interview is ended (the flag itself lives in the document)
    # The secrets of the two private links (`/room/<id>?key=<key>`): the link decides the role. Kept readable, not
    # hashed, because an interviewer's room shows the candidate link to copy; each is 128 bits from `secrets`.
    interviewer_key: str = Field(default='', max_length=32)
    candidate_key: str = Field(default='', max_length=32)
    # The team workspace (store/account_models.py): whose interview it is. None for an interview made before
    # accounts or on an unclaimed server (no account yet). No foreign keys: a member is never deleted anyway.
    team_id: str | None = Field(default=None, index=True, max_length=32)
    created_by: str | None = Field(default=None, max_length=32)  # the member's account id
    candidate_name: str = Field(default='', max_length=40)


class DocUpdate(SQLModel, table=True):
    """One Yjs update of an interview's document, appended by the group commit.

    Rows are the interview's history: compaction folds them into the snapshot (which is what a load reads) and
    marks them compacted instead of deleting them, so playback can replay every change with its author and time.
    """

    id: int | None = Field(default=None, primary_key=True, sa_type=INT64)
    interview_id: str = Field(foreign_key='interview.id', index=True, max_length=32)
    document: str = Field(default=CODE, max_length=8)  # CODE | NOTES (store/room_ids.py)
    data: bytes
    checksum: int = Field(sa_type=INT64)  # CRC-32 of data: a torn or corrupted row is detected on load and skipped
    created_at: datetime = Field(default_factory=utcnow)  # when the room applied it
    author: str | None = Field(default=None, max_length=32)  # participant id; None for the server's own changes
    compacted: bool = Field(default=False, index=True)  # already in the snapshot: kept for playback only

    # What a load and a compaction read: a room's rows not yet in its snapshot, in order (store/update_log.py)
    __table_args__ = (Index('ix_docupdate_room_uncompacted', 'interview_id', 'document', 'compacted', 'id'),)


class DocSnapshot(SQLModel, table=True):
    """All compacted updates of an interview merged into one (Yjs merge keeps every insert and delete)."""

    interview_id: str = Field(foreign_key='interview.id', primary_key=True, max_length=32)
    document: str = Field(default=CODE, primary_key=True, max_length=8)
    data: bytes
    checksum: int = Field(sa_type=INT64)
    updated_at: datetime = Field(default_factory=utcnow)


class Participant(SQLModel, table=True):
    """One person in one interview, as one browser tab: reloads keep it, a second tab is a second one."""

    id: str = Field(primary_key=True, max_length=32)
    interview_id: str = Field(foreign_key='interview.id', index=True, max_length=32)
    name: str = Field(max_length=40)
    color: str = Field(max_length=7)
    role: str = Field(max_length=16)  # interviewer | candidate
    status: str = Field(default='online', max_length=8)  # online | away | offline
    is_typing: bool = False
    cursor_line: int | None = None
    cursor_column: int | None = None
    token_hash: str = Field(max_length=64)  # sha256 of the secret that proves "I am this participant"
    joined_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)


class CodeRun(SQLModel, table=True):
    """One press of Run: who, when, how it ended, and its output (already capped by the runner's output limit)."""

    id: str = Field(primary_key=True, max_length=32)  # the runner's run id
    interview_id: str = Field(foreign_key='interview.id', index=True, max_length=32)
    language: str = Field(max_length=32)
    started_by: str = Field(max_length=40)  # the participant's name as the console showed it
    started_at: datetime
    duration: float | None = None  # seconds; None when the run failed on the server
    exit_code: int | None = None
    outcome: str = Field(max_length=16)  # runner.Outcome value, 'failed', or 'running' while it goes (store.runs)
    summary: str = Field(max_length=300)  # the one line the console showed at the end
    output: str = '[]'  # JSON list of [stream, text]
    instance: str | None = Field(default=None, max_length=64)  # the instance that ran it (several instances)
    stdin: str = ''  # what the program was given on its standard input (the room's stdin box; within the doc limit)
