from django.contrib import admin

from kvitt.einvoice.models import DeliveryOutbox, InvoiceCounter, OutgoingInvoice, OutgoingInvoiceLine


class LineInline(admin.TabularInline):
    model = OutgoingInvoiceLine
    extra = 0
    can_delete = False
    readonly_fields = ("position", "event_id", "treatment_id", "description", "treatment_at", "amount")
    exclude = ("care_event",)


@admin.register(OutgoingInvoice)
class OutgoingInvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "company", "payer", "sak_id", "issue_date", "total_amount", "status", "receiver_response")
    list_filter = ("status", "kind", "receiver_response")
    search_fields = ("sak_id", "kid", "message_id")
    inlines = [LineInline]
    readonly_fields = [f.name for f in OutgoingInvoice._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False  # invoice numbers are never reused: nothing is deleted


@admin.register(DeliveryOutbox)
class DeliveryOutboxAdmin(admin.ModelAdmin):
    list_display = ("message_id", "invoice", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status",)
    exclude = ("envelope",)
    readonly_fields = ("invoice", "message_id", "transport", "attempts", "polls", "remote_id", "created_at", "accepted_at", "delivered_at")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InvoiceCounter)
class InvoiceCounterAdmin(admin.ModelAdmin):
    list_display = ("company", "last_number")
    readonly_fields = ("company", "last_number")
