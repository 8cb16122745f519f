from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kvitt.core.models import Membership, Organisation, Role


class Command(BaseCommand):
    help = "Create a user and give them a role in an organisation"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help="organisation id, org number or exact name")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="omit to be asked (or set KVITT_NEW_PASSWORD)")

    def _organisation(self, ref: str) -> Organisation:
        qs = Organisation.objects.all()
        match = (qs.filter(pk=int(ref)) if ref.isdigit() else qs.none()) or qs.filter(org_number=ref) or qs.filter(name=ref)
        if match.count() != 1:
            raise CommandError(f"no single organisation matches {ref!r}")
        return match.get()

    def handle(self, *args, **options):
        import getpass
        import os

        organisation = self._organisation(options["organisation"])
        password = options["password"] or os.environ.get("KVITT_NEW_PASSWORD") or getpass.getpass("Password: ")
        User = get_user_model()
        if User.objects.filter(username=options["username"]).exists():
            raise CommandError(f"user {options['username']!r} exists")
        user = User(username=options["username"], email=options["email"])
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        user.set_password(password)
        user.save()
        Membership.objects.create(user=user, organisation=organisation, role=options["role"])
        self.stdout.write(f"created {user.username}: {options['role']} at {organisation.name}")
