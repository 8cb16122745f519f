import datetime

import pytest
from django.utils import timezone

from kvitt.booking import geo, search
from kvitt.booking.models import Slot, SlotStatus
from kvitt.core.permissions import PermissionDenied
from tests.booking import helpers as h
from tests.cases import factories as f

pytestmark = pytest.mark.django_db

OSLO_SENTRUM = (59.9139, 10.7522)


def test_haversine_real_distances():
    oslo, bergen, trondheim = f.PLACES["oslo"], f.PLACES["bergen"], f.PLACES["trondheim"]
    assert geo.haversine_km(float(oslo[0]), float(oslo[1]), float(bergen[0]), float(bergen[1])) == pytest.approx(305, abs=5)
    assert geo.haversine_km(float(oslo[0]), float(oslo[1]), float(trondheim[0]), float(trondheim[1])) == pytest.approx(391, abs=5)


@pytest.mark.parametrize("lat", [0.0, 59.9, 70.6, -33.9])
def test_bounding_box_contains_the_circle(lat):
    box = geo.bounding_box(lat, 10.0, 50)
    for bearing_lat, bearing_lon in [(box.max_lat, 10.0), (box.min_lat, 10.0), (lat, box.max_lon), (lat, box.min_lon)]:
        assert geo.haversine_km(lat, 10.0, bearing_lat, bearing_lon) >= 49.9


def test_postcode_geocoder():
    assert geo.geocode_postcode("5003").name == "Bergen"
    assert geo.geocode_postcode("7011").name == "Trondheim"
    assert geo.geocode_postcode("0150").name == "Oslo"
    with pytest.raises(geo.UnknownPostcode, match="four digits"):
        geo.geocode_postcode("50031")


@pytest.fixture
def network():
    payer = f.payer()
    handler = f.case_handler(payer)
    oslo = h.clinic(payer, place="oslo", name="Oslo Fysio AS", per_day=1)
    lysaker = h.clinic(payer, place="lysaker", name="Lysaker Fysio AS",
                       first_day=timezone.localdate() + datetime.timedelta(days=2), per_day=1, days=1)
    bergen = h.clinic(payer, place="bergen", name="Bergen Fysio AS", per_day=1)
    trondheim = h.clinic(payer, place="trondheim", name="Trondheim Fysio AS", per_day=1)
    return payer, handler, oslo, lysaker, bergen, trondheim


def names(results):
    return [r.location.company.name for r in results]


def test_search_by_coordinates_sorted_by_distance(network):
    payer, handler, oslo, lysaker, bergen, trondheim = network
    origin, results = search.search_locations(handler, latitude=OSLO_SENTRUM[0], longitude=OSLO_SENTRUM[1], radius_km=50)
    assert names(results) == ["Oslo Fysio AS", "Lysaker Fysio AS"]
    assert results[0].distance_km < 1 and results[1].distance_km == pytest.approx(6.5, abs=0.5)
    assert results[0].practitioners == [oslo.practitioner]
    _, results = search.search_locations(handler, latitude=OSLO_SENTRUM[0], longitude=OSLO_SENTRUM[1], radius_km=400)
    assert names(results) == ["Oslo Fysio AS", "Lysaker Fysio AS", "Bergen Fysio AS", "Trondheim Fysio AS"]


def test_search_by_postcode(network):
    handler = network[1]
    origin, results = search.search_locations(handler, postcode="5003", radius_km=30)
    assert origin.label == "5003 Bergen"
    assert names(results) == ["Bergen Fysio AS"]


def test_sort_by_earliest_availability(network):
    payer, handler, oslo, lysaker, *_ = network
    # Lysaker's only slot is the day after tomorrow; Oslo's first free one becomes the day after.
    day_three = datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=3), datetime.time(0), h.OSLO)
    Slot.objects.filter(location=oslo.location, start__lt=day_three).update(status=SlotStatus.BLOCKED)
    _, results = search.search_locations(handler, latitude=OSLO_SENTRUM[0], longitude=OSLO_SENTRUM[1], sort="availability")
    assert names(results) == ["Lysaker Fysio AS", "Oslo Fysio AS"]
    assert results[0].earliest_free < results[1].earliest_free


def test_lapsed_and_revoked_approvals_are_not_found(network):
    payer, handler, oslo, lysaker, *_ = network
    lysaker.company.approvals.update(valid_to=timezone.localdate() - datetime.timedelta(days=1))
    oslo.company.approvals.update(revoked_at=timezone.now())
    _, results = search.search_locations(handler, latitude=OSLO_SENTRUM[0], longitude=OSLO_SENTRUM[1], radius_km=50)
    assert results == []
    # On a day the lapsed approval was still valid, Lysaker is found.
    _, results = search.search_locations(
        handler, latitude=OSLO_SENTRUM[0], longitude=OSLO_SENTRUM[1], day=timezone.localdate() - datetime.timedelta(days=2)
    )
    assert names(results) == ["Lysaker Fysio AS"]


def test_only_the_searching_insurers_approvals_count(network):
    other = f.payer(name="Annen Forsikring")
    _, results = search.search_locations(f.case_handler(other), latitude=OSLO_SENTRUM[0], longitude=OSLO_SENTRUM[1])
    assert results == []
    with pytest.raises(PermissionDenied):
        search.search_locations(network[2].admin, latitude=OSLO_SENTRUM[0], longitude=OSLO_SENTRUM[1])


def test_profession_and_competence_filters(network):
    payer, handler, oslo, lysaker, *_ = network
    lysaker.practitioner.competences = ["idrettsskader", "kjeveledd-behandling"]
    lysaker.practitioner.save()
    kwargs = dict(latitude=OSLO_SENTRUM[0], longitude=OSLO_SENTRUM[1])
    assert search.search_locations(handler, profession="psychologist", **kwargs)[1] == []
    _, results = search.search_locations(handler, profession="physiotherapist", competence="kjeveledd-behandling", **kwargs)
    assert names(results) == ["Lysaker Fysio AS"]
    # An approval limited to psychologists does not let physiotherapists through.
    oslo.company.approvals.update(professions=["psychologist"])
    _, results = search.search_locations(handler, profession="physiotherapist", **kwargs)
    assert names(results) == ["Lysaker Fysio AS"]


def test_require_free_slot_and_first_slots(network):
    payer, handler, oslo, lysaker, *_ = network
    Slot.objects.filter(location=lysaker.location).update(status=SlotStatus.BOOKED)
    _, results = search.search_locations(
        handler, latitude=OSLO_SENTRUM[0], longitude=OSLO_SENTRUM[1], require_free_slot=True, slots_per_result=2
    )
    assert names(results) == ["Oslo Fysio AS"]
    assert len(results[0].first_slots) == 2 and results[0].first_slots[0].start == results[0].earliest_free
