"""crepes.fr's queue manager: takes each queued message, tries it, retries it, bounces it.

For every recipient a try ends in one of three ways (``relay.Result``): delivered,
deferred (a 4xx, or no exchanger reachable: the message stays queued and the next try
is scheduled) or failed (a 5xx, or the retry limit: a DSN goes back to the sender with
the null reverse-path).  crepes.fr's own users get their mail (bounces included) by
local delivery into their Maildir.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from concurrent.futures import ThreadPoolExecutor

from smtp_tutor.server.maildir import MaildirStore
from smtp_tutor.world.dsn import Failure, build_dsn, expired_status, status_of
from smtp_tutor.world.events import (
    Bounced,
    Deferred,
    Delivered,
    Done,
    GaveUp,
    NotBounced,
    PickedUp,
    Queued,
    Refused,
    WorldWatcher,
    trace_of,
)
from smtp_tutor.world.handlers import local_copy
from smtp_tutor.world.queue import Entry, MailQueue
from smtp_tutor.world.relay import DEFERRED, DELIVERED, FAILED, RelayClient, Result
from smtp_tutor.world.retry import RetrySchedule


class QueueManager:
    def __init__(self, queue: MailQueue, relay: RelayClient, *, local_domain: str,
                 local_users: dict[str, str], local_store: MaildirStore,
                 schedule: RetrySchedule, watcher: WorldWatcher | None = None,
                 pickup_delay: float = 0.0) -> None:
        self.queue = queue
        self.relay = relay
        self.local_domain = local_domain
        self.local_users = local_users
        self.local_store = local_store
        self.schedule = schedule
        self.watcher = watcher or WorldWatcher()
        self.pickup_delay = pickup_delay
        self.entries: dict[str, Entry] = {}
        self._wake = asyncio.Event()
        self._io_thread = ThreadPoolExecutor(1, thread_name_prefix="queue-io")
        self._task: asyncio.Task | None = None

    async def _io(self, function, *args):  # noqa: ANN001, ANN202
        return await asyncio.get_running_loop().run_in_executor(self._io_thread, function, *args)

    async def load(self) -> int:
        """What a previous run left queued (after a crash too)."""
        await self._io(self.queue.clean)
        for entry in await self._io(self.queue.entries):
            self.entries[entry.id] = entry
        return len(self.entries)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            # cancelled again until it ends: a cancel that lands as an inner wait_for or a
            # TLS close completes can be swallowed (Python 3.11), and the loop would go on
            while not self._task.done():
                self._task.cancel()
                await asyncio.wait([self._task], timeout=0.5)
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._io_thread.shutdown(wait=True)

    async def submit(self, sender: str, recipients: list[str], message: bytes, *,
                     bounce_of: str = "") -> Entry:
        """Durable when this returns: only then may the submission server say 250."""
        entry = await self._io(lambda: self.queue.put(sender, recipients, message,
                                                      bounce_of=bounce_of))
        entry.next_try += self.pickup_delay
        self.entries[entry.id] = entry
        self.watcher.publish(Queued(entry.id, str(self.queue.directory / f"{entry.id}.eml"),
                                    entry.sender, tuple(entry.recipients)))
        self._wake.set()
        return entry

    async def submit_id(self, sender: str, recipients: list[str], message: bytes) -> str:
        return (await self.submit(sender, recipients, message)).id

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            now = time.time()
            due = sorted((e for e in self.entries.values() if e.next_try <= now),
                         key=lambda e: e.next_try)
            for entry in due:
                try:
                    await self._attempt(entry)
                except (OSError, RuntimeError) as error:  # a disk error: try again later
                    entry.next_try = time.time() + self.schedule.seconds(30)
                    entry.last_reply = f"451 4.3.0 {error}"
            if due:
                continue
            waits = [e.next_try - time.time() for e in self.entries.values()]
            timeout = max(0.0, min(waits)) if waits else None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _attempt(self, entry: Entry) -> None:
        entry.tries += 1
        self.watcher.publish(PickedUp(entry.id, entry.tries, tuple(entry.recipients)))
        message = await self._io(self.queue.message, entry)
        groups: dict[str, list[str]] = {}
        for recipient in entry.recipients:
            groups.setdefault(recipient.rpartition("@")[2].lower(), []).append(recipient)
        results: list[Result] = []
        for domain, recipients in groups.items():
            if domain == self.local_domain:
                results += await self._local(entry, recipients, message)
            else:
                results += await self.relay.deliver(domain, entry.sender, recipients, message)
        failed = [r for r in results if r.outcome == FAILED]
        deferred = [r for r in results if r.outcome == DEFERRED]
        for result in failed:
            self.watcher.publish(Refused(entry.id, result.recipient, result.reply))
        now = time.time()
        expired: list[Result] = []
        if deferred and self.schedule.expired(entry.created, now):
            self.watcher.publish(GaveUp(entry.id, self.schedule.give_up_minutes))
            expired, deferred = deferred, []
        if failed or expired:
            await self._bounce(entry, message, failed, expired)
        entry.done += [r.recipient for r in results if r.outcome != DEFERRED]
        if deferred:
            entry.recipients = [r.recipient for r in deferred]
            entry.last_reply = deferred[-1].reply
            minutes = self.schedule.minutes_after(entry.tries)
            seconds = self.schedule.seconds(minutes)
            entry.next_try = now + seconds
            await self._io(self.queue.update, entry)
            self.watcher.publish(Deferred(entry.id, entry.last_reply, minutes, seconds,
                                          self.schedule.speedup))
        else:
            entry.recipients = []
            await self._io(self.queue.remove, entry)
            self.entries.pop(entry.id, None)
            self.watcher.publish(Done(entry.id))

    async def _local(self, entry: Entry, recipients: list[str], message: bytes) -> list[Result]:
        results = []
        for recipient in recipients:
            user = recipient.rpartition("@")[0].lower()
            if user not in self.local_users:
                results.append(Result(recipient, FAILED, "550 5.1.1 User unknown",
                                      self.local_domain))
                continue
            stored = local_copy(self.local_domain, entry.sender, recipient, message)
            path = await self.local_store.deliver(user, stored)
            self.watcher.publish(Delivered(self.local_domain, user, str(path), trace_of(stored),
                                           local=True))
            results.append(Result(recipient, DELIVERED, "250 delivered", self.local_domain))
        return results

    async def _bounce(self, entry: Entry, message: bytes, failed: list[Result],
                      expired: list[Result]) -> None:
        if not entry.sender:
            self.watcher.publish(NotBounced(entry.id))  # RFC 5321 §4.5.5: never bounce a bounce
            return
        failures = [Failure(r.recipient, status_of(r.reply), r.reply, r.mta) for r in failed]
        failures += [Failure(r.recipient, expired_status(r.reply), f"{r.reply} (retry limit reached)",
                             r.mta)
                     for r in expired]
        dsn = build_dsn(reporting_mta=self.local_domain, original_sender=entry.sender,
                        original=message, failures=failures, arrival=entry.created,
                        queue_id=entry.id)
        bounce = await self.submit("", [entry.sender], dsn, bounce_of=entry.id)
        self.watcher.publish(Bounced(entry.id, entry.sender, bounce.id))
