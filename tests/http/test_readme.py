"""README's walkthrough is run as written: every `curl` (and `fitcoach create-admin`) of a bash
block that holds one is sent to the app in README order, and every JSON block is compared with
the answer of the request before it. `"<...>"` in a JSON block matches any value, and a
`<...token...>` in a request is the access token of the latest answer that handed one out. A
README edit that the server does not bear out fails here."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.console import cli_environment, run_cli
from tests.factories import with_settings

README = Path(__file__).resolve().parents[2] / "README.md"
SERVER = "http://localhost:3000"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
TOKEN_PLACEHOLDER = re.compile(r"<[^<>]*token[^<>]*>")
WALKTHROUGH_OTPS = "+201234567890=123456"


@dataclass
class Walk:
    client: httpx.AsyncClient
    database_url: str
    workdir: Path
    token: str | None = None
    answer: httpx.Response | None = None
    answer_checked: bool = True
    steps: list[str] = field(default_factory=list)

    async def run(self, command: list[str]) -> None:
        self._check_unanswered_error()
        if command[0] == "curl":
            await self._curl(command[1:])
        else:
            await self._create_admin(command)

    async def _curl(self, arguments: list[str]) -> None:
        method, url, headers, data = None, None, {}, None
        words = iter(arguments)
        for word in words:
            if word == "-X":
                method = next(words)
            elif word == "-H":
                name, _, value = next(words).partition(":")
                headers[name.strip()] = self._filled(value.strip())
            elif word == "-d":
                data = next(words)
            elif word.startswith(SERVER):
                url = word.removeprefix(SERVER)
            else:
                raise AssertionError(f"README curl option this test does not know: {word}")
        assert url is not None, arguments
        method = method or ("POST" if data is not None else "GET")
        self.steps.append(f"{method} {url}")
        content = data.encode() if data is not None else None
        self.answer = await self.client.request(method, url, headers=headers, content=content)
        self.answer_checked = False
        token = _access_token(self.answer)
        if token is not None:
            self.token = token

    async def _create_admin(self, command: list[str]) -> None:
        assert command[0].endswith("bin/fitcoach"), f"README command not run here: {command}"
        assert command[1] == "create-admin", command
        self.steps.append(" ".join(command[:2]))
        environment = cli_environment(self.workdir, FITCOACH_DATABASE_URL=self.database_url)
        result = await run_cli(environment, self.workdir, *command[1:])
        assert result.exit_code == 0, result.output

    def _filled(self, text: str) -> str:
        if TOKEN_PLACEHOLDER.search(text):
            assert self.token is not None, f"no token yet for {text} after {self.steps}"
            return TOKEN_PLACEHOLDER.sub(self.token, text)
        return text

    def check(self, documented: Any) -> None:
        assert self.answer is not None, "a JSON block in README with no request before it"
        actual = self.answer.json()
        assert _matches(documented, actual), (self.steps[-1], documented, actual)
        self.answer_checked = True

    def _check_unanswered_error(self) -> None:
        """A request whose error the README does not show must have succeeded."""
        if self.answer is not None and not self.answer_checked:
            assert self.answer.status_code < 400, (self.steps[-1], self.answer.text)


def _access_token(response: httpx.Response) -> str | None:
    try:
        data = response.json().get("data")
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("accessToken"), dict):
        token: str = data["accessToken"]["token"]
        return token
    return None


def _matches(documented: Any, actual: Any) -> bool:
    if isinstance(documented, str) and documented.startswith("<") and documented.endswith(">"):
        return actual is not None
    if isinstance(documented, dict):
        return isinstance(actual, dict) and all(
            key in actual and _matches(value, actual[key]) for key, value in documented.items()
        )
    if isinstance(documented, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(documented)
            and all(_matches(item, other) for item, other in zip(documented, actual, strict=True))
        )
    return bool(documented == actual)


def _commands(block: str) -> list[list[str]]:
    """The commands of a bash block: continuations joined, comments dropped, a new command at
    each `curl` or `fitcoach`."""
    lexer = shlex.shlex(block.replace("\\\n", " "), posix=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    commands: list[list[str]] = []
    for word in lexer:
        if word == "curl" or word.endswith("bin/fitcoach"):
            commands.append([word])
        else:
            assert commands, f"README bash block starts with a command not run here: {word}"
            commands[-1].append(word)
    return commands


def readme_steps() -> list[tuple[str, Any]]:
    """("run", command) and ("answer", json) in README order, from the bash blocks that send a
    request and from every JSON block."""
    steps: list[tuple[str, Any]] = []
    for language, body in FENCE.findall(README.read_text()):
        if language == "json":
            steps.append(("answer", json.loads(body)))
        elif language == "bash" and "curl " in body:
            steps.extend(("run", command) for command in _commands(body))
    return steps


def test_readme_has_examples_to_run() -> None:
    kinds = [kind for kind, _ in readme_steps()]
    assert kinds.count("run") >= 10
    assert kinds.count("answer") >= 5


@with_settings(test_otps=WALKTHROUGH_OTPS)
async def test_readme_walkthrough_runs_as_written(
    client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    walk = Walk(client, database_url, tmp_path)
    for kind, value in readme_steps():
        if kind == "run":
            await walk.run(value)
        else:
            walk.check(value)
    walk._check_unanswered_error()
