"""Dated rates and the interest they give. Law changes by adding rows, not by editing code."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kvitt.core.money import percent_of
from kvitt.receivables.models import DunningStep, Rate


class MissingRate(LookupError):
    pass


def rate_on(country: str, kind: str, day: datetime.date) -> Decimal:
    rate = Rate.objects.filter(country=country, kind=kind, valid_from__lte=day).order_by("-valid_from").first()
    if rate is None:
        raise MissingRate(f"no {kind} rate for {country} on {day}")
    return rate.value


def late_interest_rate(country: str, day: datetime.date) -> Decimal:
    """Yearly percent: NO forsinkelsesrente as published; SE referensränta + 8 pp (räntelagen 6 §)."""
    if country == "SE":
        return rate_on("SE", "reference_rate", day) + rate_on("SE", "late_interest_margin", day)
    return rate_on(country, "late_interest", day)


def _rate_changes(country: str, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    kinds = ("reference_rate", "late_interest_margin") if country == "SE" else ("late_interest",)
    days = Rate.objects.filter(country=country, kind__in=kinds, valid_from__gt=start, valid_from__lte=end)
    return sorted(set(days.values_list("valid_from", flat=True)))


def late_interest(principal_minor: int, country: str, start: datetime.date, end: datetime.date) -> int:
    """Simple late interest on ``principal_minor`` for the days after ``start`` up to ``end``,
    each stretch at the rate valid then (rates change per half-year)."""
    if principal_minor <= 0 or end <= start:
        return 0
    total = 0
    stretch_start = start
    for change in [*_rate_changes(country, start, end), end]:
        if change <= stretch_start:
            continue
        days = (change - stretch_start).days
        total += percent_of(principal_minor, late_interest_rate(country, stretch_start + datetime.timedelta(days=1)), days=days)
        stretch_start = change
    return total


def steps_for(country: str, day: datetime.date) -> list[DunningStep]:
    """The ladder valid on ``day``, one step per code (the newest valid row wins)."""
    chosen: dict[str, DunningStep] = {}
    rows = DunningStep.objects.filter(country=country, valid_from__lte=day).order_by("order", "-valid_from")
    for step in rows:
        if step.valid_to and step.valid_to < day:
            continue
        chosen.setdefault(step.code, step)
    return sorted(chosen.values(), key=lambda s: s.order)


def step_fee(step: DunningStep, day: datetime.date) -> int:
    if step.fee_rule == "none":
        return 0
    if step.fee_rule == "fixed":
        return step.fee_minor
    if step.fee_rule == "inkassosats_20":
        # 1/20 of the inkassosats, in whole øre.
        return int(rate_on(step.country, "inkassosats", day) * 100 / 20)
    raise ValueError(f"unknown fee rule {step.fee_rule!r} on dunning step {step.pk}")


def plan_fee(country: str, day: datetime.date) -> int:
    try:
        return int(rate_on(country, "plan_fee", day) * 100)
    except MissingRate:
        return 0
