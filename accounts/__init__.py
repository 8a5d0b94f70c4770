"""The team workspace without any UI: members and their passwords, sessions, API tokens, invites, the sign-in rate
limit, the retention of ended interviews. NiceGUI-free, so every rule is tested as plain Python (tests/unit/
test_accounts*.py); pages/auth.py, pages/dashboard.py and pages/api.py only call it."""

from .passwords import PasswordError, Passwords
from .ratelimit import Limit, MemoryFailures, RateLimiter
from .tokens import SCOPES
from .workspace import Member, SignIn, Workspace, WorkspaceError

__all__ = ['SCOPES', 'Limit', 'Member', 'MemoryFailures', 'PasswordError', 'Passwords', 'RateLimiter', 'SignIn', 'Workspace',
           'WorkspaceError']
