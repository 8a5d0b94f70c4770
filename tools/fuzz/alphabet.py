"""What the simulated peers type: characters of every UTF-8 width, each one unique within a schedule.

Uniqueness is what makes the "no typed character is lost unless a peer deleted it" invariant exact: a deletion
names precisely the characters it removed, two peers deleting the same character concurrently count it once,
and a character that shows up twice in the final text is a duplication, not a coincidence.
"""

import random


def _chars(*ranges: tuple[int, int]) -> tuple[str, ...]:
    return tuple(chr(c) for start, end in ranges for c in range(start, end + 1) if chr(c).isprintable())


# (name, weight, characters). Weights favour code that looks like code, yet every width shows up in most schedules.
SCRIPTS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ('ascii', 40, _chars((0x21, 0x7e)) + (' ', '\n', '\t')),         # 1 byte
    ('accents', 20, _chars((0xc0, 0x24f), (0x370, 0x3ff), (0x400, 0x4ff), (0x5d0, 0x5ea))),  # 2 bytes, incl. RTL
    ('cjk', 20, _chars((0x3041, 0x3096), (0x4e00, 0x9fff), (0xac00, 0xd7a3))),  # 3 bytes
    ('emoji', 20, _chars((0x1f300, 0x1f64f), (0x1f680, 0x1f6c5), (0x1f900, 0x1f9ff))),  # 4 bytes, astral plane
)
_WEIGHTS = tuple(weight for _, weight, _ in SCRIPTS)
_FALLBACK = SCRIPTS[2][2]  # tens of thousands of characters: never runs out within a schedule


class Typist:
    """Hands out fresh characters from one seeded Random; never the same character twice."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.used: set[str] = set()

    def take(self, count: int) -> str:
        return ''.join(self._one() for _ in range(count))

    def _one(self) -> str:
        for _ in range(8):
            pool = self._rng.choices(SCRIPTS, _WEIGHTS)[0][2]
            char = pool[self._rng.randrange(len(pool))]
            if char not in self.used:
                self.used.add(char)
                return char
        start = self._rng.randrange(len(_FALLBACK))  # a small pool is nearly used up: take the next free CJK one
        for offset in range(len(_FALLBACK)):
            char = _FALLBACK[(start + offset) % len(_FALLBACK)]
            if char not in self.used:
                self.used.add(char)
                return char
        raise RuntimeError('ran out of unique characters')
