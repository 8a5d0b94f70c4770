"""The team workspace's use cases: the first account, signing in and out, passwords, API tokens, invites, disabling
members, the activity log. Every state lives in the database (store.accounts), so any instance answers any request
the same way and a disabled member is out everywhere at once.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import Engine

from presence import MAX_NAME, PresenceError, clean_name
from questions.scorecards import ScorecardError, team_criteria_from
from store import Account, Invite
from store import accounts as rows

from .passwords import PasswordError, Passwords
from .ratelimit import RateLimiter
from .tokens import SCOPES, TOKEN_PREFIX, SESSION_DAYS, SessionSigner, digest, new_secret, scopes_for

MAX_EMAIL = 254
INVITE_DAYS = 7
WRONG = 'Wrong email or password.'  # the one answer for an unknown email and a wrong password


class WorkspaceError(ValueError):
    """A refused request; the message is meant for the person (the form shows it)."""


@dataclass(frozen=True)
class Member:
    """A signed-in member as pages see it: no hashes, never a live database object."""

    id: str
    team_id: str
    email: str
    name: str
    is_admin: bool

    @classmethod
    def of(cls, account: Account) -> 'Member':
        return cls(account.id, account.team_id, account.email, account.name, account.is_admin)


@dataclass(frozen=True)
class SignIn:
    member: Member | None = None
    ticket: str | None = None  # on success: traded once, within a minute, for the session cookie (`enter`)
    error: str = ''
    wait: float = 0.0  # seconds, when locked by the rate limit


def clean_email(email: object) -> str:
    if not isinstance(email, str):
        raise WorkspaceError('Please enter an email address.')
    email = email.strip().lower()
    local, _, domain = email.partition('@')
    if not local or '.' not in domain or len(email) > MAX_EMAIL or any(ch.isspace() for ch in email):
        raise WorkspaceError('Please enter a valid email address.')
    return email


def clean_member_name(name: object) -> str:
    """A member's name becomes their name in every room they join: the participants' rule (presence.clean_name,
    trimmed, printable, at most MAX_NAME), with the workspace's error."""
    try:
        return clean_name(name)
    except PresenceError as e:
        raise WorkspaceError(str(e)) from None


class Workspace:
    def __init__(self, engine: Engine, *, secret: str, limiter: RateLimiter | None = None,
                 clock: Callable[[], float] = time.time, passwords: Passwords | None = None) -> None:
        """`clock`: seconds since the epoch (sessions' and invites' ages, the rate limit); tests move it by hand."""
        self.engine = engine
        self.passwords = passwords or Passwords()
        self.signer = SessionSigner(secret)
        self.clock = clock
        self.limiter = limiter or RateLimiter(rows.SqlFailures(engine), clock=clock)
        self._claimed = False

    @classmethod
    def open(cls, engine: Engine, configured_secret: str = '') -> 'Workspace':
        """PAIRPAD_SECRET if set, else the secret generated on the first start and kept in the database."""
        secret = configured_secret or rows.ensure_setting(engine, 'session_secret', new_secret())
        return cls(engine, secret=secret)

    def _hash(self, password: object) -> str:
        try:
            return self.passwords.hash(password)
        except PasswordError as e:
            raise WorkspaceError(str(e)) from None

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), timezone.utc)

    # -- the first account ----------------------------------------------------------------------------------------

    def claimed(self) -> bool:
        """Whether the server has an account. Once it has, it always has (accounts are disabled, never deleted)."""
        self._claimed = self._claimed or rows.has_accounts(self.engine)
        return self._claimed

    def setup(self, name: object, email: object, password: object) -> SignIn:
        """The first-run form: the team and its first administrator, signed in. Refused once any account exists."""
        name, email, password_hash = clean_member_name(name), clean_email(email), self._hash(password)
        try:
            account = rows.create_first_account(self.engine, email=email, name=name, password_hash=password_hash)
        except rows.AccountExists:
            raise WorkspaceError('This server has its first account already: sign in.') from None
        self._claimed = True
        self.log(account.team_id, account.name, 'set up the team', account.email)
        return SignIn(Member.of(account), self._new_session(account.id))

    # -- sessions --------------------------------------------------------------------------------------------------

    def sign_in(self, email: object, password: object, address: str) -> SignIn:
        """Check a password within the rate limit. An unknown email, a disabled member and a wrong password all
        get WRONG after the same work."""
        key = email.strip().lower()[:MAX_EMAIL] if isinstance(email, str) else ''
        wait = self.limiter.wait(key, address)
        if wait > 0:
            return SignIn(error=locked_message(wait), wait=wait)
        account = rows.account_by_email(self.engine, key) if key else None
        usable = account is not None and not account.disabled
        if self.passwords.verify(account.password_hash if usable else None, password) and usable:
            self.limiter.succeeded(key)
            return SignIn(Member.of(account), self._new_session(account.id))
        wait = self.limiter.failed(key, address)
        return SignIn(error=locked_message(wait) if wait > 0 else WRONG, wait=wait)

    def member(self, cookie: object) -> Member | None:
        """The member a session cookie signs in, if the session and the member are still valid."""
        session_id = self.signer.session_id(cookie)
        if session_id is None:
            return None
        not_before = self._now() - timedelta(days=SESSION_DAYS)
        account = rows.session_account(self.engine, digest(session_id), not_before)
        return Member.of(account) if account is not None else None

    def sign_out(self, cookie: object) -> None:
        session_id = self.signer.session_id(cookie)
        if session_id is not None:
            rows.delete_sessions(self.engine, id_hash=digest(session_id))

    def change_password(self, member: Member, cookie: object, current: object, new: object) -> None:
        """A new password, after the current one; every other session of the member is signed out."""
        account = rows.get_account(self.engine, member.id)
        if account is None or not self.passwords.verify(account.password_hash, current):
            raise WorkspaceError('The current password is not right.')
        rows.set_password_hash(self.engine, member.id, self._hash(new))
        session_id = self.signer.session_id(cookie)
        rows.delete_sessions(self.engine, account_id=member.id, keep=digest(session_id) if session_id else None)

    def _new_session(self, account_id: str) -> str:
        """A session not entered yet, and its ticket."""
        session_id = new_secret()
        rows.add_session(self.engine, account_id, digest(session_id))
        return self.signer.ticket(session_id)

    def enter(self, ticket: object) -> str | None:
        """The session cookie for a sign-in's ticket, once; None for a forged, late or used ticket."""
        session_id = self.signer.ticket_session_id(ticket)
        if session_id is None or not rows.enter_session(self.engine, digest(session_id)):
            return None
        return self.signer.cookie(session_id)

    # -- members from the shell and API tokens ------------------------------------------------------------------

    def create_member(self, *, email: object, name: object, password: object, is_admin: bool) -> Member:
        """An account made from the shell (`pairpad users create`): the first one founds the team."""
        name, email, password_hash = clean_member_name(name), clean_email(email), self._hash(password)
        team_id = rows.first_team_id(self.engine)
        try:
            if team_id is None:
                account = rows.create_first_account(self.engine, email=email, name=name, password_hash=password_hash)
            else:
                account = rows.create_account(self.engine, team_id=team_id, email=email, name=name,
                                              password_hash=password_hash, is_admin=is_admin)
        except rows.AccountExists as e:
            raise WorkspaceError(str(e)) from None
        self._claimed = True
        return Member.of(account)

    def find(self, email: object) -> Member | None:
        account = rows.account_by_email(self.engine, clean_email(email))
        return Member.of(account) if account is not None and not account.disabled else None

    def new_token(self, member: Member, scopes: tuple[str, ...] | None = None) -> str:
        """A new API token (shown once); by default with every scope the member's role allows."""
        scopes = scopes_for(member.is_admin) if scopes is None else scopes
        if not scopes or any(scope not in SCOPES for scope in scopes):
            raise WorkspaceError(f'scopes must be among: {", ".join(SCOPES)}')
        token = new_secret(TOKEN_PREFIX)
        rows.add_token(self.engine, member.id, digest(token), ' '.join(scopes))
        return token

    def token_member(self, authorization: object, scope: str) -> Member | None:
        """The member of `Authorization: Bearer <API token>` if the token has `scope` and the member's role still
        allows it; None for anything else (no header, another kind of token, a disabled member)."""
        if not isinstance(authorization, str) or not authorization.startswith('Bearer ' + TOKEN_PREFIX):
            return None
        token = authorization.removeprefix('Bearer ').strip()
        found = rows.token_account(self.engine, digest(token)) if len(token) <= 100 else None
        if found is None:
            return None
        account, scopes = found
        allowed = set(scopes.split()) & set(scopes_for(account.is_admin))
        return Member.of(account) if scope in allowed else None

    def sso_member(self, email: str) -> Member | None:
        """The member an authenticating proxy vouches for (accounts.sso checked the proxy and the domain): made
        on first sight (the first one founds the team); None if disabled."""
        account = rows.account_by_email(self.engine, email)
        if account is None:
            team_id = rows.first_team_id(self.engine)
            try:
                if team_id is None:
                    account = rows.create_first_account(self.engine, email=email, name=name_from_email(email),
                                                        password_hash=None)
                else:
                    account = rows.create_account(self.engine, team_id=team_id, email=email,
                                                  name=name_from_email(email), password_hash=None, is_admin=False)
            except rows.AccountExists:  # made meanwhile by another request
                account = rows.account_by_email(self.engine, email)
            else:
                self.log(account.team_id, account.name, 'joined by single sign-on', account.email)
            self._claimed = True
        return Member.of(account) if account is not None and not account.disabled else None

    # -- invites and members ------------------------------------------------------------------------------------

    def invite(self, admin: Member, email: object, *, is_admin: bool = False) -> str:
        """A one-time invite link's secret, valid INVITE_DAYS days."""
        self._require_admin(admin)
        email = clean_email(email)
        if rows.account_by_email(self.engine, email) is not None:
            raise WorkspaceError(f'{email} has an account already.')
        token = new_secret()
        now = self._now()
        rows.add_invite(self.engine, Invite(token_hash=digest(token), team_id=admin.team_id, email=email,
                                            is_admin=is_admin, created_by=admin.id, created_at=now,
                                            expires_at=now + timedelta(days=INVITE_DAYS)))
        self.log(admin.team_id, admin.name, 'invited', email)
        return token

    def pending_invite(self, token: object) -> Invite | None:
        """The invite of a link if it can still be used: not forged, not used, not expired."""
        if not isinstance(token, str) or len(token) > 100:
            return None
        invite = rows.get_invite(self.engine, digest(token))
        if invite is None or invite.used_at is not None:
            return None
        expires = invite.expires_at if invite.expires_at.tzinfo else invite.expires_at.replace(tzinfo=timezone.utc)
        return invite if expires > self._now() else None

    def accept_invite(self, token: object, name: object, password: object) -> SignIn:
        invite = self.pending_invite(token)
        if invite is None:
            raise WorkspaceError('This invite link is not valid any more: ask for a new one.')
        name, password_hash = clean_member_name(name), self._hash(password)
        if not rows.use_invite(self.engine, invite.token_hash, self._now()):
            raise WorkspaceError('This invite link is not valid any more: ask for a new one.')
        try:
            account = rows.create_account(self.engine, team_id=invite.team_id, email=invite.email, name=name,
                                          password_hash=password_hash, is_admin=invite.is_admin)
        except rows.AccountExists as e:
            raise WorkspaceError(str(e)) from None
        self.log(invite.team_id, account.name, 'joined', account.email)
        return SignIn(Member.of(account), self._new_session(account.id))

    def members(self, team_id: str) -> list[Account]:
        return rows.list_accounts(self.engine, team_id)

    def set_disabled(self, admin: Member, member_id: str, disabled: bool = True) -> None:
        """Disable a member: its sessions and API tokens stop working at once, on every instance."""
        self._require_admin(admin)
        account = rows.get_account(self.engine, member_id)
        if account is None or account.team_id != admin.team_id:
            raise WorkspaceError('No such member.')
        if account.id == admin.id:
            raise WorkspaceError('You cannot disable yourself.')
        rows.set_disabled(self.engine, member_id, disabled)
        self.log(admin.team_id, admin.name, 'disabled' if disabled else 'enabled', account.email)

    def scorecard_criteria(self, team_id: str) -> list[str]:
        """The team's own default scorecard criteria; empty: the built-in ones (questions.scorecards)."""
        return rows.team_criteria(self.engine, team_id)

    def set_scorecard_criteria(self, admin: Member, text: object) -> list[str]:
        """What the team's scorecards rate when a question has no rubric, from one name per line (none: the
        built-in criteria); WorkspaceError saying what to change. Scorecards already submitted keep theirs."""
        self._require_admin(admin)
        try:
            criteria = team_criteria_from(text)
        except ScorecardError as e:
            raise WorkspaceError(str(e)) from e
        rows.set_team_criteria(self.engine, admin.team_id, criteria)
        self.log(admin.team_id, admin.name, 'set the scorecard criteria', ', '.join(criteria) or 'the built-in ones')
        return criteria

    def _require_admin(self, member: Member) -> None:
        if not member.is_admin:
            raise WorkspaceError('Only an administrator may do this.')

    # -- the activity log -------------------------------------------------------------------------------------------

    def log(self, team_id: str | None, actor: str, action: str, subject: str = '',
            interview_id: str | None = None) -> None:
        if team_id is not None:
            rows.log_activity(self.engine, team_id, actor, action, subject, interview_id)

    def activity(self, admin: Member, limit: int = 200) -> list:
        self._require_admin(admin)
        return rows.list_activity(self.engine, admin.team_id, limit)


def locked_message(wait: float) -> str:
    minutes = max(1, round(wait / 60))
    return (f'Too many failed sign-ins. Sign-in is locked for this account or address: try again in '
            f'{minutes} minute{"s" if minutes != 1 else ""}.')


def name_from_email(email: str) -> str:
    """A first name for a member made by single sign-on (they can be renamed later): `ada.lovelace@` → Ada Lovelace."""
    words = email.partition('@')[0].replace('.', ' ').replace('_', ' ').replace('-', ' ').split()
    return ' '.join(word.capitalize() for word in words)[:MAX_NAME] or 'Member'
