"""Password hashing with argon2id at OWASP's parameters, off the event loop, and the one password
policy for every password that is set."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from fitcoach.http.envelope import schema_rule

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1, hash_len=32, salt_len=16)

# argon2 is memory-hard (19 MiB a hash) and CPU-bound, and it releases the GIL: more hashes at
# once than cores only thrash the caches and grow memory (40 at once, the default thread pool,
# took a worker to 800 MiB). One thread per core keeps every core busy and queues the rest.
_HASHING_THREADS = os.cpu_count() or 1


class _HashingPool:
    """The process's hashing threads, started on first use. A forked child inherits the pool
    object but not its threads, so work sent to it would wait forever: the child starts its own."""

    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None
        os.register_at_fork(after_in_child=self._forget)

    def executor(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=_HASHING_THREADS, thread_name_prefix="argon2"
            )
        return self._executor

    def _forget(self) -> None:
        self._executor = None


_hashing = _HashingPool()

_T = TypeVar("_T")

PASSWORD_MIN, PASSWORD_MAX = 8, 256
PASSWORD_POLICY_MESSAGE = (
    f"Password must be {PASSWORD_MIN}-{PASSWORD_MAX} characters and include an uppercase letter, "
    "a lowercase letter, a number and a special character"
)
PASSWORD_POLICY_DESCRIPTION = (
    f"{PASSWORD_MIN}-{PASSWORD_MAX} characters with upper, lower, number, special"
)
# The policy as a JSON Schema pattern, so clients and generated data can meet it up front.
PASSWORD_SCHEMA = schema_rule(
    pattern=(
        # [\\s\\S], not `.`: a newline may come before the character a class needs. \\d as
        # in _CLASSES (any script's digits).
        "^(?=[\\s\\S]*[A-Z])(?=[\\s\\S]*[a-z])(?=[\\s\\S]*\\d)(?=[\\s\\S]*[^A-Za-z0-9])"
        f"[^\\u0000]{{{PASSWORD_MIN},{PASSWORD_MAX}}}$"
    )
)
_CLASSES = (
    re.compile(r"[A-Z]"),
    re.compile(r"[a-z]"),
    re.compile(r"\d"),
    re.compile(r"[^A-Za-z0-9]"),
)


def check_password_policy(password: str) -> str:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise ValueError(PASSWORD_POLICY_MESSAGE)
    if not all(pattern.search(password) for pattern in _CLASSES):
        raise ValueError(PASSWORD_POLICY_MESSAGE)
    return password


async def _off_the_loop(work: Callable[..., _T], *args: str) -> _T:
    return await asyncio.get_running_loop().run_in_executor(_hashing.executor(), work, *args)


async def hash_password(password: str) -> str:
    return await _off_the_loop(_hasher.hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account has a password: an unknown account costs the same
    as a wrong password, so response time does not reveal which accounts exist."""
    matched = await _off_the_loop(_verify, password_hash or _dummy_hash(), password)
    return matched and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("fitcoach-dummy-password-for-equal-timing")
