from django.urls import path

from backcare.staff.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<str:table>.csv", views.export_csv, name="export"),
]
