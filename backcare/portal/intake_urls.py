"""The client's questionnaire pages, mounted at ``portal/`` under the ``intake:`` names
(``backcare/urls.py`` joins them with the staff ones)."""

from django.urls import path

from backcare.portal import intake

urlpatterns = [
    path("intake/start/", intake.portal_start, name="portal_start"),
    path("intake/review/", intake.portal_review, name="portal_review"),
    path("intake/<slug:step>/", intake.portal_step, name="portal_step"),
    path("next-steps/", intake.portal_result, name="portal_result"),
]
