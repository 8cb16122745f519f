"""Every change to an assignment: one function per verb, with the acting user, in one transaction."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.no import fodselsnummer

from kvitt.cases import sakid as sakid_module
from kvitt.cases.tasks import notify
from kvitt.cases.models import ACTIVE_STATES, TRANSITIONS, Assignment, AssignmentState, StateChange, UsageEntry, UsageKind
from kvitt.cases.selectors import Coverage, coverage_from_entries, is_clinic_actor, is_payer_actor, remaining_coverage
from kvitt.core import audit
from kvitt.core.permissions import Actor, PermissionDenied
from kvitt.ledger.models import IdType, Patient
from kvitt.network.models import Location, Payer, Profession

__all__ = [
    "CoverageExceeded",
    "InvalidTransition",
    "open_assignment",
    "register_insured",
    "transition",
    "assign_location",
    "reserve_coverage",
    "release_coverage",
    "consume_coverage",
    "reverse_consumption",
    "Ledger",
    "lock_ledgers",
    "consume_locked",
    "reverse_locked",
    "remaining_coverage",
    "confirmation_token",
    "assignment_for_token",
]

SAKID_ATTEMPTS = 8
CONFIRMATION_SALT = "kvitt.cases.confirmation"


class CoverageExceeded(ValidationError):
    """The assignment does not cover this (count, amount, date or state)."""


class InvalidTransition(ValidationError):
    pass


def _user(actor: Actor):
    return actor.user if getattr(actor.user, "pk", None) else None


def payer_of(actor: Actor) -> Payer:
    if not is_payer_actor(actor):
        raise PermissionDenied(_("Only an insurer's case handler may do this"))
    payer = Payer.objects.filter(organisation=actor.organisation).first()
    if payer is None:
        raise PermissionDenied(_("Your organisation is not registered as a payer"))
    return payer


def _require_own_payer(actor: Actor, assignment: Assignment) -> None:
    if not is_payer_actor(actor) or assignment.payer.organisation_id != actor.organisation.id:
        raise PermissionDenied(_("The assignment belongs to another payer"))


def _require_payer_side(actor: Actor, assignment: Assignment) -> None:
    """The payer's case handler, or the worker acting for the payer (invoice validation)."""
    own = assignment.payer.organisation_id == actor.organisation.id
    if own and (is_payer_actor(actor) or actor.role == "system"):
        return
    raise PermissionDenied(_("Only the assignment's payer may change its coverage usage"))


def _require_party(actor: Actor, assignment: Assignment) -> None:
    """The assignment's payer or the clinic company it was given to."""
    if is_payer_actor(actor) and assignment.payer.organisation_id == actor.organisation.id:
        return
    if is_clinic_actor(actor) and assignment.company_id and assignment.company.organisation_id == actor.organisation.id:
        return
    raise PermissionDenied(_("No such assignment, or not yours"))


@transaction.atomic
def register_insured(
    actor: Actor, *, national_id: str, name: str, email: str = "", phone: str = "", street: str = "",
    postcode: str = "", city: str = "",
) -> Patient:
    """The insurer's own record of the insured person (a Norwegian fødselsnummer or D-number)."""
    payer_of(actor)
    try:
        national_id = fodselsnummer.validate(national_id)
    except Exception as exc:
        raise ValidationError({"national_id": _("Not a valid fødselsnummer or D-number: %(e)s") % {"e": exc}})
    id_type = IdType.DNR if int(national_id[0]) >= 4 else IdType.FNR
    patient, created = Patient.objects.with_national_id(national_id).get_or_create(
        organisation=actor.organisation,
        defaults={
            "national_id": national_id, "id_type": id_type, "name": name, "email": email, "phone": phone, "street": street,
            "postcode": postcode, "city": city, "birth_date": fodselsnummer.get_birth_date(national_id),
        },
    )
    if not created:
        changed = {k: v for k, v in {"name": name, "email": email, "phone": phone}.items() if v and getattr(patient, k) != v}
        for field, value in changed.items():
            setattr(patient, field, value)
        if changed:
            patient.save(update_fields=list(changed))
    audit.record(
        actor, "create" if created else "update", patient, privacy=("identity",),
        fields=("national_id", "name", "email", "phone"), reason="register insured", patient=patient,
    )
    return patient


def _new_sakid() -> str:
    return sakid_module.generate()


def _record_state(actor: Actor, assignment: Assignment, from_state: str, to_state: str, reason: str) -> None:
    StateChange.objects.create(
        assignment=assignment, from_state=from_state, to_state=to_state, by=_user(actor), by_label=actor.name[:200],
        organisation=actor.organisation, reason=reason[:300],
    )


@transaction.atomic
def open_assignment(
    actor: Actor,
    *,
    patient: Patient,
    professions: list[str],
    max_treatments: int,
    max_amount: int,
    valid_from: datetime.date,
    valid_to: datetime.date,
    service_codes: list[str] | None = None,
    referral_required: bool = False,
    diagnosis_text: str = "",
    notes_for_clinic: str = "",
    location: Location | None = None,
) -> Assignment:
    """An insurer's case handler opens an assignment; it gets a fresh, unguessable SakID."""
    payer = payer_of(actor)
    if patient.organisation_id != actor.organisation.id:
        raise PermissionDenied(_("The patient is registered by another organisation"))
    if not isinstance(max_amount, int) or isinstance(max_amount, bool):
        raise ValidationError({"max_amount": _("The amount must be whole øre")})
    unknown = [p for p in professions if p not in Profession.values]
    if unknown:
        raise ValidationError({"professions": _("Unknown profession: %(p)s") % {"p": ", ".join(unknown)}})
    assignment = Assignment(
        payer=payer, patient=patient, professions=list(professions), service_codes=list(service_codes or []),
        max_treatments=max_treatments, max_amount=max_amount, valid_from=valid_from, valid_to=valid_to,
        referral_required=referral_required, diagnosis_text=diagnosis_text, notes_for_clinic=notes_for_clinic,
        location=location, company=location.company if location else None,
        created_by=_user(actor), created_by_label=actor.name[:200],
    )
    assignment.sakid = "X" * sakid_module.LENGTH
    assignment.full_clean(exclude=["sakid"])
    for _attempt in range(SAKID_ATTEMPTS):
        assignment.sakid = _new_sakid()
        try:
            # A savepoint, so that a collision leaves the outer transaction usable for the retry.
            with transaction.atomic():
                assignment.save(force_insert=True)
            break
        except IntegrityError:
            assignment.pk = None
            if Assignment.objects.filter(sakid=assignment.sakid).exists():
                continue
            raise
    else:
        raise RuntimeError("could not find a free SakID; the id space is too full")
    _record_state(actor, assignment, "", AssignmentState.OPEN, "opened")
    audit.record(
        actor, "create", assignment, privacy=("identity", "clinical"), fields=("patient", "diagnosis_text", "notes_for_clinic"),
        reason="open assignment", patient=patient,
    )
    notify("assignment_opened", assignment.pk)
    return assignment


@transaction.atomic
def transition(actor: Actor, assignment: Assignment, to_state: str, reason: str = "") -> Assignment:
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    _require_party(actor, locked)
    _move(actor, locked, to_state, reason)
    assignment.state = locked.state
    return locked


def _move(actor: Actor, locked: Assignment, to_state: str, reason: str) -> None:
    if to_state not in TRANSITIONS.get(locked.state, ()):
        raise InvalidTransition(
            _("An assignment cannot go from %(a)s to %(b)s") % {"a": locked.get_state_display(), "b": to_state}
        )
    from_state = locked.state
    locked.state = to_state
    locked.save(update_fields=["state"])
    _record_state(actor, locked, from_state, to_state, reason)


def move_if_allowed(actor: Actor, locked: Assignment, to_state: str, reason: str) -> bool:
    """For services of other apps that already hold the row lock (booking, claims)."""
    if to_state in TRANSITIONS.get(locked.state, ()):
        _move(actor, locked, to_state, reason)
        return True
    return False


@transaction.atomic
def assign_location(actor: Actor, assignment: Assignment, location: Location) -> Assignment:
    """Give the assignment to a clinic location (the insurer, or a booking on its behalf)."""
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    _require_own_payer(actor, locked)
    if locked.company_id and locked.company_id != location.company_id and locked.state != AssignmentState.OPEN:
        raise ValidationError(_("The assignment is already with another clinic"))
    locked.location = location
    locked.company = location.company
    locked.save(update_fields=["location", "company"])
    assignment.location, assignment.company = locked.location, locked.company
    return locked


def lock(assignment: Assignment) -> Assignment:
    """The assignment row, locked for the rest of the transaction (a no-op on SQLite, whose
    IMMEDIATE transactions already serialise writers)."""
    return Assignment.objects.select_for_update(of=("self",)).select_related("payer", "company").get(pk=assignment.pk)


def _entry(actor: Actor, assignment: Assignment, kind: str, count: int, amount: int, source_ref: str) -> UsageEntry:
    return UsageEntry.objects.create(
        assignment=assignment, kind=kind, count=count, amount=amount, source_ref=source_ref[:120], actor_label=actor.name[:200]
    )


def _existing(assignment: Assignment, kind: str, source_ref: str) -> UsageEntry | None:
    return UsageEntry.objects.filter(assignment=assignment, kind=kind, source_ref=source_ref[:120]).first()


def reserve_locked(actor: Actor, locked: Assignment, source_ref: str, count: int = 1, amount: int = 0) -> UsageEntry:
    """Reserve under a lock the caller holds. Raises CoverageExceeded when nothing is left."""
    existing = _existing(locked, UsageKind.RESERVE, source_ref)
    if existing is not None:
        return existing
    if locked.state not in ACTIVE_STATES:
        raise CoverageExceeded(_("Assignment %(s)s is %(state)s") % {"s": locked.sakid, "state": locked.get_state_display()})
    left = remaining_coverage(locked)
    if count > left.remaining_treatments:
        raise CoverageExceeded(
            _("Assignment %(s)s has %(n)d treatments left") % {"s": locked.sakid, "n": max(left.remaining_treatments, 0)}
        )
    if amount > left.remaining_amount:
        raise CoverageExceeded(_("Assignment %(s)s does not cover that amount") % {"s": locked.sakid})
    return _entry(actor, locked, UsageKind.RESERVE, count, amount, source_ref)


def release_locked(actor: Actor, locked: Assignment, source_ref: str) -> UsageEntry | None:
    """Give back a reservation (a cancelled or refused booking). Idempotent."""
    reservation = _existing(locked, UsageKind.RESERVE, source_ref)
    if reservation is None:
        return None
    existing = _existing(locked, UsageKind.RELEASE, source_ref)
    if existing is not None:
        return existing
    return _entry(actor, locked, UsageKind.RELEASE, reservation.count, reservation.amount, source_ref)


@transaction.atomic
def reserve_coverage(actor: Actor, assignment: Assignment, source_ref: str, count: int = 1, amount: int = 0) -> UsageEntry:
    locked = lock(assignment)
    _require_party(actor, locked)
    return reserve_locked(actor, locked, source_ref, count, amount)


@transaction.atomic
def release_coverage(actor: Actor, assignment: Assignment, source_ref: str) -> UsageEntry | None:
    locked = lock(assignment)
    _require_party(actor, locked)
    return release_locked(actor, locked, source_ref)


def _open_reservations(locked: Assignment) -> list[UsageEntry]:
    released = set(
        UsageEntry.objects.filter(assignment=locked, kind=UsageKind.RELEASE).values_list("source_ref", flat=True)
    )
    return [
        e for e in UsageEntry.objects.filter(assignment=locked, kind=UsageKind.RESERVE).order_by("at", "id")
        if e.source_ref not in released
    ]


def _refuse_beyond_coverage(locked, count: int, amount: int, reservations, left) -> None:
    """Refuse consumption beyond what remains, counting what the given reservations free."""
    freed_count = sum(r.count for r in reservations)
    freed_amount = sum(r.amount for r in reservations)
    if count > left.remaining_treatments + freed_count:
        raise CoverageExceeded(
            _("Assignment %(s)s has %(n)d treatments left") % {"s": locked.sakid, "n": max(left.remaining_treatments + freed_count, 0)}
        )
    if amount > left.remaining_amount + freed_amount:
        raise CoverageExceeded(
            _("Assignment %(s)s has %(n)s øre left") % {"s": locked.sakid, "n": left.remaining_amount + freed_amount}
        )


@transaction.atomic
def consume_coverage(
    actor: Actor,
    assignment: Assignment,
    count: int,
    amount: int,
    source_ref: str,
    *,
    on_date: datetime.date | None = None,
    service_code: str | None = None,
) -> UsageEntry:
    """An approved invoice line uses the coverage. Called by the claims app.

    Atomic: the assignment row is locked, so two invoices validated at the same moment cannot
    both take the last treatment. Each consumed treatment turns the oldest open reservation
    (a booking) into use. Replaying the same ``source_ref`` returns the first entry unchanged.
    """
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0 or count < 0:
        raise ValidationError(_("Count and amount must be non-negative whole numbers (øre)"))
    locked = lock(assignment)
    _require_payer_side(actor, locked)
    existing = _existing(locked, UsageKind.CONSUME, source_ref)
    if existing is not None:
        return existing
    if locked.state not in ACTIVE_STATES:
        raise CoverageExceeded(_("Assignment %(s)s is %(state)s") % {"s": locked.sakid, "state": locked.get_state_display()})
    if on_date is not None and not locked.covers_day(on_date):
        raise CoverageExceeded(
            _("Assignment %(s)s covers %(a)s to %(b)s, not %(d)s")
            % {"s": locked.sakid, "a": locked.valid_from, "b": locked.valid_to, "d": on_date}
        )
    if service_code is not None and not locked.covers_service_code(service_code):
        raise CoverageExceeded(_("Assignment %(s)s does not cover service code %(c)s") % {"s": locked.sakid, "c": service_code})
    reservations = _open_reservations(locked)[:count]
    left = remaining_coverage(locked)
    _refuse_beyond_coverage(locked, count, amount, reservations, left)
    for reservation in reservations:
        release_locked(actor, locked, reservation.source_ref)
    entry = _entry(actor, locked, UsageKind.CONSUME, count, amount, source_ref)
    move_if_allowed(actor, locked, AssignmentState.IN_TREATMENT, f"consumed by {source_ref}")
    return entry


@transaction.atomic
def reverse_consumption(actor: Actor, assignment: Assignment, source_ref: str, reason: str = "") -> UsageEntry:
    """A credit note gives back what an invoice line consumed. Idempotent per source_ref."""
    locked = lock(assignment)
    _require_payer_side(actor, locked)
    consumed = _existing(locked, UsageKind.CONSUME, source_ref)
    if consumed is None:
        raise ValidationError(_("Nothing was consumed under %(r)s") % {"r": source_ref})
    existing = _existing(locked, UsageKind.REVERSE, source_ref)
    if existing is not None:
        return existing
    return _entry(actor, locked, UsageKind.REVERSE, consumed.count, consumed.amount, source_ref)


# --- many assignments at once (the claims batch) -------------------------------------------------


@dataclass
class Ledger:
    """An assignment (row-locked) and its usage entries, read once; kept in step with what is written.

    The claims batch validates many invoices per transaction: it locks their assignments in one
    statement and reads all their entries in another, instead of a lock and three reads per line.
    """

    assignment: Assignment
    entries: list[UsageEntry] = field(default_factory=list)
    _by_key: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for entry in self.entries:
            self._by_key[(entry.kind, entry.source_ref)] = entry

    def add(self, rows: list[UsageEntry]) -> None:
        self.entries.extend(rows)
        for entry in rows:
            self._by_key[(entry.kind, entry.source_ref)] = entry

    def entry(self, kind: str, source_ref: str) -> UsageEntry | None:
        return self._by_key.get((kind, source_ref[:120]))

    def coverage(self) -> Coverage:
        return coverage_from_entries(self.assignment, self.entries)

    def open_reservations(self) -> list[UsageEntry]:
        released = {e.source_ref for e in self.entries if e.kind == UsageKind.RELEASE}
        open_ = [e for e in self.entries if e.kind == UsageKind.RESERVE and e.source_ref not in released]
        return sorted(open_, key=lambda e: (e.at, e.pk or 0))


def lock_ledgers(assignment_ids) -> dict[int, Ledger]:
    """Lock the assignments (in id order, so two batches cannot deadlock) and read their usage."""
    ids = sorted(set(i for i in assignment_ids if i is not None))
    if not ids:
        return {}
    locked = list(
        Assignment.objects.select_for_update(of=("self",)).select_related("payer", "company").filter(pk__in=ids).order_by("pk")
    )
    entries: dict[int, list[UsageEntry]] = {a.pk: [] for a in locked}
    for entry in UsageEntry.objects.filter(assignment_id__in=ids).order_by("at", "id"):
        entries[entry.assignment_id].append(entry)
    return {a.pk: Ledger(a, entries[a.pk]) for a in locked}


_GUARDED_COLUMNS = ("assignment_id", "kind", "count", "amount", "source_ref", "at", "actor_label")


def _consumed_sql(column: str) -> str:
    qn = connection.ops.quote_name
    return (
        f"(SELECT COALESCE(SUM(CASE u.{qn('kind')} WHEN '{UsageKind.CONSUME}' THEN u.{qn(column)} "
        f"WHEN '{UsageKind.REVERSE}' THEN -u.{qn(column)} ELSE 0 END), 0) "
        f"FROM {qn(UsageEntry._meta.db_table)} u WHERE u.{qn('assignment_id')} = %s)"
    )


def _insert_guarded(locked: Assignment, rows: list[UsageEntry], add_count: int, add_amount: int) -> None:
    """All rows in one INSERT ... SELECT that the database itself refuses (no row written) when the
    consumed treatments or øre would pass what the assignment grants, whatever the caller read."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in _GUARDED_COLUMNS)
    one_row = "SELECT " + ", ".join(f"%s AS {qn(c)}" for c in _GUARDED_COLUMNS)
    sql = (
        f"INSERT INTO {qn(UsageEntry._meta.db_table)} ({columns}) SELECT {columns} FROM "
        f"({' UNION ALL '.join([one_row] * len(rows))}) v "
        f"WHERE {_consumed_sql('count')} + %s <= %s AND {_consumed_sql('amount')} + %s <= %s"
    )
    params: list = []
    for row in rows:
        params += [locked.pk, row.kind, row.count, row.amount, row.source_ref,
                   connection.ops.adapt_datetimefield_value(row.at), row.actor_label]
    params += [locked.pk, add_count, locked.max_treatments, locked.pk, add_amount, locked.max_amount]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.rowcount
    if written != len(rows):
        raise CoverageExceeded(_("Assignment %(s)s does not cover that amount") % {"s": locked.sakid})


def consume_locked(actor: Actor, ledger: Ledger, items) -> list[UsageEntry]:
    """Consume ``items`` ((count, amount øre, source_ref) per approved line) on an assignment the
    caller has locked with :func:`lock_ledgers`; the same rules as :func:`consume_coverage`.

    Set-based: the released reservations and the consumption are one guarded statement, all or
    nothing. A source_ref consumed before is skipped (replay changes nothing).
    """
    locked = ledger.assignment
    _require_payer_side(actor, locked)
    for count, amount, _ref in items:
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0 or count < 0:
            raise ValidationError(_("Count and amount must be non-negative whole numbers (øre)"))
    items = [(c, a, ref[:120]) for c, a, ref in items if ledger.entry(UsageKind.CONSUME, ref) is None]
    if not items:
        return []
    if locked.state not in ACTIVE_STATES:
        raise CoverageExceeded(_("Assignment %(s)s is %(state)s") % {"s": locked.sakid, "state": locked.get_state_display()})
    count, amount = sum(i[0] for i in items), sum(i[1] for i in items)
    reservations = ledger.open_reservations()[:count]
    left = ledger.coverage()
    _refuse_beyond_coverage(locked, count, amount, reservations, left)
    now = timezone.now()
    label = actor.name[:200]
    releases = [UsageEntry(assignment=locked, kind=UsageKind.RELEASE, count=r.count, amount=r.amount, source_ref=r.source_ref,
                           at=now, actor_label=label) for r in reservations]
    consumed = [UsageEntry(assignment=locked, kind=UsageKind.CONSUME, count=c, amount=a, source_ref=ref, at=now, actor_label=label)
                for c, a, ref in items]
    _insert_guarded(locked, releases + consumed, count, amount)
    ledger.add(releases + consumed)
    if locked.state != AssignmentState.IN_TREATMENT:
        move_if_allowed(actor, locked, AssignmentState.IN_TREATMENT, f"consumed by {items[0][2]}")
    return consumed


def reverse_locked(actor: Actor, ledger: Ledger, source_refs, reason: str = "") -> list[UsageEntry]:
    """Give back what ``source_refs`` consumed, on an assignment locked by :func:`lock_ledgers`.
    Idempotent per source_ref, like :func:`reverse_consumption`; one statement for all."""
    locked = ledger.assignment
    _require_payer_side(actor, locked)
    rows = []
    for ref in source_refs:
        consumed = ledger.entry(UsageKind.CONSUME, ref)
        if consumed is None:
            raise ValidationError(_("Nothing was consumed under %(r)s") % {"r": ref})
        if ledger.entry(UsageKind.REVERSE, ref) is None and all(r.source_ref != consumed.source_ref for r in rows):
            rows.append(UsageEntry(assignment=locked, kind=UsageKind.REVERSE, count=consumed.count, amount=consumed.amount,
                                   source_ref=consumed.source_ref, actor_label=actor.name[:200]))
    UsageEntry.objects.bulk_create(rows)
    ledger.add(rows)
    return rows


def confirmation_token(assignment: Assignment) -> str:
    """A signed, unforgeable token for the patient's link to the coverage confirmation."""
    return signing.dumps({"s": assignment.sakid}, key=settings.KVITT_SIGNING_KEY, salt=CONFIRMATION_SALT, compress=True)


def assignment_for_token(token: str) -> Assignment:
    """The assignment behind a confirmation link; the link dies 90 days after the coverage ends."""
    try:
        data = signing.loads(token, key=settings.KVITT_SIGNING_KEY, salt=CONFIRMATION_SALT)
    except signing.BadSignature:
        raise PermissionDenied(_("This link is not valid"))
    assignment = Assignment.objects.select_related("payer", "patient", "company", "location").filter(sakid=data.get("s")).first()
    if assignment is None:
        raise PermissionDenied(_("This link is not valid"))
    if timezone.localdate() > assignment.valid_to + datetime.timedelta(days=90):
        raise PermissionDenied(_("This link has expired"))
    return assignment


def confirmation_url(assignment: Assignment) -> str:
    from django.urls import reverse

    return settings.KVITT_BASE_URL.rstrip("/") + reverse("cases:public_confirmation", args=[confirmation_token(assignment)])


def coverage_of(assignment: Assignment) -> Coverage:
    return remaining_coverage(assignment)
