"""Tables of the team workspace: the team, its members, their sessions and API tokens, invites, the activity log,
sign-in failures (the rate limit) and server-wide settings (the session secret).

Every secret a member holds (session id, API token, invite link) is stored as its SHA-256 only: the database never
holds one that works. State that several instances share lives here, never in a process.
"""

from datetime import datetime

from sqlmodel import Field, SQLModel

from .models import INT64, utcnow


class Team(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=80)
    created_at: datetime = Field(default_factory=utcnow)
    # What a scorecard rates when the interview's question has no rubric of its own, one per line; '' for the
    # built-in defaults (questions.scorecards.DEFAULT_CRITERIA)
    scorecard_criteria: str = Field(default='', max_length=3000)


class Account(SQLModel, table=True):
    """A member of a team. Never deleted (interviews and the activity log name them): disabled instead."""

    id: str = Field(primary_key=True, max_length=32)
    team_id: str = Field(foreign_key='team.id', index=True, max_length=32)
    email: str = Field(max_length=254, unique=True)  # lower-cased
    name: str = Field(max_length=40)
    password_hash: str | None = Field(default=None, max_length=200)  # argon2; None: signs in by SSO only
    is_admin: bool = False
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class AccountSession(SQLModel, table=True):
    """One signed-in browser. The cookie carries the id signed; deleting the row signs that browser out at once,
    on every instance."""

    id_hash: str = Field(primary_key=True, max_length=64)
    account_id: str = Field(foreign_key='account.id', index=True, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    # False until the browser turned its one-time sign-in ticket into the cookie (accounts.tokens): a ticket seen
    # again (a log line, the history) opens nothing.
    entered: bool = False


class ApiToken(SQLModel, table=True):
    token_hash: str = Field(primary_key=True, max_length=64)
    account_id: str = Field(foreign_key='account.id', index=True, max_length=32)
    scopes: str = Field(max_length=100)  # space-separated (accounts.tokens.SCOPES)
    created_at: datetime = Field(default_factory=utcnow)


class Invite(SQLModel, table=True):
    token_hash: str = Field(primary_key=True, max_length=64)
    team_id: str = Field(foreign_key='team.id', max_length=32)
    email: str = Field(max_length=254)
    is_admin: bool = False
    created_by: str = Field(max_length=32)  # account id
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class Activity(SQLModel, table=True):
    """One line of a team's activity log: who did what to which interview or member, and when."""

    id: int | None = Field(default=None, primary_key=True, sa_type=INT64)
    team_id: str = Field(foreign_key='team.id', index=True, max_length=32)
    at: datetime = Field(default_factory=utcnow)
    actor: str = Field(max_length=40)  # a member's name, or 'retention', 'an interviewer'
    action: str = Field(max_length=32)
    subject: str = Field(default='', max_length=254)  # the interview's title or the member's email
    interview_id: str | None = Field(default=None, index=True, max_length=32)  # no foreign key: erased ones stay


class SignInFailure(SQLModel, table=True):
    """A failed sign-in, counted per account (`email:…`) and per address (`addr:…`) by accounts.ratelimit."""

    id: int | None = Field(default=None, primary_key=True, sa_type=INT64)
    key: str = Field(index=True, max_length=300)
    at: float  # seconds since the epoch (the limiter's clock)


class ServerSetting(SQLModel, table=True):
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=200)
