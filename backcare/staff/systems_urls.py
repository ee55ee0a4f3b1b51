from django.urls import path

from backcare.staff import systems

app_name = "staff_systems"

urlpatterns = [
    path("systems/", systems.system_list, name="list"),
    path("systems/revoke/", systems.system_revoke, name="revoke"),
]
