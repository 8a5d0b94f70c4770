"""Single sign-on behind a trusted proxy (issue 14 §1): the email header is believed only from PAIRPAD_TRUSTED_PROXIES
and only for PAIRPAD_SSO_DOMAINS; the member is made on first sight; a disabled one is refused; the same proxies'
X-Forwarded-For gives the address the rate limit counts."""

import pytest
from starlette.requests import Request

from accounts import Passwords, Workspace
from accounts.sso import TrustedProxy
from config import Settings
from pages.auth import COOKIE, Auth
from store import create_db

PROXY = '10.0.0.5'


def _request(peer: str, headers: dict[str, str] | None = None, cookie: str | None = None) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    if cookie:
        raw.append((b'cookie', f'{COOKIE}={cookie}'.encode()))
    return Request({'type': 'http', 'method': 'GET', 'path': '/', 'headers': raw, 'client': (peer, 40000),
                    'query_string': b'', 'scheme': 'http', 'server': ('pairpad', 80)})


@pytest.fixture
def auth(tmp_path) -> Auth:
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    settings = Settings(trusted_email_header='X-Forwarded-Email', trusted_proxies=f'{PROXY}, 10.0.0.6',
                        sso_domains='example.com')
    yield Auth(Workspace(engine, secret='s', passwords=Passwords.cheap()), TrustedProxy.from_settings(settings))
    engine.dispose()


def test_the_header_from_the_trusted_proxy_signs_in_and_makes_the_member(auth):
    first = auth.member(_request(PROXY, {'X-Forwarded-Email': 'Ada.Lovelace@Example.com'}))
    assert (first.email, first.name, first.is_admin) == ('ada.lovelace@example.com', 'Ada Lovelace', True)
    second = auth.member(_request(PROXY, {'X-Forwarded-Email': 'bob@example.com'}))
    assert not second.is_admin and second.team_id == first.team_id
    assert auth.member(_request(PROXY, {'X-Forwarded-Email': 'ada.lovelace@example.com'})) == first  # not again


def test_the_header_is_ignored_from_an_untrusted_address_or_for_another_domain(auth):
    assert auth.member(_request('10.0.0.99', {'X-Forwarded-Email': 'ada@example.com'})) is None
    assert auth.member(_request(PROXY, {'X-Forwarded-Email': 'eve@evil.example'})) is None
    assert auth.member(_request(PROXY, {'X-Forwarded-Email': 'not an email'})) is None
    assert auth.member(_request(PROXY, {'X-Forwarded-Email': 'ada@example.com.evil.io'})) is None
    assert not auth.workspace.claimed()  # none of them made an account


def test_a_disabled_member_is_refused_even_through_the_proxy(auth):
    admin = auth.member(_request(PROXY, {'X-Forwarded-Email': 'ada@example.com'}))
    bob = auth.member(_request(PROXY, {'X-Forwarded-Email': 'bob@example.com'}))
    auth.workspace.set_disabled(admin, bob.id)
    assert auth.member(_request(PROXY, {'X-Forwarded-Email': 'bob@example.com'})) is None


def test_sso_off_by_default_and_the_cookie_still_works(tmp_path):
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    try:
        auth = Auth(Workspace(engine, secret='s', passwords=Passwords.cheap()), TrustedProxy.from_settings(Settings()))
        assert auth.member(_request(PROXY, {'X-Forwarded-Email': 'ada@example.com'})) is None
        signed = auth.workspace.setup('Ann', 'ann@example.com', 'a password 1')
        cookie = auth.workspace.enter(signed.ticket)
        assert auth.member(_request('127.0.0.1', cookie=cookie)) == signed.member
    finally:
        engine.dispose()


def test_the_rate_limit_counts_the_forwarded_client_only_behind_a_trusted_proxy(auth):
    forwarded = {'X-Forwarded-For': '203.0.113.7, 10.0.0.6'}
    assert auth.address(_request(PROXY, forwarded)) == '203.0.113.7'
    assert auth.address(_request('198.51.100.1', forwarded)) == '198.51.100.1'  # anyone can send the header
    with pytest.raises(ValueError, match='not an IP address'):
        TrustedProxy.from_settings(Settings(trusted_proxies='proxy.local'))
