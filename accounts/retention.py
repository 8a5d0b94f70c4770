"""Retention: interviews ended PAIRPAD_RETENTION_DAYS ago are erased with everything of theirs, checked at start and
then hourly. Candidates rightly object to screeners that keep their data without limit; a team that needs an
interview longer reopens it (which clears its end) or sets the days to 0.

Every instance runs the job; erasing an interview another instance erased a moment ago finds nothing and logs
nothing. `erase` is the pages' use case (it closes the live rooms and tells their tabs), injected so this module
stays free of the UI; the clock is injected too.
"""

import asyncio
import logging
import time
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import Engine

from store import ended_before
from store.accounts import log_activity

log = logging.getLogger(__name__)

INTERVAL = 3600.0  # seconds between checks: a day's precision is all retention promises


class RetentionJob:
    def __init__(self, engine: Engine, days: int, erase: Callable[[str], bool], *,
                 clock: Callable[[], float] = time.time, interval: float = INTERVAL) -> None:
        self.engine, self.days, self.erase, self.clock, self.interval = engine, days, erase, clock, interval
        self._task: asyncio.Task | None = None

    def erase_due(self) -> list[str]:
        """Erase every interview ended more than `days` days ago; the ids erased (none when days is 0)."""
        if self.days <= 0:
            return []
        cutoff = datetime.fromtimestamp(self.clock(), timezone.utc) - timedelta(days=self.days)
        erased = []
        for interview in ended_before(self.engine, cutoff):
            if self.erase(interview.id):
                erased.append(interview.id)
                if interview.team_id is not None:
                    log_activity(self.engine, interview.team_id, 'retention', 'erased',
                                 f'ended more than {self.days} days ago', interview.id)
        if erased:
            log.info('retention: erased %d interview(s) ended before %s', len(erased), cutoff.date())
        return erased

    async def start(self) -> None:
        if self.days > 0:
            self._task = asyncio.create_task(self._forever(), name='pairpad-retention')

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _forever(self) -> None:
        while True:
            try:
                self.erase_due()
            except Exception:
                log.exception('retention check failed; next one in %.0f s', self.interval)
            await asyncio.sleep(self.interval)
