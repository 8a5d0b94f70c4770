"""Password hashing with argon2id (argon2-cffi's defaults, the RFC 9106 low-memory profile: 64 MiB, 3 passes). A
password is only ever held in memory long enough to hash or verify it: never stored, never logged."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD = 10
MAX_PASSWORD = 256  # argon2 takes any length; a megabyte "password" would only cost us CPU


class PasswordError(ValueError):
    """A new password that is too short or too long (the message says which, for the form)."""


def check_new_password(password: object) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise PasswordError(f'A password has at least {MIN_PASSWORD} characters.')
    if len(password) > MAX_PASSWORD:
        raise PasswordError(f'A password has at most {MAX_PASSWORD} characters.')
    return password


class Passwords:
    """Hash and verify. `Passwords.cheap()` is for unit tests only: the same code with a tiny cost, since each
    real hash costs ~0.1-0.5 s of CPU."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        # Verified against when the email is unknown, so an unknown email costs the same time as a wrong password
        # and the answer's timing tells nothing about which emails have accounts.
        self._dummy = self.hasher.hash('pairpad: no such account')

    @classmethod
    def cheap(cls) -> 'Passwords':
        return cls(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))

    def hash(self, password: object) -> str:
        return self.hasher.hash(check_new_password(password))

    def verify(self, stored_hash: str | None, password: object) -> bool:
        """True if `password` is the one hashed; False for anything else, a missing hash included (after the
        same work as a real check)."""
        if not isinstance(password, str) or len(password) > MAX_PASSWORD:
            password = ''
        try:
            return self.hasher.verify(stored_hash or self._dummy, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False
