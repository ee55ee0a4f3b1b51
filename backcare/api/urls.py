from django.urls import path

from backcare.api import widget
from backcare.api.v1 import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("widget/booking.js", widget.booking_script, name="booking_widget"),
]
