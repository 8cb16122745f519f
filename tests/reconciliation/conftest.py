import pytest

from kvitt.core.models import ApiToken, Membership, Organisation, User
from kvitt.core.permissions import Actor
from kvitt.reconciliation import services
from tests.reconciliation.ersmo_samples import PROVIDER_ORGNR


@pytest.fixture
def provider(db):
    return Organisation.objects.create(name="Vårdbolaget AB", kind="clinic_company", country="SE", org_number=PROVIDER_ORGNR)


@pytest.fixture
def clerk(provider):
    user = User.objects.create_user("clerk", email="clerk@example.se", password="x" * 12)
    membership = Membership.objects.create(user=user, organisation=provider, role="billing_clerk")
    return Actor.for_membership(membership)


@pytest.fixture
def systems(clerk):
    return {s.code: s for s in services.register_default_systems(clerk)}


@pytest.fixture
def api_token(provider):
    _token, raw = ApiToken.issue(provider, "region feed", "billing_clerk")
    return raw
