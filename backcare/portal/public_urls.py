"""The clinic's public booking pages: no sign-in needed, except to finish."""

from django.urls import path

from backcare.portal import public

app_name = "public"

urlpatterns = [
    path("book/<int:location_id>/", public.page, name="page"),
    path("book/<int:location_id>/embed/", public.embed, name="embed"),
    path("book/<int:location_id>/hold/", public.hold, name="hold"),
    path("book/held/<uuid:held>/", public.signup, name="signup"),
    path("book/held/<uuid:held>/sent/", public.sent, name="sent"),
    path("book/held/<uuid:held>/finish/", public.finish, name="finish"),
]
