"""Reading and writing the team workspace's rows (store/account_models.py). Plain functions over an engine, like
the rest of the store; the rules (who may do what, hashing, limits) are accounts/'s."""

import secrets
from datetime import datetime

from sqlalchemy import Engine, delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from .account_models import Account, AccountSession, Activity, ApiToken, Invite, ServerSetting, SignInFailure, Team
from .locks import transaction_lock
from .models import utcnow


class AccountExists(ValueError):
    """An account with this email exists already (or, for the first-run form, any account)."""


# -- server settings ---------------------------------------------------------------------------------------------

def ensure_setting(engine: Engine, key: str, make: str) -> str:
    """The setting's value; `make` is stored first if there is none. Of instances starting at once, the first
    insert wins and every instance reads that one (the session secret must be the same everywhere)."""
    with Session(engine) as session:
        row = session.get(ServerSetting, key)
        if row is not None:
            return row.value
        session.add(ServerSetting(key=key, value=make))
        try:
            session.commit()
            return make
        except IntegrityError:
            session.rollback()
    with Session(engine) as session:
        return session.get(ServerSetting, key).value


# -- accounts ----------------------------------------------------------------------------------------------------

def has_accounts(engine: Engine) -> bool:
    with Session(engine) as session:
        return session.exec(select(Account.id).limit(1)).first() is not None


def create_first_account(engine: Engine, *, email: str, name: str, password_hash: str | None) -> Account:
    """The team and its first administrator, only while the server has no account at all: of two first-run forms
    sent at once, one wins and the other gets AccountExists."""
    with Session(engine) as session:
        transaction_lock(session.connection(), 'first-account')
        if session.exec(select(Account.id).limit(1)).first() is not None:
            raise AccountExists('this server has its first account already')
        team = Team(id=secrets.token_urlsafe(9), name='Pairpad')
        session.add(team)
        session.flush()
        account = _new_account(team.id, email, name, password_hash, is_admin=True)
        session.add(account)
        session.commit()
        session.refresh(account)
        return account


def create_account(engine: Engine, *, team_id: str, email: str, name: str, password_hash: str | None,
                   is_admin: bool) -> Account:
    with Session(engine) as session:
        session.add(_new_account(team_id, email, name, password_hash, is_admin=is_admin))
        try:
            session.commit()
        except IntegrityError:
            raise AccountExists(f'an account with the email {email} exists already') from None
    return account_by_email(engine, email)


def _new_account(team_id: str, email: str, name: str, password_hash: str | None, *, is_admin: bool) -> Account:
    return Account(id=secrets.token_urlsafe(9), team_id=team_id, email=email, name=name,
                   password_hash=password_hash, is_admin=is_admin)


def first_team_id(engine: Engine) -> str | None:
    """The team of a server (one team per server today)."""
    with Session(engine) as session:
        return session.exec(select(Team.id).order_by(col(Team.created_at))).first()


def account_by_email(engine: Engine, email: str) -> Account | None:
    with Session(engine) as session:
        return session.exec(select(Account).where(Account.email == email)).first()


def get_account(engine: Engine, account_id: str) -> Account | None:
    with Session(engine) as session:
        return session.get(Account, account_id)


def list_accounts(engine: Engine, team_id: str) -> list[Account]:
    with Session(engine) as session:
        return list(session.exec(select(Account).where(Account.team_id == team_id)
                                 .order_by(col(Account.created_at))).all())


def account_names(engine: Engine, account_ids: set[str]) -> dict[str, str]:
    if not account_ids:
        return {}
    with Session(engine) as session:
        rows = session.exec(select(Account.id, Account.name).where(col(Account.id).in_(account_ids))).all()
        return {account_id: name for account_id, name in rows}


def set_password_hash(engine: Engine, account_id: str, password_hash: str) -> None:
    with Session(engine) as session:
        account = session.get(Account, account_id)
        if account is not None:
            account.password_hash = password_hash
            session.add(account)
            session.commit()


def set_disabled(engine: Engine, account_id: str, disabled: bool) -> None:
    """Disable (or enable) a member; disabling ends its sessions and API tokens in the same transaction."""
    with Session(engine) as session:
        account = session.get(Account, account_id)
        if account is None:
            return
        account.disabled = disabled
        session.add(account)
        if disabled:
            for table in (AccountSession, ApiToken):
                session.exec(delete(table).where(col(table.account_id) == account_id))
        session.commit()


# -- sessions and tokens -----------------------------------------------------------------------------------------

def add_session(engine: Engine, account_id: str, id_hash: str) -> None:
    with Session(engine) as session:
        session.add(AccountSession(id_hash=id_hash, account_id=account_id))
        session.commit()


def enter_session(engine: Engine, id_hash: str) -> bool:
    """Mark a session entered (its ticket used); False if it was already, or is gone."""
    with Session(engine) as session:
        result = session.exec(update(AccountSession).where(col(AccountSession.id_hash) == id_hash,
                                                           col(AccountSession.entered).is_(False))
                              .values(entered=True))
        session.commit()
        return result.rowcount == 1


def session_account(engine: Engine, id_hash: str, not_before: datetime) -> Account | None:
    """The enabled account of an entered session younger than `not_before`, else None."""
    with Session(engine) as session:
        return session.exec(select(Account).join(AccountSession, col(AccountSession.account_id) == col(Account.id))
                            .where(AccountSession.id_hash == id_hash, col(Account.disabled).is_(False),
                                   col(AccountSession.entered).is_(True),
                                   col(AccountSession.created_at) >= not_before)).first()


def delete_sessions(engine: Engine, *, id_hash: str | None = None, account_id: str | None = None,
                    keep: str | None = None) -> None:
    """Sign out one session (`id_hash`) or every session of an account but `keep`."""
    with Session(engine) as session:
        query = delete(AccountSession)
        if id_hash is not None:
            query = query.where(col(AccountSession.id_hash) == id_hash)
        if account_id is not None:
            query = query.where(col(AccountSession.account_id) == account_id)
        if keep is not None:
            query = query.where(col(AccountSession.id_hash) != keep)
        session.exec(query)
        session.commit()


def add_token(engine: Engine, account_id: str, token_hash: str, scopes: str) -> None:
    with Session(engine) as session:
        session.add(ApiToken(token_hash=token_hash, account_id=account_id, scopes=scopes))
        session.commit()


def token_account(engine: Engine, token_hash: str) -> tuple[Account, str] | None:
    """(enabled account, scopes) of an API token, else None."""
    with Session(engine) as session:
        row = session.exec(select(Account, ApiToken.scopes)
                           .join(ApiToken, col(ApiToken.account_id) == col(Account.id))
                           .where(ApiToken.token_hash == token_hash, col(Account.disabled).is_(False))).first()
        return (row[0], row[1]) if row else None


# -- invites -----------------------------------------------------------------------------------------------------

def add_invite(engine: Engine, invite: Invite) -> None:
    with Session(engine) as session:
        session.add(invite)
        session.commit()


def get_invite(engine: Engine, token_hash: str) -> Invite | None:
    with Session(engine) as session:
        return session.get(Invite, token_hash)


def use_invite(engine: Engine, token_hash: str, now: datetime) -> bool:
    """Mark an unused invite used; False if it was used meanwhile (two accepts at once: one wins)."""
    with Session(engine) as session:
        transaction_lock(session.connection(), 'invite', token_hash)
        invite = session.get(Invite, token_hash)
        if invite is None or invite.used_at is not None:
            return False
        invite.used_at = now
        session.add(invite)
        session.commit()
        return True


# -- the activity log --------------------------------------------------------------------------------------------

def team_criteria(engine: Engine, team_id: str) -> list[str]:
    """The team's own default scorecard criteria; empty when it keeps the built-in ones."""
    with Session(engine) as session:
        team = session.get(Team, team_id)
    return [line for line in (team.scorecard_criteria if team is not None else '').split('\n') if line]


def set_team_criteria(engine: Engine, team_id: str, criteria: list[str]) -> None:
    with Session(engine) as session:
        session.exec(update(Team).where(col(Team.id) == team_id).values(scorecard_criteria='\n'.join(criteria)))
        session.commit()


def log_activity(engine: Engine, team_id: str, actor: str, action: str, subject: str = '',
                 interview_id: str | None = None) -> None:
    with Session(engine) as session:
        session.add(Activity(team_id=team_id, actor=actor[:40], action=action, subject=subject[:254],
                             interview_id=interview_id))
        session.commit()


def list_activity(engine: Engine, team_id: str, limit: int = 200) -> list[Activity]:
    with Session(engine) as session:
        return list(session.exec(select(Activity).where(Activity.team_id == team_id)
                                 .order_by(col(Activity.id).desc()).limit(limit)).all())


# -- sign-in failures (accounts.ratelimit's SQL store) -------------------------------------------------------------

class SqlFailures:
    """Failed sign-ins in the database, so every instance counts the same attempts."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, key: str, at: float) -> None:
        with Session(self.engine) as session:
            session.add(SignInFailure(key=key[:300], at=at))
            session.commit()

    def since(self, key: str, start: float) -> list[float]:
        with Session(self.engine) as session:
            return list(session.exec(select(SignInFailure.at).where(SignInFailure.key == key[:300],
                                                                    col(SignInFailure.at) >= start)
                                     .order_by(col(SignInFailure.at))).all())

    def clear(self, key: str) -> None:
        with Session(self.engine) as session:
            session.exec(delete(SignInFailure).where(col(SignInFailure.key) == key[:300]))
            session.commit()

    def prune(self, before: float) -> None:
        with Session(self.engine) as session:
            session.exec(delete(SignInFailure).where(col(SignInFailure.at) < before))
            session.commit()


def count_rows(engine: Engine, table: type) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()
