"""/api/v1/receivables/: the clinic's patient invoices and the collection workspace."""

from __future__ import annotations

import datetime

from ninja import Router, Schema

from kvitt.core.permissions import PermissionDenied
from kvitt.receivables import selectors

router = Router(tags=["receivables"])


class PatientInvoiceOut(Schema):
    id: int
    number: int
    reference: str
    patient_id: int
    issue_date: datetime.date
    due_date: datetime.date
    currency: str
    status: str
    principal_minor: int
    open_minor: int
    credit_balance_minor: int
    dunning_stage: str
    disputed: bool


class ClaimOut(Schema):
    id: int
    number: int
    reference: str
    creditor: str
    debtor: str
    issue_date: datetime.date
    due_date: datetime.date
    currency: str
    status: str
    principal_minor: int
    open_minor: int
    dunning_stage: str


def _invoice_out(i) -> PatientInvoiceOut:
    return PatientInvoiceOut(id=i.pk, number=i.number, reference=i.reference, patient_id=i.patient_id, issue_date=i.issue_date,
                      due_date=i.due_date, currency=i.currency, status=i.status, principal_minor=i.principal_minor,
                      open_minor=i.open_minor, credit_balance_minor=i.credit_balance_minor, dunning_stage=i.dunning_stage,
                      disputed=i.disputed)


@router.get("/invoices", response=list[PatientInvoiceOut])
def list_invoices(request, status: str | None = None):
    qs = selectors.invoices_for_clinic(request.auth)
    if status:
        qs = qs.filter(status=status)
    return [_invoice_out(i) for i in qs[:1000]]


@router.get("/invoices/{invoice_id}", response=PatientInvoiceOut)
def get_invoice(request, invoice_id: int):
    invoice = selectors.invoices_for_clinic(request.auth).filter(pk=invoice_id).first()
    if invoice is None:
        raise PermissionDenied("not found or not yours")
    return _invoice_out(invoice)


@router.get("/collection/claims", response=list[ClaimOut])
def collection_claims(request):
    return [
        ClaimOut(id=c["pk"], number=c["number"], reference=c["reference"], creditor=c["organisation__name"],
                 debtor=c["patient__name"], issue_date=c["issue_date"], due_date=c["due_date"], currency=c["currency"],
                 status=c["status"], principal_minor=c["principal_minor"], open_minor=c["open_minor"],
                 dunning_stage=c["dunning_stage"])
        for c in selectors.collection_worklist(request.auth)
    ]


@router.get("/collection/claims/{claim_id}")
def collection_case(request, claim_id: int) -> dict:
    return selectors.collection_case(request.auth, claim_id)
