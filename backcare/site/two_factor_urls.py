from django.urls import path

from backcare.site import two_factor as views

app_name = "two_factor"

urlpatterns = [
    path("sign-in/second-step/", views.verify, name="verify"),
    path("sign-in/set-up/", views.setup, name="setup"),
    path("sign-in/passkey-added/", views.after_passkey, name="after_passkey"),
    path("sign-in/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("account/sign-in/", views.account, name="account"),
    path("account/sign-in/recovery-codes/", views.new_recovery_codes, name="new_recovery_codes"),
    path("account/sign-in/remove/", views.remove, name="remove"),
]
