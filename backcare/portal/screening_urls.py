"""The client's referral letter, mounted at ``portal/`` under the ``screening:`` names."""

from django.urls import path

from backcare.portal import screening

urlpatterns = [
    path("referral-letter.pdf", screening.portal_letter, name="portal_letter"),
]
