"""How money and shares are rounded and written: half-up to the cent, after summing."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
_NOISE = Decimal("1e-10")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(value: object) -> Decimal:
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def share(part: Decimal, total: Decimal) -> float:
    if total == 0:
        return 0.0
    return float((part / total).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def under_a_cent(value: Decimal | float) -> bool:
    """Whether a non-zero amount rounds to 0.00: written "< $0.01", never "$0.00", for people.

    Amounts below 1e-10 are float noise (sums of model estimates), not charges: they are zero.
    """
    exact = to_decimal(value)
    return abs(exact) >= _NOISE and cents(exact) == 0


def money(value: Decimal | float, currency: str | None) -> str:
    amount = cents(to_decimal(value))
    symbol = _SYMBOLS.get(currency or "")
    if under_a_cent(value):
        # A tiny charge is below one cent; a tiny credit above minus one cent.
        bound, sign = ("> ", "-") if to_decimal(value) < 0 else ("< ", "")
        if symbol:
            return f"{bound}{sign}{symbol}0.01"
        return f"{bound}{sign}0.01 {currency or ''}".rstrip()
    sign = "-" if amount < 0 else ""
    if symbol:
        return f"{sign}{symbol}{abs(amount):,.2f}"
    return f"{sign}{abs(amount):,.2f} {currency or ''}".rstrip()


def amount(value: Decimal | float) -> str:
    """A table cell: the amount to the cent, "< 0.01" (or "> -0.01") for a non-zero amount under a cent."""
    if under_a_cent(value):
        return "> -0.01" if to_decimal(value) < 0 else "< 0.01"
    return f"{cents(to_decimal(value)):,.2f}"


def percent(fraction: float) -> str:
    if 0 < abs(fraction) < 0.0005:  # would read 0.0%
        return "> -0.1%" if fraction < 0 else "< 0.1%"
    return f"{fraction * 100:.1f}%"


def signed_percent(fraction: float | None) -> str:
    if fraction is None:
        return "new"
    return f"{fraction * 100:+.1f}%"
