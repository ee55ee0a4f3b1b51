from django.contrib import admin

from backcare.scheduling.models import Break, WorkingHours


class BreakInline(admin.TabularInline[Break, WorkingHours]):
    model = Break
    extra = 0


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin[WorkingHours]):
    list_display = ("therapist", "location", "weekday", "starts", "ends")
    list_filter = ("location", "weekday")
    inlines = (BreakInline,)
