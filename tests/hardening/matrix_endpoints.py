"""Every API operation and every web page of Kvitt, found, not listed, with what fills their ids.

API operations come from the ninja API's OpenAPI schema (so a router mounted by convention is
seen at once); pages from a walk of Django's URL resolver. Each path parameter must name an
object kind of the matrix world (``API_PARAMS``/``WEB_PARAMS``), or the endpoint must be one of
the few public ones (``PUBLIC``, each with its reason): anything else fails
``test_every_endpoint_is_classified``, so a new endpoint cannot slip past the matrix.
"""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "/api/v1"


@dataclass(frozen=True)
class Endpoint:
    key: str  # "GET /api/v1/network/companies/{company_id}" or "web network:company"
    kind: str  # "api" | "web"
    app: str
    method: str  # API: the HTTP method; web: "GET" (a POST-only page answers 405 and is posted)
    path: str  # API: path template; web: the route as Django shows it
    url_name: str = ""  # web: "namespace:name"
    path_params: tuple[str, ...] = ()
    query_params: tuple[tuple[str, bool], ...] = ()  # (name, required)
    body_schema: dict | None = field(default=None, compare=False, hash=False)
    public: bool = False

    def __str__(self) -> str:
        return self.key


# What fills a parameter: (object kind of the world, attribute of the object).
Ref = tuple[str, str]

API_PARAMS: dict[tuple[str, str], Ref] = {
    ("network", "company_id"): ("company", "pk"),
    ("network", "location_id"): ("location", "pk"),
    ("network", "approval_id"): ("approval", "pk"),
    ("ledger", "patient_id"): ("patient", "pk"),
    ("ledger", "event_pk"): ("care_event", "pk"),
    ("cases", "sakid"): ("assignment", "sakid"),
    ("booking", "booking_id"): ("booking", "pk"),
    ("booking", "integration_id"): ("integration", "pk"),
    ("booking", "sakid"): ("assignment", "sakid"),
    ("claims", "invoice_id"): ("inbound_invoice", "pk"),
    ("einvoice", "invoice_id"): ("ehf_invoice", "pk"),
    ("einvoice", "sak_id"): ("ehf_case", "sak_id"),
    ("helfo", "practice_id"): ("practice", "pk"),
    ("helfo", "card_id"): ("bill_card", "pk"),
    ("helfo", "bill_card_ids"): ("bill_card", "pk"),
    ("interregion", "event_id"): ("care_event_uuid", "event_id"),
    ("interregion", "patient_id"): ("patient", "pk"),
    ("receivables", "invoice_id"): ("patient_invoice", "pk"),
    ("receivables", "claim_id"): ("collection_claim", "pk"),
    ("core", "national_id"): ("patient", "national_id"),
}

# A parameter whose object depends on the path, not only on the app.
API_PATH_PARAMS: dict[tuple[str, str], Ref] = {
    ("/api/v1/interregion/sent/", "spec_id"): ("sent_basis", "pk"),
    ("/api/v1/interregion/received/", "spec_id"): ("received_basis", "pk"),
}

# Body fields that point at objects: they are filled with the other organisation's object too.
API_BODY_REFS: dict[tuple[str, str], Ref] = {
    ("ledger", "patient_id"): ("patient", "pk"),
    ("ledger", "location_id"): ("location", "pk"),
    ("booking", "sakid"): ("assignment", "sakid"),
    ("helfo", "practice_id"): ("practice", "pk"),
    ("helfo", "bill_card_ids"): ("bill_card", "pk"),
    ("cases", "location_id"): ("location", "pk"),
    ("network", "location_ids"): ("location", "pk"),
}

WEB_PARAMS: dict[tuple[str, str], Ref] = {
    ("booking", "booking_id"): ("booking", "pk"),
    ("booking", "location_id"): ("location", "pk"),
    ("booking", "integration_id"): ("integration", "pk"),
    ("cases", "sakid"): ("assignment", "sakid"),
    ("claims", "pk"): ("inbound_invoice", "pk"),
    ("einvoice", "sak_id"): ("ehf_case", "sak_id"),
    ("einvoice", "invoice_id"): ("ehf_invoice", "pk"),
    ("helfo", "settlement_id"): ("settlement", "pk"),
    ("helfo", "practice_id"): ("practice", "pk"),
    ("helfo", "card_id"): ("bill_card", "pk"),
    ("ledger", "event_pk"): ("care_event", "pk"),
    ("network", "company_id"): ("company", "pk"),
    ("network", "location_id"): ("location", "pk"),
    ("network", "approval_id"): ("approval", "pk"),
    ("reconciliation", "definition_id"): ("report_definition", "pk"),
    ("reconciliation", "export_id"): ("export", "pk"),
}

WEB_NAME_PARAMS: dict[tuple[str, str], Ref] = {
    ("interregion:queue", "pk"): ("sent_basis", "pk"),
    ("interregion:invoice", "pk"): ("sent_basis", "pk"),
    ("interregion:received_detail", "pk"): ("received_basis", "pk"),
    ("receivables:invoice", "pk"): ("patient_invoice", "pk"),
    ("receivables:send", "pk"): ("patient_invoice", "pk"),
    ("receivables:decide", "pk"): ("dispute", "pk"),
    ("receivables:collection_case", "pk"): ("collection_claim", "pk"),
    ("receivables:collection_act", "pk"): ("collection_claim", "pk"),
}

# Query and form fields of pages that name objects (pages have no schema to find them in): the
# page must refuse another organisation's object ...
WEB_QUERY_REFS: dict[str, dict[str, Ref]] = {
    "booking:search": {"sakid": ("assignment", "sakid")},
    "booking:book": {"sakid": ("assignment", "sakid")},
    "reconciliation:matrix": {"report": ("report_definition", "pk")},
    "helfo:generate": {"practice": ("practice", "pk")},
    "helfo:create_settlement": {"practice": ("practice", "pk"), "cards": ("bill_card", "pk")},
}
# ... or, being a filter of the caller's own list, show nothing of it.
WEB_FILTER_REFS: dict[str, dict[str, Ref]] = {
    "core:access_report": {"national_id": ("patient", "national_id")},
    "einvoice:invoices": {"sak_id": ("ehf_case", "sak_id")},
    "helfo:orders": {"practice": ("practice", "pk")},
}

# Path ids that only narrow the caller's own data (an unknown or foreign value gives an empty
# answer, never another organisation's data), with the reason.
FILTER_PATH_PARAMS: dict[tuple[str, str], str] = {
    ("GET /api/v1/einvoice/cases/{sak_id}/uninvoiced", "sak_id"): "the clinic's own uninvoiced care events filed under that SakID",
    ("web einvoice:case", "sak_id"): "the clinic's own uninvoiced care events and invoices under that SakID",
}

# Public by design, with the reason; their tokens are tried with a forged value.
PUBLIC: dict[str, str] = {
    "web healthz": "load balancer liveness, says nothing about data",
    "web readyz": "load balancer readiness, says nothing about data",
    "web web:login": "the login page",
    "web web:logout": "ends the caller's own session",
    "web set_language": "Django's language switch (cookie/session of the caller only)",
    "web cases:public_confirmation": "patient's coverage confirmation; a signed, unforgeable token is the key",
    "web cases:public_confirmation_pdf": "the same confirmation as PDF, same signed token",
    "web network:accept_invitation": "practitioner accepts an invitation; a random single-use token is the key",
    "web receivables:patient_page": "patient's invoice page; a signed token is the key",
    "web interregion:soap": "regions' SOAP producer; the caller is the verified TLS client certificate",
    "POST /api/v1/einvoice/access-point/status": "access point's webhook, HMAC-signed body",
    "POST /api/v1/einvoice/access-point/inbound": "access point's webhook, HMAC-signed body",
}

# Routes not walked: Django's admin (staff accounts only, not a Kvitt role; checked apart) and
# the API (walked through its schema).
SKIPPED_PREFIXES = ("admin/", "api/v1/")


# --- the API -----------------------------------------------------------------------------------


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        node = schema["components"]["schemas"][name]
    return node


def _body_schemas(api) -> dict[str, dict]:
    """Each operation's JSON body schema from its own pydantic model, keyed by operationId.

    (Not from the OpenAPI components: schemas of the same class name in two apps share one
    component there, e.g. einvoice's and interregion's ``CreditIn``.)"""
    found = {}
    for _, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    if getattr(model, "__ninja_param_source__", "") != "body":
                        continue
                    schema = model.model_json_schema()
                    defs = schema.get("$defs", {})
                    (node,) = schema["properties"].values()
                    found[api.get_openapi_operation_id(operation)] = {
                        "schema": _resolve({"components": {"schemas": defs}}, node), "components": {"schemas": defs},
                    }
    return found


def api_endpoints() -> list[Endpoint]:
    from kvitt.api import api

    schema = api.get_openapi_schema()
    bodies = _body_schemas(api)
    found = []
    for path, operations in schema["paths"].items():
        app = path[len(API_PREFIX) + 1 :].split("/", 1)[0]
        for method, op in operations.items():
            params = op.get("parameters", [])
            key = f"{method.upper()} {path}"
            found.append(Endpoint(
                key=key, kind="api", app=app, method=method.upper(), path=path,
                path_params=tuple(p["name"] for p in params if p["in"] == "path"),
                query_params=tuple((p["name"], bool(p.get("required"))) for p in params if p["in"] == "query"),
                body_schema=bodies.get(op["operationId"]), public=key in PUBLIC,
            ))
    return sorted(found, key=lambda e: e.key)


def api_param_ref(endpoint: Endpoint, name: str) -> Ref | None:
    for (prefix, param), ref in API_PATH_PARAMS.items():
        if param == name and endpoint.path.startswith(prefix):
            return ref
    return API_PARAMS.get((endpoint.app, name))


# --- the pages ---------------------------------------------------------------------------------


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if route.startswith(SKIPPED_PREFIXES):
                continue
            ns = p.namespace or namespace
            yield from _walk(p.url_patterns, route, ns)
        elif isinstance(p, URLPattern):
            yield route, namespace, p


def web_endpoints() -> list[Endpoint]:
    found = []
    for route, namespace, pattern in _walk(get_resolver().url_patterns):
        name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or route)
        app = namespace or "web"
        params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
        key = f"web {name}"
        found.append(Endpoint(key=key, kind="web", app=app, method="GET", path="/" + route, url_name=name,
                              path_params=params, public=key in PUBLIC))
    return sorted(found, key=lambda e: e.key)


def web_param_ref(endpoint: Endpoint, name: str) -> Ref | None:
    return WEB_NAME_PARAMS.get((endpoint.url_name, name)) or WEB_PARAMS.get((endpoint.app, name))


def all_endpoints() -> list[Endpoint]:
    return api_endpoints() + web_endpoints()


def unclassified(endpoint: Endpoint) -> list[str]:
    """The path parameters nothing in the matrix knows how to fill (empty: classified)."""
    if endpoint.public:
        return []
    lookup = api_param_ref if endpoint.kind == "api" else web_param_ref
    return [p for p in endpoint.path_params if lookup(endpoint, p) is None]


def object_kinds(endpoint: Endpoint) -> set[str]:
    """The world's object kinds the endpoint addresses by id (path, known body and form fields):
    given another organisation's, it must refuse. (Query filters of lists only narrow the
    caller's own list: they are filled too, and must show nothing foreign.)"""
    kinds = set()
    if endpoint.kind == "api":
        for name in endpoint.path_params:
            ref = api_param_ref(endpoint, name)
            kinds.add(ref[0]) if ref and (endpoint.key, name) not in FILTER_PATH_PARAMS else None
        for name in _body_fields(endpoint):
            ref = API_BODY_REFS.get((endpoint.app, name))
            kinds.add(ref[0]) if ref else None
    else:
        for name in endpoint.path_params:
            ref = web_param_ref(endpoint, name)
            kinds.add(ref[0]) if ref and (endpoint.key, name) not in FILTER_PATH_PARAMS else None
        kinds.update(ref[0] for ref in WEB_QUERY_REFS.get(endpoint.url_name, {}).values())
    return kinds


def sent_values(endpoint: Endpoint, objects: dict) -> set[str]:
    """Every id the call puts in the request: a page may echo what the caller typed."""
    refs = []
    if endpoint.kind == "api":
        refs += [api_param_ref(endpoint, n) for n in endpoint.path_params]
        refs += [API_PARAMS.get((endpoint.app, n)) for n, _ in endpoint.query_params]
        refs += [API_BODY_REFS.get((endpoint.app, n)) for n in _body_fields(endpoint)]
    else:
        refs += [web_param_ref(endpoint, n) for n in endpoint.path_params]
        refs += list(WEB_QUERY_REFS.get(endpoint.url_name, {}).values())
        refs += list(WEB_FILTER_REFS.get(endpoint.url_name, {}).values())
    return {str(value_of(objects, r)) for r in refs if r and value_of(objects, r) is not None}


# --- filling in values -------------------------------------------------------------------------


def value_of(objects: dict, ref: Ref):
    kind, attr = ref
    obj = objects.get(kind)
    return None if obj is None else getattr(obj, attr)


def _body_fields(endpoint: Endpoint) -> list[str]:
    if not endpoint.body_schema:
        return []
    return list(endpoint.body_schema["schema"].get("properties", {}))


def _sample(node: dict, components: dict, name: str = ""):
    """A value the schema accepts: the smallest plausible one for the field's type."""
    while "$ref" in node:
        node = components["schemas"][node["$ref"].rsplit("/", 1)[1]]
    for key in ("anyOf", "oneOf"):
        if key in node:
            options = [o for o in node[key] if o.get("type") != "null"]
            return _sample(options[0], components, name) if options else None
    if "allOf" in node:
        return _sample(node["allOf"][0], components, name)
    if "default" in node:
        return node["default"]
    kind, fmt = node.get("type"), node.get("format")
    if kind == "string":
        return {
            "date": datetime.date.today().isoformat(), "date-time": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "uuid": str(uuid.uuid4()),
        }.get(fmt, "matrix")
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object" or "properties" in node:
        return {k: _sample(v, components, k) for k, v in node.get("properties", {}).items() if k in node.get("required", [])}
    return "matrix"


# Values a field's own check accepts (its schema says only "string"), so that a write reaches
# the permission check instead of stopping at the first field.
BODY_HINTS: dict[tuple[str, str], object] = {
    ("einvoice", "code"): "AP",
    ("interregion", "month"): "2026-09",
    ("reconciliation", "month"): "2026-09",
}


def api_body(endpoint: Endpoint, objects: dict) -> dict | None:
    """A body the schema accepts, with every object reference pointing at ``objects``."""
    if not endpoint.body_schema:
        return None
    schema, components = endpoint.body_schema["schema"], endpoint.body_schema["components"]
    body = {}
    for name, node in schema.get("properties", {}).items():
        ref = API_BODY_REFS.get((endpoint.app, name))
        value = value_of(objects, ref) if ref else None
        if value is not None:
            is_list = _resolve({"components": components}, node).get("type") == "array" or "ids" in name
            body[name] = [value] if is_list else value
        elif (endpoint.app, name) in BODY_HINTS:
            body[name] = BODY_HINTS[(endpoint.app, name)]
        elif name in schema.get("required", []):
            body[name] = _sample(node, components, name)
    return body


def api_url(endpoint: Endpoint, objects: dict) -> str | None:
    """The operation's URL with ids and known query parameters from ``objects`` (None: nothing to fill)."""
    path = endpoint.path
    for name in endpoint.path_params:
        value = value_of(objects, api_param_ref(endpoint, name))
        if value is None:
            return None
        path = path.replace("{" + name + "}", str(value))
    query = []
    for name, required in endpoint.query_params:
        value = value_of(objects, API_PARAMS[(endpoint.app, name)]) if (endpoint.app, name) in API_PARAMS else None
        if value is not None:
            query.append(f"{name}={value}")
        elif required:
            query.append(f"{name}=matrix")
    return path + ("?" + "&".join(query) if query else "")


def web_url(endpoint: Endpoint, objects: dict) -> tuple[str, dict] | None:
    """The page's URL and its known query/form fields, from ``objects`` (None: nothing to fill)."""
    from django.urls import reverse

    kwargs = {}
    for name in endpoint.path_params:
        if endpoint.public:
            kwargs[name] = "forged-" + "x" * 20
            continue
        value = value_of(objects, web_param_ref(endpoint, name))
        if value is None:
            return None
        kwargs[name] = value
    url = reverse(endpoint.url_name, kwargs=kwargs)
    data = {}
    refs = {**WEB_QUERY_REFS.get(endpoint.url_name, {}), **WEB_FILTER_REFS.get(endpoint.url_name, {})}
    for name, ref in refs.items():
        value = value_of(objects, ref)
        if value is not None:
            data[name] = str(value)
    return url, data
