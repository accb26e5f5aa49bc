"""When crepes.fr tries again, and when it gives up: RFC 5321 §4.5.4.1, compressed.

The RFC asks a sender to wait at least 30 minutes between tries and to keep a message
for at least 4 to 5 days.  Nobody watches a class for five days, so the schedule is run
faster by ``speedup``: with the default 600, 30 minutes pass in 3 seconds and 5 days
in 12 minutes.  The console always says both: the schedule's time and the real one.
"""

from __future__ import annotations

from dataclasses import dataclass

INTERVALS = (30, 30, 60, 120, 240)  # minutes after try 1, 2, 3 ...; then every 240


@dataclass(frozen=True)
class RetrySchedule:
    speedup: float = 600.0
    give_up_minutes: float = 5 * 24 * 60
    intervals: tuple[float, ...] = INTERVALS

    def minutes_after(self, tries: int) -> float:
        """The wait after ``tries`` tries, in the schedule's minutes."""
        index = min(max(tries, 1), len(self.intervals)) - 1
        return self.intervals[index]

    def seconds(self, minutes: float) -> float:
        """Schedule minutes in real seconds."""
        return minutes * 60.0 / self.speedup

    def expired(self, created: float, now: float) -> bool:
        return (now - created) * self.speedup / 60.0 >= self.give_up_minutes


def describe_minutes(minutes: float, lang: str = "en") -> str:
    """A delay of the schedule in the reader's units (30 min, 4 h, 5 d; 30 phút …)."""
    units = UNITS.get(lang, UNITS["en"])
    if minutes >= 24 * 60 and minutes % (24 * 60) == 0:
        return f"{minutes / (24 * 60):g} {units[2]}"
    if minutes >= 60 and minutes % 60 == 0:
        return f"{minutes / 60:g} {units[1]}"
    return f"{minutes:g} {units[0]}"


UNITS = {"en": ("min", "h", "d"), "vi": ("phút", "giờ", "ngày")}
