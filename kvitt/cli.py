"""The `kvitt` command: Kvitt's management commands, with a help page that lists them."""

from __future__ import annotations

import os
import sys


def _kvitt_commands() -> dict[str, str]:
    """Name -> one-line help of every management command that lives in a Kvitt app."""
    from django.core.management import get_commands, load_command_class

    found = {}
    for name, app in sorted(get_commands().items()):
        if app.startswith("kvitt"):
            command = load_command_class(app, name)
            found[name] = (command.help or "").strip().splitlines()[0] if command.help else ""
    return found


# Spellings with a hyphen for commands whose module name has an underscore.
COMMAND_ALIASES = {"otp-code": "otp_code", "otp-reset": "otp_reset"}

BUILTIN_SHORTCUTS = {
    "migrate": "Create or upgrade the database tables",
    "shell": "A Python shell with Kvitt loaded",
    "createsuperuser": "Create a Django admin superuser",
}


def print_help(stream=sys.stdout) -> None:
    stream.write("usage: kvitt COMMAND [options]\n\nKvitt commands:\n")
    commands = {**_kvitt_commands(), **BUILTIN_SHORTCUTS}
    width = max(len(n) for n in commands)
    for name in sorted(commands):
        stream.write(f"  {name.ljust(width)}  {commands[name]}\n")
    stream.write("\n`kvitt COMMAND --help` explains one command; `kvitt django-help` lists Django's own commands.\n")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvitt.settings")
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    if len(argv) < 2 or argv[1] in {"-h", "--help", "help"}:
        print_help()
        return
    argv[1] = COMMAND_ALIASES.get(argv[1], argv[1])
    if argv[1] == "django-help":
        argv = [argv[0], "help"]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
