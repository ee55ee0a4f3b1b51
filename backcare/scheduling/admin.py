from django.contrib import admin
from django.http import HttpRequest

from backcare.scheduling.models import BookingPolicy, Break, Closure, TimeOff, WorkingHours


class BreakInline(admin.TabularInline[Break, WorkingHours]):
    model = Break
    extra = 0


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin[WorkingHours]):
    list_display = ("therapist", "location", "weekday", "starts", "ends")
    list_filter = ("location", "weekday")
    inlines = (BreakInline,)


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin[TimeOff]):
    list_display = ("therapist", "starts", "ends", "reason")
    list_filter = ("therapist",)
    date_hierarchy = "starts"


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin[Closure]):
    list_display = ("name", "location", "starts_on", "ends_on")
    list_filter = ("location",)


@admin.register(BookingPolicy)
class BookingPolicyAdmin(admin.ModelAdmin[BookingPolicy]):
    list_display = ("__str__", "min_notice_minutes", "horizon_days", "cancellation_window_hours")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row for the clinic; BookingPolicy.current() creates it on first use.
        return super().has_add_permission(request) and not BookingPolicy.objects.exists()


# Appointments are not edited in the admin: every change goes through the booking actions,
# which re-check overlaps and write the audit row.
