"""A label's "not blank" is one rule in the schema and on the server: the pattern the schema
publishes refuses exactly what the server refuses, whichever regex engine reads it."""

from __future__ import annotations

import re
from typing import Annotated

import pytest
from pydantic import TypeAdapter, ValidationError

from fitcoach.http.fields import NOT_BLANK, label

LABEL = TypeAdapter(Annotated[str, label(20)])


@pytest.mark.parametrize("text", ["\ufeff", "\x1c", " \x85 ", "\u3000", "  "])
def test_what_the_schema_calls_blank_the_server_refuses(text: str) -> None:
    assert re.search(NOT_BLANK, text) is None
    with pytest.raises(ValidationError):
        LABEL.validate_python(text)


@pytest.mark.parametrize(("text", "kept"), [("a", "a"), ("\ufeffa", "\ufeffa"), (" b ", "b")])
def test_what_the_schema_accepts_the_server_keeps(text: str, kept: str) -> None:
    assert re.search(NOT_BLANK, text) is not None
    assert LABEL.validate_python(text) == kept
