from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def money(ore, currency: str = "NOK") -> str:
    """Whole øre to a localised amount, e.g. 123450 -> 'kr 1 234,50'."""
    if ore in (None, ""):
        return "–"
    from kvitt.core.money import format_amount

    return format_amount(int(ore), currency=currency, locale=(get_language() or "nb")[:2])


@register.filter
def split(value: str, sep: str | None = None) -> list[str]:
    return value.split(sep)
