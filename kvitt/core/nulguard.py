"""Refuse NUL characters in request input before they reach a database.

PostgreSQL text cannot hold U+0000: a NUL in a query parameter, a form field or a JSON string
reaches the database as a DataError, i.e. a 500, from whatever field it lands in. SQLite
stores it silently, so the two databases would disagree. No Kvitt field has a use for it, so
it is refused at the door: 422 with the field named on the API (ninja's error shape), 400 on
pages. File bodies (bank files, EHF documents) are bytes and go to their own parsers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.http import HttpResponseBadRequest, JsonResponse

NUL = "\x00"
MESSAGE = "NUL characters (U+0000) are not allowed"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _nul_paths(value, path: tuple) -> Iterator[tuple]:
    """Paths of the strings (keys included) holding a NUL inside a parsed JSON value."""
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                yield (*path, key)
            yield from _nul_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, (*path, index))


def _query_and_form_fields(request) -> Iterator[tuple]:
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in v for v in values):
            yield ("query", key)
    if request.method == "POST" and request.content_type in FORM_TYPES:  # the fields; uploaded files are bytes
        for key, values in request.POST.lists():
            if NUL in key or any(NUL in v for v in values):
                yield ("form", key)


def _json_fields(request) -> Iterator[tuple]:
    if request.content_type != "application/json":
        return
    body = request.body
    if b"\\u0000" not in body and b"\x00" not in body:
        return
    try:
        body = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return  # not JSON: the view's own parser says so
    for path in _nul_paths(body, ()):
        yield ("body", *path)


class NulGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = next(_query_and_form_fields(request), None) or next(_json_fields(request), None)
        if found is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": [{"loc": list(found), "msg": MESSAGE, "type": "value_error"}]}, status=422)
        return HttpResponseBadRequest(f"{MESSAGE}: {found[0]} field {found[-1]!s}", content_type="text/plain; charset=utf-8")
