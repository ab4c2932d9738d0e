"""How money and shares are rounded and written: half-up to the cent, after summing."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


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


def money(value: Decimal | float, currency: str | None) -> str:
    amount = cents(to_decimal(value))
    sign = "-" if amount < 0 else ""
    symbol = _SYMBOLS.get(currency or "")
    if symbol:
        return f"{sign}{symbol}{abs(amount):,.2f}"
    return f"{sign}{abs(amount):,.2f} {currency or ''}".rstrip()


def amount(value: Decimal | float) -> str:
    return f"{cents(to_decimal(value)):,.2f}"


def percent(fraction: float) -> str:
    return f"{fraction * 100:.1f}%"


def signed_percent(fraction: float | None) -> str:
    if fraction is None:
        return "new"
    return f"{fraction * 100:+.1f}%"
