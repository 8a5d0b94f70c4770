"""The sign-in rate limit: failed attempts are counted per account (its email, known or not) and per address over a
sliding window; at the limit, sign-in is refused for that key until the oldest counted failure leaves the window.

The failures live in a store shared by every instance (store.accounts.SqlFailures), so an attacker gains nothing by
spreading attempts over instances; `MemoryFailures` is the same in memory for unit tests. The clock is injected
(seconds since the epoch, since instances compare them).
"""

import time
from dataclasses import dataclass, field
from typing import Callable, Protocol


class Failures(Protocol):
    def record(self, key: str, at: float) -> None: ...
    def since(self, key: str, start: float) -> list[float]: ...
    def clear(self, key: str) -> None: ...
    def prune(self, before: float) -> None: ...


@dataclass
class MemoryFailures:
    rows: dict[str, list[float]] = field(default_factory=dict)

    def record(self, key: str, at: float) -> None:
        self.rows.setdefault(key, []).append(at)

    def since(self, key: str, start: float) -> list[float]:
        return sorted(t for t in self.rows.get(key, []) if t >= start)

    def clear(self, key: str) -> None:
        self.rows.pop(key, None)

    def prune(self, before: float) -> None:
        self.rows = {k: kept for k, v in self.rows.items() if (kept := [t for t in v if t >= before])}


@dataclass(frozen=True)
class Limit:
    failures: int  # failed attempts within the window that lock the key
    window: float  # seconds


ACCOUNT_LIMIT = Limit(failures=5, window=15 * 60)  # one person mistyping never gets near it
ADDRESS_LIMIT = Limit(failures=30, window=15 * 60)  # an office behind one NAT address may have a few


class RateLimiter:
    def __init__(self, failures: Failures, *, clock: Callable[[], float] = time.time,
                 per_account: Limit = ACCOUNT_LIMIT, per_address: Limit = ADDRESS_LIMIT) -> None:
        self.failures = failures
        self.clock = clock
        self.limits = {'email': per_account, 'addr': per_address}

    def wait(self, email: str, address: str) -> float:
        """Seconds until sign-in may be tried again for this email from this address; 0 if it may now."""
        now = self.clock()
        return max(self._wait(kind, value, now) for kind, value in (('email', email), ('addr', address)))

    def failed(self, email: str, address: str) -> float:
        """Count a failed attempt; returns the wait it caused (0 while under the limits)."""
        now = self.clock()
        for kind, value in (('email', email), ('addr', address)):
            self.failures.record(f'{kind}:{value}', now)
        self.failures.prune(now - max(limit.window for limit in self.limits.values()))
        return self.wait(email, address)

    def succeeded(self, email: str) -> None:
        """A right password: the account's count starts again (the address's does not)."""
        self.failures.clear(f'email:{email}')

    def _wait(self, kind: str, value: str, now: float) -> float:
        limit = self.limits[kind]
        recent = self.failures.since(f'{kind}:{value}', now - limit.window)
        if len(recent) < limit.failures:
            return 0.0
        # locked until enough failures leave the window to be under the limit again
        return max(0.0, recent[len(recent) - limit.failures] + limit.window - now)
