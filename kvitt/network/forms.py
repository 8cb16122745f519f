from django import forms
from django.utils.translation import gettext_lazy as _

from kvitt.network.models import Profession


class InvitationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"))
    professions = forms.MultipleChoiceField(label=_("Professions"), choices=Profession.choices)
    hpr_number = forms.CharField(label=_("HPR number"), max_length=9, required=False)


class AcceptInvitationForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class ApprovalForm(forms.Form):
    company = forms.ModelChoiceField(label=_("Company"), queryset=None)
    professions = forms.MultipleChoiceField(label=_("Professions"), choices=Profession.choices, required=False)
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, companies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
