"""The team workspace's rules without a browser (accounts/): hashing, the first account, sign-in and its rate limit
(clock injected), sessions revoked at once when a member is disabled, API token scopes, invites (expiry, reuse,
forgery)."""

from datetime import datetime, timezone

import pytest
from sqlmodel import Session, select

from accounts import Limit, MemoryFailures, Passwords, RateLimiter, Workspace, WorkspaceError
from accounts.workspace import WRONG
from store import AccountSession, ApiToken, create_db
from store.account_models import Account

PASSWORD = 'correct horse battery'
CHEAP = Passwords.cheap()  # the same code at a tiny cost; the real profile is checked once below


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc).timestamp()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(database_url):
    engine = create_db(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def workspace(engine, clock) -> Workspace:
    return Workspace(engine, secret='test secret', clock=clock, passwords=CHEAP,
                     limiter=RateLimiter(MemoryFailures(), clock=clock))


def test_the_real_hash_is_argon2id_with_its_recommended_cost():
    real = Passwords()
    stored = real.hash(PASSWORD)
    assert stored.startswith('$argon2id$v=19$m=65536,t=3,p=4$') and PASSWORD not in stored
    assert real.verify(stored, PASSWORD) and not real.verify(None, PASSWORD)


def test_passwords_are_never_kept_in_clear(workspace, engine):
    stored = CHEAP.hash(PASSWORD)
    assert CHEAP.verify(stored, PASSWORD) and not CHEAP.verify(stored, PASSWORD + '!')
    assert not CHEAP.verify(None, PASSWORD) and not CHEAP.verify(stored, None)
    workspace.setup('Ann', 'ann@example.com', PASSWORD)
    with Session(engine) as session:
        [account] = session.exec(select(Account)).all()
    assert account.password_hash.startswith('$argon2id$') and PASSWORD not in account.password_hash


def test_the_first_run_form_works_once(workspace):
    assert not workspace.claimed()
    first = workspace.setup('Ann', ' Ann@Example.com ', PASSWORD)
    assert first.member.is_admin and first.member.email == 'ann@example.com' and workspace.claimed()
    assert workspace.member(workspace.enter(first.ticket)) == first.member
    with pytest.raises(WorkspaceError, match='first account already'):
        workspace.setup('Mallory', 'm@example.com', PASSWORD)
    with pytest.raises(WorkspaceError, match='at least'):
        Workspace(workspace.engine, secret='x', passwords=CHEAP).create_member(email='b@example.com', name='B', password='short',
                                                              is_admin=False)


def test_an_unknown_email_and_a_wrong_password_get_the_same_answer(workspace):
    workspace.setup('Ann', 'ann@example.com', PASSWORD)
    unknown = workspace.sign_in('nobody@example.com', PASSWORD, '10.0.0.1')
    wrong = workspace.sign_in('ann@example.com', 'not the password', '10.0.0.1')
    assert unknown == wrong and unknown.error == WRONG and unknown.member is None
    right = workspace.sign_in('ANN@example.com', PASSWORD, '10.0.0.1')
    assert right.member.name == 'Ann' and workspace.member(workspace.enter(right.ticket)) == right.member


def test_five_wrong_passwords_lock_the_account_for_a_while(workspace, clock):
    workspace.setup('Ann', 'ann@example.com', PASSWORD)
    answers = [workspace.sign_in('ann@example.com', f'wrong {i}', '10.0.0.1') for i in range(5)]
    assert [a.error == WRONG for a in answers] == [True] * 4 + [False]
    assert 'Too many failed sign-ins' in answers[-1].error and answers[-1].wait == 15 * 60
    # locked: even the right password is refused, from any address
    assert workspace.sign_in('ann@example.com', PASSWORD, '10.0.0.2').member is None
    clock.now += 14 * 60
    assert 'try again in 1 minute' in workspace.sign_in('ann@example.com', PASSWORD, '10.0.0.2').error
    clock.now += 61
    assert workspace.sign_in('ann@example.com', PASSWORD, '10.0.0.2').member is not None


def test_the_rate_limit_counts_per_address_too(clock):
    limiter = RateLimiter(MemoryFailures(), clock=clock, per_account=Limit(5, 60), per_address=Limit(3, 60))
    for email in ('a@x.io', 'b@x.io', 'c@x.io'):
        limiter.failed(email, '10.0.0.9')
    assert limiter.wait('d@x.io', '10.0.0.9') == 60  # a new email from the same address
    assert limiter.wait('d@x.io', '10.0.0.10') == 0
    clock.now += 60
    assert limiter.wait('d@x.io', '10.0.0.9') == 0


def test_a_ticket_is_used_once_then_sign_out_and_forged_cookies(workspace, clock):
    signed = workspace.setup('Ann', 'ann@example.com', PASSWORD)
    assert workspace.member(signed.ticket) is None  # a ticket is not a cookie
    cookie = workspace.enter(signed.ticket)
    assert workspace.enter(signed.ticket) is None  # seen again (a log line, the history): it opens nothing
    late = workspace.sign_in('ann@example.com', PASSWORD, '10.0.0.1')
    clock.now += 61  # itsdangerous dates with the real clock: only the cookie's own check uses ours
    assert workspace.member(cookie + 'x') is None
    assert Workspace(workspace.engine, secret='another secret').member(cookie) is None
    assert workspace.member(cookie) is not None
    workspace.sign_out(cookie)
    assert workspace.member(cookie) is None
    assert workspace.enter(late.ticket + 'x') is None


def test_changing_the_password_signs_out_the_other_sessions(workspace):
    here = workspace.setup('Ann', 'ann@example.com', PASSWORD)
    elsewhere = workspace.enter(workspace.sign_in('ann@example.com', PASSWORD, '10.0.0.1').ticket)
    cookie = workspace.enter(here.ticket)
    with pytest.raises(WorkspaceError):
        workspace.change_password(here.member, cookie, 'not it', 'a new password!')
    workspace.change_password(here.member, cookie, PASSWORD, 'a new password!')
    assert workspace.member(cookie) == here.member and workspace.member(elsewhere) is None
    assert workspace.sign_in('ann@example.com', 'a new password!', '10.0.0.1').member is not None


def test_a_disabled_member_is_out_at_once_sessions_and_tokens(workspace, engine):
    admin = workspace.setup('Ann', 'ann@example.com', PASSWORD).member
    bob = workspace.create_member(email='bob@example.com', name='Bob', password=PASSWORD, is_admin=False)
    session = workspace.enter(workspace.sign_in('bob@example.com', PASSWORD, '10.0.0.1').ticket)
    token = workspace.new_token(bob)
    other_instance = Workspace(engine, secret='test secret', passwords=CHEAP)  # another instance: the state is in the database
    assert other_instance.member(session) == bob
    assert other_instance.token_member(f'Bearer {token}', 'interviews') == bob
    with pytest.raises(WorkspaceError):
        workspace.set_disabled(bob, admin.id)
    workspace.set_disabled(admin, bob.id)
    assert other_instance.member(session) is None
    assert other_instance.token_member(f'Bearer {token}', 'interviews') is None
    assert workspace.sign_in('bob@example.com', PASSWORD, '10.0.0.1').error == WRONG
    with Session(engine) as db:
        assert db.exec(select(AccountSession).where(AccountSession.account_id == bob.id)).all() == []
        assert db.exec(select(ApiToken).where(ApiToken.account_id == bob.id)).all() == []


def test_token_scopes(workspace):
    admin = workspace.setup('Ann', 'ann@example.com', PASSWORD).member
    member = workspace.create_member(email='bob@example.com', name='Bob', password=PASSWORD, is_admin=False)
    admin_token, member_token = workspace.new_token(admin), workspace.new_token(member)
    narrow = workspace.new_token(admin, ('interviews',))
    assert workspace.token_member(f'Bearer {admin_token}', 'team') == admin
    assert workspace.token_member(f'Bearer {member_token}', 'interviews') == member
    assert workspace.token_member(f'Bearer {member_token}', 'team') is None  # a member's role never allows it
    assert workspace.token_member(f'Bearer {narrow}', 'team') is None
    with pytest.raises(WorkspaceError):
        workspace.new_token(member, ('root',))
    for bad in (None, '', admin_token, 'Bearer ', f'Bearer {admin_token}x', 'Bearer ppt_' + 'a' * 5000):
        assert workspace.token_member(bad, 'interviews') is None


def test_invites_expire_are_used_once_and_cannot_be_forged(workspace, clock):
    admin = workspace.setup('Ann', 'ann@example.com', PASSWORD).member
    token = workspace.invite(admin, 'cy@example.com')
    assert workspace.pending_invite('forged' + token) is None and workspace.pending_invite(None) is None
    joined = workspace.accept_invite(token, 'Cy', PASSWORD)
    assert (joined.member.email, joined.member.team_id, joined.member.is_admin) == ('cy@example.com', admin.team_id,
                                                                                     False)
    with pytest.raises(WorkspaceError, match='not valid'):
        workspace.accept_invite(token, 'Cy again', PASSWORD)  # reused
    late = workspace.invite(admin, 'dee@example.com')
    clock.now += 7 * 86400 + 1
    with pytest.raises(WorkspaceError, match='not valid'):
        workspace.accept_invite(late, 'Dee', PASSWORD)  # expired
    with pytest.raises(WorkspaceError, match='administrator'):
        workspace.invite(joined.member, 'eve@example.com')


def test_the_users_command_creates_accounts_and_tokens(tmp_path, capsys):
    import io
    import json

    from accounts import cli
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    try:
        out = io.StringIO()
        assert cli.run(['create', '--email', 'Ann@Example.com', '--name', 'Ann', '--admin', '--json'], engine,
                       stdin=io.StringIO(''), stdout=out) == 0
        made = json.loads(out.getvalue())
        assert (made['email'], made['admin'], len(made['password'])) == ('ann@example.com', True, 16)  # generated
        out = io.StringIO()
        assert cli.run(['create', '--email', 'bob@example.com', '--name', 'Bob', '--token', '--json'], engine,
                       stdin=io.StringIO('bob password 1\n'), stdout=out) == 0
        bob = json.loads(out.getvalue())
        assert 'password' not in bob and bob['token'].startswith('ppt_') and bob['admin'] is False
        workspace = Workspace(engine, secret='s')
        assert workspace.token_member(f'Bearer {bob["token"]}', 'interviews').name == 'Bob'
        out = io.StringIO()
        assert cli.run(['token', '--email', 'ann@example.com'], engine, stdout=out) == 0
        assert out.getvalue().startswith('email: ann@example.com\ntoken: ppt_')
        assert cli.run(['token', '--email', 'nobody@example.com'], engine) == 1
        assert cli.run(['create', '--email', 'bob@example.com', '--name', 'B'], engine,
                       stdin=io.StringIO('bob password 1\n')) == 1
        assert 'exists already' in capsys.readouterr().err
    finally:
        engine.dispose()


def test_the_secret_is_generated_once_and_shared_or_configured(engine):
    first, second = Workspace.open(engine), Workspace.open(engine)  # two instances on one database
    first.passwords = CHEAP
    cookie = first.enter(first.setup('Ann', 'ann@example.com', PASSWORD).ticket)
    assert second.member(cookie) is not None  # the generated secret is the same on both
    assert Workspace.open(engine, 'PAIRPAD_SECRET value').member(cookie) is None  # a configured one wins
