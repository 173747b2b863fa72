"""constraints.txt pins every package fitcoach installs (with its dev extra), at the version this
suite runs with, so a fresh machine following the README gets what CI tested; and what is not
used (coredis, which limits' async-redis extra pulled in) is not installed at all."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

CONSTRAINTS = Path(__file__).resolve().parents[2] / "constraints.txt"


def _pins() -> dict[str, str]:
    pins = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"not pinned with ==: {line}"
            pins[canonicalize_name(name)] = version
    return pins


def _installed_closure(root: str, extras: tuple[str, ...]) -> dict[str, str]:
    """The installed distributions fitcoach needs, following requirements and their markers."""
    found: dict[str, str] = {}
    pending = [(root, extras)]
    while pending:
        name, wanted_extras = pending.pop()
        distribution = metadata.distribution(name)
        for text in distribution.requires or []:
            requirement = Requirement(text)
            environments = [{"extra": extra} for extra in wanted_extras] or [{"extra": ""}]
            if requirement.marker and not any(
                requirement.marker.evaluate(environment) for environment in environments
            ):
                continue
            key = canonicalize_name(requirement.name)
            if key not in found:
                found[key] = metadata.version(requirement.name)
                pending.append((requirement.name, tuple(requirement.extras)))
    return found


def test_every_dependency_is_pinned_at_the_tested_version() -> None:
    pins = _pins()
    installed = _installed_closure("fitcoach", ("dev",))
    assert {name: version for name, version in installed.items() if pins.get(name) != version} == {}


def test_coredis_is_gone() -> None:
    assert "coredis" not in _pins()
    assert "coredis" not in _installed_closure("fitcoach", ("dev",))
