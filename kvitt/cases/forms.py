from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from kvitt.cases.models import TRANSITIONS
from kvitt.network.models import Profession


def kroner_to_ore(value: Decimal) -> int:
    ore = (value * 100).quantize(Decimal("1"))
    if ore != value * 100:
        raise forms.ValidationError(_("At most two decimals (øre)"))
    return int(ore)


class OpenAssignmentForm(forms.Form):
    national_id = forms.CharField(label=_("Fødselsnummer / D-number"), max_length=13)
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    professions = forms.MultipleChoiceField(
        label=_("Professions"), choices=Profession.choices, widget=forms.CheckboxSelectMultiple
    )
    service_codes = forms.CharField(label=_("Service codes (comma separated, empty = any)"), required=False)
    max_treatments = forms.IntegerField(label=_("Maximum treatments"), min_value=1, max_value=500)
    max_amount = forms.DecimalField(label=_("Maximum amount (NOK)"), min_value=0, max_digits=12, decimal_places=2)
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("Valid to"), widget=forms.DateInput(attrs={"type": "date"}))
    referral_required = forms.BooleanField(label=_("Referral required"), required=False)
    diagnosis_text = forms.CharField(label=_("Reason for treatment"), max_length=300, required=False)
    notes_for_clinic = forms.CharField(label=_("Notes for the clinic"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean_service_codes(self) -> list[str]:
        raw = self.cleaned_data.get("service_codes") or ""
        return [code.strip().upper() for code in raw.replace(";", ",").split(",") if code.strip()]

    def clean_max_amount(self) -> int:
        try:
            return kroner_to_ore(self.cleaned_data["max_amount"])
        except InvalidOperation:
            raise forms.ValidationError(_("Not an amount"))

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", _("The coverage cannot end before it starts"))
        return data


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(choices=[(s, s) for s in TRANSITIONS])
    reason = forms.CharField(max_length=300, required=False)
