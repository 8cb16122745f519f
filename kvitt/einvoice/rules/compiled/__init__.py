"""The compiled rule engine (Cython over libxml2's tree), built by ``make install`` with
``python -m kvitt.einvoice.rules.compiled.build``. ``available()`` says whether it is built;
``check`` gives the same findings as ``kvitt.einvoice.rules.check``."""

from __future__ import annotations

import importlib
import os

RULE_MODULES = ("cen_rules", "vat_rules", "peppol_rules", "national_rules", "syntax_rules")

load_error: str | None = None
try:
    from . import engine  # noqa: F401
except ImportError:  # not built: the Python engine runs
    engine = None
except Exception as exc:  # a broken build must not stop Kvitt (nor its rebuild); tests report it
    engine = None
    load_error = f"{type(exc).__name__}: {exc}"
else:
    # KVITT_COMPILED_RULES=cen_rules,vat_rules loads only those (to look at one module's rules).
    _only = [n for n in os.environ.get("KVITT_COMPILED_RULES", "").split(",") if n]
    for _name in _only or RULE_MODULES:
        try:
            importlib.import_module(f"{__name__}.{_name}")
        except ImportError:  # a module not built (yet): its rules run in Python
            pass
        except Exception as exc:
            load_error = f"{_name}: {type(exc).__name__}: {exc}"


def available() -> bool:
    return engine is not None


def check(root, sources):
    return engine.check(root, sources)
