"""The client's own program, mounted at ``portal/`` under the ``care:`` names."""

from django.urls import path

from backcare.portal import programs

urlpatterns = [
    path("programs/<int:program_id>/", programs.portal_program, name="portal_program"),
]
