"""The claims demo data loads on top of the foundation's demo and loads only once."""

from __future__ import annotations

import pytest

from kvitt.claims import demo
from kvitt.claims.models import InboundInvoice
from kvitt.web import demo as web_demo

pytestmark = pytest.mark.django_db


def test_demo_invoices_cover_each_outcome_and_load_once():
    ctx = web_demo.DemoContext()
    web_demo.load_network(ctx)
    web_demo.load_users(ctx)
    demo.load(ctx)
    demo.load(ctx)
    statuses = dict(InboundInvoice.objects.values_list("number", "status"))
    assert statuses == {"90001": "approved", "90002": "deviation", "90003": "rejected", "90004": "received"}
