"""Finding a clinic: approved locations near a place, with a fitting practitioner and a free slot.

Only locations that the searching payer approves on the day appear. The distance filter is a
bounding box in SQL (cheap, uses plain comparisons) followed by the exact haversine distance in
Python on the rows left. Free times are then looked up only as far as the answer needs:

* nearest first: the earliest free slot of the nearest few locations, a correlated subquery that
  walks the (location, status, start) index and stops at the first hit, a chunk at a time;
* earliest first: in a dense area, one walk over free slots in time order ((status, start)
  index) until ``limit`` locations have shown up; in a sparse area, the per-location lookup.

bench/booking.py measures it over 5 000 locations and 12 million slots.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kvitt.booking import geo
from kvitt.booking.models import Slot, SlotStatus
from kvitt.cases.selectors import is_payer_actor
from kvitt.core.permissions import Actor, PermissionDenied
from kvitt.network.models import Location, PartnerApproval, Practitioner

SORT_DISTANCE = "distance"
SORT_AVAILABILITY = "availability"
DEFAULT_RADIUS_KM = 50
MAX_RADIUS_KM = 500
HORIZON_DAYS = 90


def json_list_has(field_name: str, value: str) -> Q:
    """``value`` is an element of the JSON list in ``field_name``, on PostgreSQL and SQLite.

    PostgreSQL has jsonb containment; SQLite has none, so there the JSON text is searched for the
    quoted element exactly as Django's encoder wrote it.
    """
    if connection.vendor == "postgresql":
        return Q(**{f"{field_name}__contains": [value]})
    return Q(**{f"{field_name}__icontains": json.dumps(value)})


@dataclass
class SearchResult:
    location: Location
    distance_km: float
    earliest_free: datetime.datetime | None
    practitioners: list[Practitioner] = field(default_factory=list)
    first_slots: list[Slot] = field(default_factory=list)


@dataclass(frozen=True)
class Origin:
    latitude: float
    longitude: float
    label: str


def resolve_origin(*, latitude=None, longitude=None, postcode: str = "") -> Origin:
    if latitude is not None and longitude is not None:
        lat, lon = float(latitude), float(longitude)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(_("Coordinates out of range"))
        return Origin(lat, lon, f"{lat:.4f}, {lon:.4f}")
    if postcode:
        place = geo.geocode_postcode(postcode)
        return Origin(place.latitude, place.longitude, f"{postcode} {place.name}")
    raise ValueError(_("Give coordinates or a postcode"))


def eligible_practitioners(profession: str = "", competence: str = ""):
    qs = Practitioner.objects.filter(active=True)
    if profession:
        qs = qs.filter(json_list_has("professions", profession))
    if competence:
        qs = qs.filter(json_list_has("competences", competence))
    return qs


def free_slots(*, profession: str = "", competence: str = "", after: datetime.datetime, before: datetime.datetime):
    qs = Slot.objects.filter(status=SlotStatus.FREE, start__gte=after, start__lt=before, appointment_type__online_bookable=True)
    if profession or competence:
        qs = qs.filter(practitioner__in=eligible_practitioners(profession, competence))
    return qs


def _approved_by(payer_organisation_id: int, day: datetime.date, profession: str):
    approvals = PartnerApproval.objects.active_on(day).filter(payer__organisation_id=payer_organisation_id, company_id=OuterRef("company_id")).filter(
        Q(location__isnull=True) | Q(location_id=OuterRef("pk"))
    )
    if profession:
        approvals = approvals.filter(Q(professions=[]) | json_list_has("professions", profession))
    return Exists(approvals)


def search_locations(
    actor: Actor,
    *,
    latitude=None,
    longitude=None,
    postcode: str = "",
    radius_km: float = DEFAULT_RADIUS_KM,
    profession: str = "",
    competence: str = "",
    day: datetime.date | None = None,
    sort: str = SORT_DISTANCE,
    limit: int = 20,
    available_from: datetime.datetime | None = None,
    require_free_slot: bool = False,
    slots_per_result: int = 0,
) -> tuple[Origin, list[SearchResult]]:
    if not is_payer_actor(actor):
        raise PermissionDenied(_("Only a payer searches its network"))
    # The payer is named through its organisation: one query fewer, and an organisation without
    # a payer row simply has no approvals, so it finds nothing.
    payer_organisation_id = actor.organisation.pk
    if sort not in (SORT_DISTANCE, SORT_AVAILABILITY):
        raise ValueError(_("Sort by distance or availability"))
    radius_km = min(max(float(radius_km), 0.1), MAX_RADIUS_KM)
    origin = resolve_origin(latitude=latitude, longitude=longitude, postcode=postcode)
    now = timezone.now()
    day = day or timezone.localdate()
    after = max(available_from or now, now)
    before = after + datetime.timedelta(days=HORIZON_DAYS)

    box = geo.bounding_box(origin.latitude, origin.longitude, radius_km)
    within = _locations_within(payer_organisation_id, day, profession, origin, box, radius_km)
    if sort == SORT_AVAILABILITY:
        hits = _by_availability(within, profession, competence, after, before, limit, require_free_slot)
    else:
        hits = _by_distance(within, profession, competence, after, before, limit, require_free_slot)
    return origin, _results(hits, profession, competence, after, before, slots_per_result)


def _locations_within(payer_organisation_id: int, day, profession, origin: Origin, box: geo.BoundingBox, radius_km: float) -> list[tuple[int, float]]:
    """(location id, km) of every location the payer approves inside the circle, nearest first."""
    rows = (
        Location.objects.filter(
            latitude__gte=Decimal(str(round(box.min_lat, 6))), latitude__lte=Decimal(str(round(box.max_lat, 6))),
            longitude__gte=Decimal(str(round(box.min_lon, 6))), longitude__lte=Decimal(str(round(box.max_lon, 6))),
        )
        .filter(_approved_by(payer_organisation_id, day, profession))
        .order_by()
        .values_list("pk", "latitude", "longitude")
    )
    within = []
    for pk, lat, lon in rows:
        distance = geo.haversine_km(origin.latitude, origin.longitude, float(lat), float(lon))
        if distance <= radius_km:
            within.append((pk, distance))
    within.sort(key=lambda item: item[1])
    return within


def _staffed(profession: str, competence: str):
    return Exists(
        Practitioner.locations.through.objects.filter(
            location_id=OuterRef("pk"), practitioner__in=eligible_practitioners(profession, competence)
        )
    )


def _earliest_for(ids, profession, competence, after, before) -> dict[int, datetime.datetime | None]:
    """Each location's first free bookable time; locations without a fitting practitioner are left out."""
    first_free = (
        free_slots(profession=profession, competence=competence, after=after, before=before)
        .filter(location_id=OuterRef("pk"))
        .order_by("start")
        .values("start")[:1]
    )
    qs = Location.objects.filter(pk__in=ids).order_by()
    if profession or competence:
        qs = qs.filter(_staffed(profession, competence))
    return dict(qs.annotate(earliest_free=Subquery(first_free)).values_list("pk", "earliest_free"))


def _by_distance(within, profession, competence, after, before, limit, require_free_slot):
    """Nearest first: look up free times only for the nearest locations, a chunk at a time."""
    hits = []
    chunk = max(3 * limit, 50)
    for i in range(0, len(within), chunk):
        part = within[i:i + chunk]
        earliest = _earliest_for([pk for pk, _ in part], profession, competence, after, before)
        for pk, distance in part:
            if pk in earliest and (earliest[pk] is not None or not require_free_slot):
                hits.append((pk, distance, earliest[pk]))
        if len(hits) >= limit:
            break
    return hits[:limit]


DENSE_AREA = 300  # candidate locations above which walking slots in time order beats per-location lookups
SCAN_ROWS_MAX = 5_000


def _by_availability(within, profession, competence, after, before, limit, require_free_slot):
    """Earliest first. In a dense area, walk the free slots of all candidates in time order (the
    first slot seen of a location is its earliest) and stop at ``limit`` locations; in a sparse
    area, or if the walk runs long, look up each location's earliest free time directly."""
    distance_of = dict(within)
    first_seen: dict[int, datetime.datetime] = {}
    complete = False
    if len(within) > DENSE_AREA:
        slots = (
            free_slots(profession=profession, competence=competence, after=after, before=before)
            .filter(location_id__in=list(distance_of))
            # No tie-breaker column: many slots share a start (08:00), and a second sort key would make
            # PostgreSQL read the whole tie group before the LIMIT; ties are ordered by distance below.
            .order_by("start")
            .values_list("location_id", "start")
        )
        batch, offset = 2 * limit + 10, 0
        while offset < SCAN_ROWS_MAX:
            rows = list(slots[offset:offset + batch])
            for location_id, start in rows:
                first_seen.setdefault(location_id, start)
                if len(first_seen) >= limit:
                    complete = True
                    break
            if complete or len(rows) < batch:
                break
            offset += batch
            batch = min(batch * 4, SCAN_ROWS_MAX)
    if complete:
        hits = [(pk, distance_of[pk], start) for pk, start in first_seen.items()]
    else:
        earliest = {}
        ids = [pk for pk, _ in within]
        for i in range(0, len(ids), 500):
            earliest.update(_earliest_for(ids[i:i + 500], profession, competence, after, before))
        hits = [(pk, d, earliest[pk]) for pk, d in within if pk in earliest and (earliest[pk] or not require_free_slot)]
    far_future = after + datetime.timedelta(days=3650)
    hits.sort(key=lambda h: (h[2] or far_future, h[1]))
    return hits[:limit]


def _results(hits, profession, competence, after, before, slots_per_result) -> list[SearchResult]:
    ids = [h[0] for h in hits]
    locations = Location.objects.select_related("company").in_bulk(ids)
    staff: dict[int, list[Practitioner]] = {pk: [] for pk in ids}
    through = Practitioner.locations.through.objects.filter(
        location_id__in=ids, practitioner__in=eligible_practitioners(profession, competence)
    ).select_related("practitioner").only("location_id", "practitioner__id", "practitioner__name")
    for link in through:
        staff[link.location_id].append(link.practitioner)
    results = []
    for pk, distance, earliest in hits:
        slots = []
        if slots_per_result:
            slots = list(
                free_slots(profession=profession, competence=competence, after=after, before=before)
                .filter(location_id=pk).select_related("practitioner", "appointment_type").order_by("start")[:slots_per_result]
            )
        results.append(
            SearchResult(
                location=locations[pk], distance_km=round(distance, 1), earliest_free=earliest,
                practitioners=sorted(staff[pk], key=lambda p: p.name), first_slots=slots,
            )
        )
    return results
