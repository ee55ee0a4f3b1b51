from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("backcare.accounts.urls")),
    path("staff/", include("backcare.clinic.urls")),
    path("staff/audit/", include("backcare.audit.urls")),
    path("staff/screening/", include("backcare.screening.urls")),
    path("portal/", include("backcare.portal.urls")),
    path("admin/", admin.site.urls),
]
