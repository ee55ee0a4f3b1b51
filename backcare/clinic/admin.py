from django.contrib import admin

from backcare.clinic.models import (
    CareTeamMembership,
    Client,
    Consent,
    Location,
    Room,
    Service,
    Therapist,
)


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin[Location]):
    list_display = ("name", "city", "time_zone", "active")


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin[Room]):
    list_display = ("name", "location", "active")
    list_filter = ("location",)


@admin.register(Therapist)
class TherapistAdmin(admin.ModelAdmin[Therapist]):
    list_display = ("user", "licence_number", "licence_state", "active")
    search_fields = ("user__full_name", "licence_number")


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin[Client]):
    list_display = ("last_name", "first_name", "date_of_birth", "email")
    search_fields = ("last_name", "first_name", "email")


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin[Service]):
    list_display = ("name", "duration_minutes", "buffer_after_minutes", "price", "active")


admin.site.register(Consent)
admin.site.register(CareTeamMembership)
