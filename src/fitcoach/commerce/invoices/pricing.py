"""An invoice's arithmetic, in integer minor units only: the lines' subtotal and discount, the
tax (a rate in basis points, included in the prices or added to them) and the total."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

BASIS_POINTS = 10_000


class LineKind(StrEnum):
    product = "product"
    addon = "addon"
    discount = "discount"
    # One place in a session bought on its own (a drop-in): the session's type and local time.
    session = "session"
    # A subscription change's share of a period: the new product's days charged (positive),
    # the old one's unused days credited (negative).
    proration = "proration"


@dataclass(frozen=True)
class LineItem:
    """A discount's amount is negative, a proration credit too, every other line's positive or
    zero."""

    kind: LineKind
    description: str
    amount_minor: int


@dataclass(frozen=True)
class TaxPolicy:
    rate_basis_points: int
    inclusive: bool


@dataclass(frozen=True)
class Totals:
    subtotal: int
    discount: int
    tax: int
    total: int


def _divide_half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def totals_of(lines: Sequence[LineItem], tax: TaxPolicy) -> Totals:
    """subtotal - discount is what is sold (never below zero); inclusive tax is the part of it
    that is tax, exclusive tax is added on top; each rounded half up to a whole minor unit."""
    subtotal = sum(line.amount_minor for line in lines if line.kind is not LineKind.discount)
    discount = min(
        subtotal, -sum(line.amount_minor for line in lines if line.kind is LineKind.discount)
    )
    net = subtotal - discount
    rate = tax.rate_basis_points
    if tax.inclusive:
        untaxed = _divide_half_up(net * BASIS_POINTS, BASIS_POINTS + rate)
        return Totals(subtotal=subtotal, discount=discount, tax=net - untaxed, total=net)
    added = _divide_half_up(net * rate, BASIS_POINTS)
    return Totals(subtotal=subtotal, discount=discount, tax=added, total=net + added)
