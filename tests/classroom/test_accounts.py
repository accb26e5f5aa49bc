"""The password limits without sockets: by (account, address), one check at a time per
address, and the whole account slowed when it is guessed from many addresses."""

from __future__ import annotations

import asyncio
import json

from smtp_tutor.classroom import accounts as module
from smtp_tutor.classroom.accounts import MAX_FAILURES, SLOW_MAX, SLOW_STEP, Accounts
from smtp_tutor.classroom.roster import Student


def make(tmp_path) -> tuple[Accounts, str, list[float]]:  # noqa: ANN001
    accounts = Accounts(tmp_path / "accounts.json")
    password = accounts.add([Student("SV001", "An", "", "sv001")])["sv001"]
    delays: list[float] = []

    async def pause(seconds: float) -> None:
        delays.append(seconds)
    accounts.pause = pause
    return accounts, password, delays


def test_parallel_guesses_from_one_address_get_only_their_share(tmp_path):
    accounts, password, _ = make(tmp_path)

    async def guess() -> list:
        return await asyncio.gather(*(accounts.verify("sv001", f"g{n}", "10.0.0.7")
                                      for n in range(4 * MAX_FAILURES)))
    assert asyncio.run(guess()) == [None] * (4 * MAX_FAILURES)
    account = accounts.by_name["sv001"]
    assert account.failed_total == MAX_FAILURES  # the rest met the lock, unchecked
    assert account.locked_from(module.time.time()) == ["10.0.0.7"]
    assert asyncio.run(accounts.verify("sv001", password, "10.0.0.7")) is None
    assert asyncio.run(accounts.verify("sv001", password, "10.0.0.8")) is account
    assert accounts._turns == {}  # no lock left behind per address


def test_guessing_from_many_addresses_slows_every_wrong_answer_never_the_right_one(tmp_path):
    accounts, password, delays = make(tmp_path)

    async def run() -> None:
        for pc in range(3):
            for _ in range(MAX_FAILURES):
                assert await accounts.verify("sv001", "guess", f"10.0.1.{pc}") is None
        assert await accounts.verify("sv001", password, "10.0.2.1") is not None
    asyncio.run(run())
    # the first PC's five cost nothing; then each wrong answer waits more, up to the cap
    assert delays[:3] == [SLOW_STEP, 2 * SLOW_STEP, 3 * SLOW_STEP]
    assert len(delays) == 2 * MAX_FAILURES and max(delays) == SLOW_MAX
    assert len(accounts.by_name["sv001"].locked_from(module.time.time())) == 3


def test_locks_survive_a_save_and_an_old_folder_still_loads(tmp_path):
    accounts, _, _ = make(tmp_path)
    for _ in range(MAX_FAILURES):
        asyncio.run(accounts.verify("sv001", "guess", "10.0.0.7"))
    accounts.save()
    again = Accounts(tmp_path / "accounts.json")
    assert again.by_name["sv001"].locked_from(module.time.time()) == ["10.0.0.7"]
    rows = json.loads((tmp_path / "accounts.json").read_text())
    for row in rows:  # as written before locks were kept by address
        row.pop("locked")
        row["failures"], row["locked_until"] = [1.0, 2.0], 9e12
    (tmp_path / "accounts.json").write_text(json.dumps(rows))
    old = Accounts(tmp_path / "accounts.json").by_name["sv001"]
    assert old.failures == [] and old.locked == {}
