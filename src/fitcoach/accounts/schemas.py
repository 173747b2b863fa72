"""Requests of the admin console's account management."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from fitcoach.accounts.service import StaffAccount
from fitcoach.auth.password_hashing import (
    PASSWORD_POLICY_DESCRIPTION,
    PASSWORD_SCHEMA,
    check_password_policy,
)
from fitcoach.http.envelope import UNIQUE_ITEMS, StrictApiModel
from fitcoach.http.fields import at_least_one_of
from fitcoach.models.enums import Role
from fitcoach.users.schemas import NAME_DESCRIPTION, NAME_SCHEMA, clean_name

UserSort = Literal["name", "-name", "createdAt", "-createdAt"]
# Customers sign themselves up; the console creates the staff who serve them.
StaffRole = Literal[Role.COACH, Role.ADMIN, Role.SUPPORT_AGENT]


def _distinct(roles: list[Role]) -> list[Role]:
    if len(set(roles)) != len(roles):
        raise ValueError("Each role may be given once")
    return roles


class CreateUserIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Jordan Coach",
                    "email": "jordan@example.com",
                    "password": "Example-Passw0rd!",
                    "roles": ["COACH"],
                }
            ],
            **at_least_one_of("email", "phone"),
        }
    )

    name: str = Field(description=NAME_DESCRIPTION, json_schema_extra=NAME_SCHEMA)
    email: str | None = Field(default=None, min_length=3, max_length=254)
    phone: str | None = Field(default=None, min_length=1, max_length=32)
    password: str = Field(
        description=PASSWORD_POLICY_DESCRIPTION, json_schema_extra=PASSWORD_SCHEMA
    )
    roles: list[StaffRole] = Field(
        min_length=1, max_length=2, description="COACH and/or ADMIN", json_schema_extra=UNIQUE_ITEMS
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return clean_name(value)

    @field_validator("password")
    @classmethod
    def _policy(cls, value: str) -> str:
        return check_password_policy(value)

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: list[Role]) -> list[Role]:
        return _distinct(value)

    @model_validator(mode="after")
    def _reachable(self) -> CreateUserIn:
        if self.email is None and self.phone is None:
            raise ValueError("Give an email or a phone, so the new user can sign in")
        return self

    def to_account(self) -> StaffAccount:
        return StaffAccount(
            name=self.name,
            roles=self.roles,
            password=self.password,
            email=self.email,
            phone=self.phone,
        )


class SetRolesIn(StrictApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"roles": ["COACH", "ADMIN"]}]})

    model_config = ConfigDict(json_schema_extra={"examples": [{"roles": ["COACH", "ADMIN"]}]})

    roles: list[Role] = Field(
        json_schema_extra=UNIQUE_ITEMS,
        min_length=1,
        max_length=3,
        description="The user's whole set of roles from now on",
    )

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: list[Role]) -> list[Role]:
        return _distinct(value)
