"""A test-only page with a body chart field, served through Django so the real middleware (and
its content security policy) applies. Used by tests/browser/test_body_chart.py."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from backcare.bodychart import BodyChartField

PAGE = engines["django"].from_string(
    """{% extends "base.html" %}
{% block content %}
<form method="post" class="form card">{% csrf_token %}
  {% include "includes/form.html" %}
  <button type="submit" class="primary">Save</button>
</form>
{% if saved is not None %}<output aria-label="Saved areas">{{ saved|join:" " }}</output>{% endif %}
{% endblock %}"""
)


class PainForm(forms.Form):
    name = forms.CharField(label="Your name", required=False)
    areas = BodyChartField(label="Where do you feel pain?", required=False)


def body_chart_page(request: HttpRequest) -> HttpResponse:
    form = PainForm(request.POST if request.method == "POST" else None)
    saved = form.cleaned_data["areas"] if form.is_valid() else None
    return HttpResponse(PAGE.render({"form": form, "saved": saved}, request))


urlpatterns = [path("", body_chart_page, name="home")]
