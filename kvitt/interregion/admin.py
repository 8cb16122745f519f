from django.contrib import admin

from kvitt.interregion.models import AuthorisedCaller, CarePricing, ClaimSpecification, Delivery, RegionDirectory, RegionLink


@admin.register(RegionDirectory)
class RegionDirectoryAdmin(admin.ModelAdmin):
    list_display = ("county_code", "name", "org_number")


@admin.register(RegionLink)
class RegionLinkAdmin(admin.ModelAdmin):
    list_display = ("organisation", "receiver_org_number", "url", "pause_ms", "max_attempts", "timeout_s")


@admin.register(AuthorisedCaller)
class AuthorisedCallerAdmin(admin.ModelAdmin):
    list_display = ("organisation", "hsa_id", "logical_address", "contract", "active")
    list_filter = ("active",)


@admin.register(CarePricing)
class CarePricingAdmin(admin.ModelAdmin):
    list_display = ("organisation", "event_id", "type_of_care", "drg_code", "drg_price", "updated_at")


@admin.register(ClaimSpecification)
class ClaimSpecificationAdmin(admin.ModelAdmin):
    """Status and amounts only: the request XML holds patient data and is not shown here."""

    list_display = ("basis_id", "organisation", "direction", "type_of_invoice", "payable_amount", "status", "created_at")
    list_filter = ("direction", "status", "type_of_invoice")
    fields = ("basis_id", "organisation", "direction", "type_of_invoice", "supplier_org_number", "customer_org_number",
              "payable_amount", "status", "result_comment", "findings", "created_at", "sent_at", "received_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("specification", "receiver_org_number", "status", "attempts", "last_attempt_at", "finished_at")
    list_filter = ("status",)
    readonly_fields = ("specification", "receiver_org_number", "attempts", "last_error", "created_at", "last_attempt_at", "finished_at")
