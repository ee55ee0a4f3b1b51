from django.urls import path

from backcare.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.staff_home, name="home"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/<int:client_id>/", views.client_detail, name="client_detail"),
]
