from django.contrib import admin

from kvitt.helfo.models import BillCard, BillCardEvent, EgenandelReport, Payout, Practice, Settlement, SettlementBill, Tariff


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = ("code", "area", "valid_from", "valid_to", "honorar", "refusjon", "egenandel", "requires_diagnosis", "requires_referral")
    list_filter = ("area",)
    search_fields = ("code", "description")


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ("name", "practice_id", "practice_type", "area", "channel", "auth", "active")
    list_filter = ("channel", "area", "active")


class BillCardEventInline(admin.TabularInline):
    model = BillCardEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "kind", "text", "settlement", "actor_label")
    fields = readonly_fields


@admin.register(BillCard)
class BillCardAdmin(admin.ModelAdmin):
    # Patient identity stays out of the list; the detail page is for support with audit in place.
    list_display = ("bill_number", "practice", "practitioner", "treated_at", "status", "refund_amount", "patient_share")
    list_filter = ("status", "practice")
    readonly_fields = ("guid", "bill_number", "event_id", "care_event", "patient")
    inlines = [BillCardEventInline]


class SettlementBillInline(admin.TabularInline):
    model = SettlementBill
    extra = 0
    can_delete = False
    readonly_fields = ("bill_card", "kind", "amount", "result", "remarks")


@admin.register(Settlement)
class SettlementAdmin(admin.ModelAdmin):
    list_display = ("pk", "practice", "kind", "channel", "status", "total", "created_at", "sent_at")
    list_filter = ("status", "channel", "kind")
    readonly_fields = ("msg_id", "bkm_json", "signed_xml", "kuhr_message_id")
    inlines = [SettlementBillInline]


admin.site.register(EgenandelReport)
admin.site.register(Payout)
