"""Publisher settings read from the environment (kept here, next to their only user).

| variable | default | what |
|---|---|---|
| `TERPADU_LINK_EXPIRES` | 604800 (7 days) | lifetime of presigned download links, seconds (SigV4 allows 1..604800) |
| `TERPADU_READINESS_TARGET` | 0.9 | readiness score a region must reach |
| `TERPADU_DATA_DEADLINE` | 2026-10-01 | national deadline: data ready by October 2026 |
| `TERPADU_TREND_WINDOW` | 6 | releases used for the forecast's linear fit (the most recent ones) |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

MAX_PRESIGN_SECONDS = 7 * 24 * 3600  # the longest a SigV4 presigned URL may live


@dataclass(frozen=True)
class PublishConfig:
    link_expires: int = MAX_PRESIGN_SECONDS
    readiness_target: float = 0.9
    deadline: date = date(2026, 10, 1)
    trend_window: int = 6

    @classmethod
    def from_env(cls) -> PublishConfig:
        defaults = cls()
        expires = int(os.environ.get("TERPADU_LINK_EXPIRES", defaults.link_expires))
        if not 1 <= expires <= MAX_PRESIGN_SECONDS:
            raise ValueError(f"TERPADU_LINK_EXPIRES={expires}: presigned links live 1..{MAX_PRESIGN_SECONDS} s")
        target = float(os.environ.get("TERPADU_READINESS_TARGET", defaults.readiness_target))
        if not 0 < target <= 1:
            raise ValueError(f"TERPADU_READINESS_TARGET={target}: a score between 0 and 1")
        deadline = os.environ.get("TERPADU_DATA_DEADLINE")
        window = int(os.environ.get("TERPADU_TREND_WINDOW", defaults.trend_window))
        return cls(
            link_expires=expires,
            readiness_target=target,
            deadline=date.fromisoformat(deadline) if deadline else defaults.deadline,
            trend_window=max(window, 2),
        )
