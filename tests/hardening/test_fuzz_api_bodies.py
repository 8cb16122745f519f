"""Fuzz every JSON body of the API: random and mutated JSON (and a few non-JSON bodies) posted
to each POST/PUT/PATCH operation of ``/api/v1/`` with a token of each kind of organisation.

The property: no answer is a 5xx and no exception escapes a view. A body that does not fit the
operation's schema is the client's error (400/401/403/404/409/422). The seed body of each
operation is a plausible value built from its own OpenAPI schema, so mutations get past the
schema now and then and reach the services. (Schema-valid bodies against the demo world are
``test_api_schemathesis.py``'s job; this file is about malformed ones.)
"""

from __future__ import annotations

import collections
import json
import re

import pytest
from django.test import Client
from hypothesis import given, strategies as st

from kvitt.api import api
from kvitt.core.models import ApiToken, Organisation, Role
from tests.hardening.strategies import EXAMPLES, FUZZ, dumps, json_value, mutated_json, tried

SCHEMA = api.get_openapi_schema()
COMPONENTS = SCHEMA.get("components", {}).get("schemas", {})
OPERATIONS = sorted(
    (path, method, op)
    for path, ops in SCHEMA["paths"].items()
    for method, op in ops.items()
    if method in ("post", "put", "patch")
)
BY_APP = collections.defaultdict(list)
for _path, _method, _op in OPERATIONS:
    BY_APP[_path.split("/")[3]].append((_path, _method, _op))

# (organisation kind, country, org number, role): one token each, so every router's role check
# lets at least one of them through to the body.
ACTORS = [
    ("clinic_company", "NO", "923609016", Role.CLINIC_ADMIN),
    ("clinic_company", "NO", "923609016", Role.BILLING_CLERK),
    ("clinic_company", "SE", "5560360793", Role.BILLING_CLERK),
    ("insurer", "NO", "995568217", Role.INSURER_CASE_HANDLER),
    ("region", "SE", "2321000016", Role.REGION_BILLING_OFFICER),
    ("collection_agency", "NO", "982463718", Role.COLLECTION_AGENT),
    ("network_operator", "NO", "974760673", Role.NETWORK_OPERATOR),
]


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0])
    return schema


def example_for(schema: dict, depth: int = 0):
    """A plausible value of ``schema``: every property filled, formats respected."""
    schema = _resolve(schema)
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s).get("type") != "null"] or schema[key]
            return example_for(options[0], depth + 1)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        return {name: example_for(sub, depth + 1) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example_for(schema.get("items", {}), depth + 1)] if depth <= 4 else []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    return {"date": "2026-03-02", "date-time": "2026-03-02T09:00:00+01:00", "time": "09:00:00",
            "email": "kari@example.no", "uri": "https://example.no/"}.get(fmt, "1")


def _seed(op: dict):
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    return example_for(content["schema"]) if content else {}


STATUSES: collections.Counter[int] = collections.Counter()


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.fixture
def tokens(db):
    raw = []
    for kind, country, org_number, role in ACTORS:
        org, _ = Organisation.objects.get_or_create(
            org_number=org_number, country=country, defaults={"name": f"Fuzz {kind}", "kind": kind})
        raw.append(ApiToken.issue(org, f"fuzz {role}", role)[1])
    return raw


def body_for(op: dict) -> st.SearchStrategy[bytes]:
    seed = _seed(op)
    return st.one_of(
        mutated_json({"body": seed}).map(lambda v: dumps(v.get("body", v) if isinstance(v, dict) else v)),
        mutated_json({"body": seed}, max_edits=6).map(lambda v: dumps(v.get("body", v) if isinstance(v, dict) else v)),
        json_value.map(dumps),
        st.sampled_from([b"", b"{", b"null", b"[]", b"\xff\xfe", b'{"a":1e999}', b'"' + b"x" * 5000 + b'"']),
    )


@pytest.mark.parametrize("app", sorted(BY_APP))
def test_no_json_body_makes_a_server_error(app, tokens):
    operations = BY_APP[app]
    client = Client(raise_request_exception=False)

    # Requests cost far more than parser calls: EXAMPLES // 8 per operation (12 in CI).
    @FUZZ.__class__(parent=FUZZ, max_examples=max(EXAMPLES // 8, 5) * len(operations))
    @given(data=st.data())
    def run(data):
        path, method, op = data.draw(st.sampled_from(operations), label="operation")
        token = data.draw(st.sampled_from(tokens), label="token")
        body = data.draw(body_for(op), label="body")
        tried(f"api {app} (all {len(operations)} operations)")
        response = getattr(client, method)(_url(path), data=body, content_type="application/json",
                                           HTTP_AUTHORIZATION=f"Bearer {token}")
        STATUSES[response.status_code] += 1
        assert response.status_code < 500, f"{method.upper()} {path} -> {response.status_code}: {body[:300]!r}\n{response.content[:500]!r}"

    run()
