"""The peer project's URLs: django-appointment's own."""

from django.urls import include, path

urlpatterns = [path("appointment/", include("appointment.urls"))]
