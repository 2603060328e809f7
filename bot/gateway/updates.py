"""A change counter the adviser inbox waits on, so a new request or message shows up at once."""
from __future__ import annotations

import asyncio


class Updates:
    def __init__(self) -> None:
        self.version = 0
        self._changed = asyncio.Condition()

    async def notify(self) -> None:
        async with self._changed:
            self.version += 1
            self._changed.notify_all()

    async def wait(self, seen: int, timeout: float) -> int:
        """Return as soon as something changed after `seen` (or after `timeout`): the new version."""
        async with self._changed:
            if self.version == seen:
                try:
                    await asyncio.wait_for(self._changed.wait_for(lambda: self.version != seen), timeout)
                except asyncio.TimeoutError:
                    pass
            return self.version
