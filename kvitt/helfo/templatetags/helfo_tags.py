from django import template

register = template.Library()


@register.filter
def nok(ore) -> str:
    """Øre as Norwegian kroner text: 123456 -> "1 234,56" (no float on the way)."""
    if ore in (None, ""):
        return "–"
    ore = int(ore)
    sign = "-" if ore < 0 else ""
    kroner, rest = divmod(abs(ore), 100)
    return f"{sign}{kroner:,}".replace(",", "\u00a0") + f",{rest:02d}"
