"""Password hashing runs on the process's own hashing threads, one per core. A process forked
after hashing (a benchmark's or a pre-fork server's workers) must get threads of its own: the
inherited pool has none, and work sent to it would wait forever."""

from __future__ import annotations

import asyncio
import multiprocessing

from fitcoach.auth.password_hashing import hash_password, verify_password

PASSWORD = "Str0ng!Passw0rd"


def _verify_in_a_fresh_loop(password_hash: str) -> bool:
    return asyncio.run(verify_password(password_hash, PASSWORD))


async def test_hashing_works_in_a_process_forked_after_hashing() -> None:
    password_hash = await hash_password(PASSWORD)
    assert await verify_password(password_hash, PASSWORD)

    with multiprocessing.get_context("fork").Pool(1) as pool:
        verified = pool.apply_async(_verify_in_a_fresh_loop, (password_hash,))
        assert verified.get(timeout=30) is True


async def test_concurrent_checks_all_answer() -> None:
    password_hash = await hash_password(PASSWORD)
    answers = await asyncio.gather(
        *(verify_password(password_hash, PASSWORD if n % 2 else "wrong") for n in range(6))
    )
    assert answers == [n % 2 == 1 for n in range(6)]
