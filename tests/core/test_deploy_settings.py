"""Production settings: Django's deploy checks, cookies, HSTS only over TLS, the client address
behind a proxy for the login rate limit (issue #11 point 6)."""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from kvitt.core.models import Role
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]

# Deploy-check warnings Kvitt leaves to the operator on purpose, with the reason.
ALLOWED_DEPLOY_WARNINGS = {
    # HSTS preloading binds the whole domain and all its subdomains (often a hospital's or
    # an insurer's) into browsers for months; KVITT_HSTS_PRELOAD=true when the owner agrees.
    "security.W021",
}


def production_env(tmp_path, **extra) -> dict[str, str]:
    """The environment docs/OPERATIONS.md asks for in production, behind a TLS proxy."""
    fernet_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    # Nothing of the test run leaks in (tests/conftest.py allows async-unsafe ORM calls for Playwright).
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("KVITT_", "DATABASE_URL", "DJANGO_"))}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "kvitt.settings",
        "KVITT_DEBUG": "false",
        "KVITT_SECRET_KEY": secrets.token_urlsafe(50),
        "KVITT_ALLOWED_HOSTS": "kvitt.example.no",
        "KVITT_BEHIND_TLS_PROXY": "true",
        "KVITT_SSL_REDIRECT": "true",
        "KVITT_FIELD_KEYS": fernet_key,
        "KVITT_SEARCH_KEY": secrets.token_urlsafe(32),
        "KVITT_VAR_DIR": str(tmp_path / "var"),
        **extra,
    }


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in (
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE", "SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "CSRF_TRUSTED_ORIGINS", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT",
    "KVITT_2FA_REQUIRED", "KVITT_PROXY_HOPS")}))
"""


def production_settings(tmp_path, **extra) -> dict:
    done = run_python(SHOW_SETTINGS, production_env(tmp_path, **extra))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_deploy_checks_pass_with_the_production_environment(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT, env=production_env(tmp_path), capture_output=True, text=True, timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    found = set(re.findall(r"\(([a-z_.]+\.[EW]\d+)\)", output))
    assert found - ALLOWED_DEPLOY_WARNINGS == set(), output


def test_deploy_checks_catch_a_missing_tls_redirect(tmp_path):
    # The same check run, one setting worse: it must notice (so the test above can fail).
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT, env=production_env(tmp_path, KVITT_SSL_REDIRECT="false", KVITT_BEHIND_TLS_PROXY="false",
                                     KVITT_SECURE_COOKIES="false"),
        capture_output=True, text=True, timeout=120,
    )
    found = set(re.findall(r"\(([a-z_.]+\.[EW]\d+)\)", done.stdout + done.stderr))
    assert {"security.W008", "security.W012", "security.W016"} <= found


def test_production_sessions_and_cookies(tmp_path):
    values = production_settings(
        tmp_path, KVITT_SECURE_COOKIES="false", KVITT_CSRF_TRUSTED_ORIGINS="https://kvitt.example.no, https://kvitt2.example.no"
    )
    # Served over TLS, cookies are Secure even when someone switched KVITT_SECURE_COOKIES off.
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["LANGUAGE_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["SESSION_COOKIE_AGE"] == 8 * 3600
    assert values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://kvitt.example.no", "https://kvitt2.example.no"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["KVITT_2FA_REQUIRED"] is True
    assert values["KVITT_PROXY_HOPS"] == 1


def test_the_proxy_header_is_trusted_only_when_configured(tmp_path):
    values = production_settings(tmp_path, KVITT_BEHIND_TLS_PROXY="false", KVITT_SSL_REDIRECT="false")
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["KVITT_PROXY_HOPS"] == 0


def test_samesite_strict_can_be_chosen_and_nonsense_is_refused(tmp_path):
    assert production_settings(tmp_path, KVITT_COOKIE_SAMESITE="strict")["SESSION_COOKIE_SAMESITE"] == "Strict"
    done = run_python(SHOW_SETTINGS, production_env(tmp_path, KVITT_COOKIE_SAMESITE="None"))
    assert done.returncode != 0 and "KVITT_COOKIE_SAMESITE must be Lax or Strict" in done.stderr


# --- headers in-process ---------------------------------------------------------------------


@pytest.fixture
def tls_settings(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    return settings


@pytest.mark.django_db
def test_hsts_is_sent_over_tls_only(tls_settings):
    assert "Strict-Transport-Security" not in Client().get("/login/")
    secure = Client().get("/login/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_a_forwarded_proto_counts_only_behind_a_configured_proxy(tls_settings):
    # Without the proxy setting, anyone could claim TLS with a header.
    assert "Strict-Transport-Security" not in Client().get("/login/", HTTP_X_FORWARDED_PROTO="https")
    tls_settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = Client().get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_tls_redirect_spares_the_health_checks(tls_settings):
    tls_settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz").status_code == 200
    response = Client().get("/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")


@pytest.mark.django_db
def test_session_cookie_flags_on_login(settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    f.user(f.company().organisation, Role.AUDITOR, "cookieuser")
    client = Client()
    login_page = client.get("/login/", secure=True)
    csrf = login_page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post("/login/", {"username": "cookieuser", "password": f.PASSWORD}, secure=True)
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert session["max-age"] == ""  # expires when the browser closes


# --- the login rate limit behind a proxy ----------------------------------------------------


@pytest.mark.django_db
def test_behind_a_proxy_one_clients_failures_do_not_lock_out_another(settings):
    settings.KVITT_PROXY_HOPS = 1
    f.user(f.company().organisation, Role.CLINIC_ADMIN, "proxied")
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    attacker = Client()
    statuses = [
        attacker.post("/login/", {"username": "proxied", "password": "wrong-password"}, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code
        for _ in range(5)
    ]
    assert statuses[-1] == 429
    # Writing someone else's address in front does not help: our proxy's entry is the last one.
    spoofed = Client().post(
        "/login/", {"username": "proxied", "password": f.PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9", **proxy
    )
    assert spoofed.status_code == 429
    # The real user, through the same proxy from another address, still gets in.
    user = Client().post("/login/", {"username": "proxied", "password": f.PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert user.status_code == 302
