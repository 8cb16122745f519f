from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "kvitt.cases"
    label = "cases"
