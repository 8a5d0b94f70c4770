"""Secrets handed to members: API tokens, session cookies and invite links. Only their SHA-256 is stored."""

import hashlib
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

TOKEN_PREFIX = 'ppt_'  # tells an API token from a participant's token in `Authorization: Bearer …`
# What an API token may do: `interviews` create, list and erase the team's interviews; `team` read the activity
# log, invite and disable members (administrators only).
SCOPES = ('interviews', 'team')
SESSION_DAYS = 30


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str = '') -> str:
    return prefix + secrets.token_urlsafe(32)


def scopes_for(is_admin: bool) -> tuple[str, ...]:
    """The scopes a member's role allows; a token never does more, even if it was given more."""
    return SCOPES if is_admin else ('interviews',)


TICKET_SECONDS = 60


class SessionSigner:
    """The session cookie: the session's id, signed with the server's secret and dated (itsdangerous), so a cookie
    cannot be made up and an old one expires even if its row stays.

    A sign-in happens over the page's socket, which cannot set a cookie: it hands the browser a ticket (the same id,
    signed for another purpose and valid a minute), which `/auth/enter` trades once for the cookie."""

    def __init__(self, secret: str) -> None:
        self._cookies = URLSafeTimedSerializer(secret, salt='pairpad-session')
        self._tickets = URLSafeTimedSerializer(secret, salt='pairpad-ticket')

    def cookie(self, session_id: str) -> str:
        return self._cookies.dumps(session_id)

    def ticket(self, session_id: str) -> str:
        return self._tickets.dumps(session_id)

    def session_id(self, cookie: object) -> str | None:
        return _loads(self._cookies, cookie, SESSION_DAYS * 86400)

    def ticket_session_id(self, ticket: object) -> str | None:
        return _loads(self._tickets, ticket, TICKET_SECONDS)


def _loads(serializer: URLSafeTimedSerializer, value: object, max_age: int) -> str | None:
    if not isinstance(value, str) or len(value) > 500:
        return None
    try:
        loaded = serializer.loads(value, max_age=max_age)
    except BadSignature:
        return None
    return loaded if isinstance(loaded, str) else None
