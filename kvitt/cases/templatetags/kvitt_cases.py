"""Template filters for amounts in øre and profession names."""

from decimal import Decimal

from babel.numbers import format_currency
from django import template
from django.utils import translation

from kvitt.network.models import Profession

register = template.Library()

BABEL_LOCALES = {"nb": "nb_NO", "sv": "sv_SE", "en": "en_GB"}


@register.filter
def ore(value) -> str:
    """12345 (øre) -> 'kr 123,45' in the current language."""
    if value is None or value == "":
        return ""
    locale = BABEL_LOCALES.get((translation.get_language() or "nb")[:2], "nb_NO")
    return format_currency(Decimal(int(value)) / 100, "NOK", locale=locale)


@register.filter
def profession_names(values) -> str:
    labels = dict(Profession.choices)
    return ", ".join(str(labels.get(v, v)) for v in values or [])
