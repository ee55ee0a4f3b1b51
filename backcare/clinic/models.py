"""People and places of the clinic (SPEC §1, §4): locations, rooms, therapists, clients, services,
and the care team that decides which therapists treat which client."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from backcare.accounts.validators import SingleLine
from backcare.lib.techniques import TECHNIQUES

US_STATE = RegexValidator(r"^[A-Z]{2}$", "Use the two-letter state code, for example GA.")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "%(value)s is not a time zone. Use a name such as America/New_York.",
            params={"value": value},
        )


def validate_techniques(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError("Techniques must be a list of technique codes.")
    unknown = sorted(set(value) - TECHNIQUES.keys())
    if unknown:
        raise ValidationError("Unknown technique: %(codes)s.", params={"codes": ", ".join(unknown)})


def validate_date_of_birth(value: dt.date) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError("The date of birth cannot be in the future.")
    if value < today.replace(year=today.year - 120):
        raise ValidationError("Please check the year: that is more than 120 years ago.")


class Location(models.Model):
    name = models.CharField(max_length=120, unique=True, validators=[SingleLine("location name")])
    address_line1 = models.CharField("address", max_length=200)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, validators=[US_STATE])
    postal_code = models.CharField(
        "ZIP code",
        max_length=10,
        validators=[RegexValidator(r"^\d{5}(-\d{4})?$", "Use a ZIP code such as 30309.")],
    )
    phone = models.CharField(max_length=30, blank=True)
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("clinic:location_detail", args=[self.pk])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def address(self) -> str:
        street = ", ".join(part for part in (self.address_line1, self.address_line2) if part)
        return f"{street}, {self.city}, {self.state} {self.postal_code}"


class Room(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=80, validators=[SingleLine("room name")])
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("location__name", "name")
        constraints = [
            models.UniqueConstraint(
                fields=("location", "name"), name="room_name_unique_per_location"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.location.name})"

    def get_absolute_url(self) -> str:
        return reverse("clinic:room_edit", args=[self.pk])


class Therapist(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="therapist"
    )
    licence_number = models.CharField("licence number", max_length=40)
    licence_state = models.CharField("licence state", max_length=2, validators=[US_STATE])
    techniques = models.JSONField(default=list, blank=True, validators=[validate_techniques])
    locations = models.ManyToManyField(Location, related_name="therapists", blank=True)
    bio = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("user__full_name",)
        constraints = [
            models.UniqueConstraint(
                fields=("licence_state", "licence_number"), name="therapist_licence_unique"
            )
        ]

    def __str__(self) -> str:
        return self.user.full_name

    def get_absolute_url(self) -> str:
        return reverse("clinic:therapist_detail", args=[self.pk])

    @property
    def name(self) -> str:
        return self.user.full_name


class Client(models.Model):
    """An adult with back pain. May or may not have a portal login (``user``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="client",
        null=True,
        blank=True,
    )
    first_name = models.CharField(
        "first name", max_length=80, validators=[SingleLine("first name")]
    )
    last_name = models.CharField("last name", max_length=80, validators=[SingleLine("last name")])
    date_of_birth = models.DateField("date of birth", validators=[validate_date_of_birth])
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address = models.CharField(max_length=250, blank=True)
    home_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="clients"
    )
    emergency_contact_name = models.CharField(
        "emergency contact",
        max_length=120,
        blank=True,
        validators=[SingleLine("emergency contact")],
    )
    emergency_contact_relationship = models.CharField("relationship", max_length=60, blank=True)
    emergency_contact_phone = models.CharField("emergency contact phone", max_length=30, blank=True)
    physician_name = models.CharField(
        "physician", max_length=120, blank=True, validators=[SingleLine("physician's name")]
    )
    physician_practice = models.CharField("practice", max_length=160, blank=True)
    physician_phone = models.CharField("physician phone", max_length=30, blank=True)
    physician_email = models.EmailField("physician email", blank=True)
    contact_by_email = models.BooleanField("email me", default=True)
    contact_by_sms = models.BooleanField("text me", default=False)
    appointment_reminders = models.BooleanField("appointment reminders", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField("last changed", auto_now=True, db_index=True)
    """When the client's details last changed: what connected systems' incremental reads
    (FHIR ``_lastUpdated``, Bulk Data ``_since``) go by."""

    class Meta:
        ordering = ("last_name", "first_name")
        indexes = [models.Index(fields=("last_name", "first_name"))]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("staff:client_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", "Consent to treatment"
    PRIVACY = "privacy", "Privacy notice"
    MESSAGES = "messages", "Email and text messages"


class Consent(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    version = models.CharField(max_length=20)
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("client", "kind", "-given_at")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class Service(models.Model):
    # The name is in the subject of appointment reminders.
    name = models.CharField(max_length=120, unique=True, validators=[SingleLine("service name")])
    description = models.TextField(blank=True)
    # A session with its buffer fits well inside a day; availability relies on it to bound its
    # search of appointments from both ends (LONGEST_SESSION in scheduling.availability).
    duration_minutes = models.PositiveIntegerField(
        "duration (minutes)", validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    buffer_after_minutes = models.PositiveIntegerField(
        "buffer after (minutes)", default=0, validators=[MaxValueValidator(120)]
    )
    price = models.DecimalField(
        max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    techniques = models.JSONField(default=list, blank=True, validators=[validate_techniques])
    needs_room = models.BooleanField("needs a room", default=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("duration_minutes", "name")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="service_price_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=15), name="service_duration_at_least_15"
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__lte=480), name="service_duration_at_most_480"
            ),
            models.CheckConstraint(
                condition=models.Q(buffer_after_minutes__lte=120),
                name="service_buffer_at_most_120",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("clinic:service_edit", args=[self.pk])


class CareTeamMembership(models.Model):
    """A therapist treats a client. Only members see the client's clinical records (SPEC §7).

    Access follows treatment, not a booking (SPEC §2a): a therapist joins when the client is
    checked in for a session with them (``treated``), when they plan the client's program
    (``program``) or when the owner assigns them (``assigned``)."""

    class Reason(models.TextChoices):
        ASSIGNED = "assigned", "Assigned by staff"
        TREATED = "treated", "Treated the client"
        PROGRAM = "program", "Plans the treatment program"
        # Kept for the history: booking no longer grants access. Migration
        # clinic.0004_care_team_follows_treatment ended or relabelled every open one.
        BOOKED = "booked", "Booked an appointment"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_team")
    therapist = models.ForeignKey(Therapist, on_delete=models.PROTECT, related_name="care_team")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    added_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("client", "therapist"),
                condition=models.Q(ended_at__isnull=True),
                name="one_open_care_team_membership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.therapist} treats {self.client}"


PRIVACY_NOTICE_MAX = 20_000


class PrivacyNotice(models.Model):
    """The clinic's privacy notice, which clients agree to having read when they fill in the
    health questionnaire. One per clinic; the owner edits it. Until then, :func:`text` is the
    plain default below."""

    text = models.TextField(
        "privacy notice",
        max_length=PRIVACY_NOTICE_MAX,
        help_text="What clients read before they agree to it on the health questionnaire.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Privacy notice"

    def get_absolute_url(self) -> str:
        return reverse("privacy")

    @classmethod
    def current(cls) -> PrivacyNotice:
        notice = cls.objects.filter(pk=1).first()
        return notice if notice is not None else cls(pk=1, text=default_privacy_notice())


def default_privacy_notice() -> str:
    """The notice a clinic starts with: what it keeps, why, who sees it, and the client's rights,
    in plain words (the owner adapts it to the clinic and its state's law)."""
    clinic = settings.CLINIC_NAME
    return (
        f"{clinic} keeps your health information to care for you safely: your answers to the "
        "health questionnaire, your session notes, the measures of how you are doing, and "
        "letters to and from your doctor.\n\n"
        "Who sees it. Only the people who treat you, the owner of the clinic, and the front "
        "desk for your contact details and appointments. We share it with your doctor when "
        "you ask us to, or when your safety needs it (for example, when we ask your doctor "
        "whether massage is safe for you).\n\n"
        "How it is kept. Every time someone reads or changes your record, it is written down, "
        "and the clinic can see who it was. Your documents are stored encrypted.\n\n"
        "Your rights. You can ask to see your record, to have a copy, or to correct something "
        "that is wrong. Ask at the front desk, or write to us.\n\n"
        "Questions. Ask any of us, or call the clinic."
    )
