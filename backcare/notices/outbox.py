"""The one way Backcare sends email: :func:`send_notice` writes it to the outbox.

Each email is a :class:`~backcare.notices.models.Notice` row with a unique key, written in the
same transaction as the change it tells about, and queued for the worker (``backcare worker``)
once that commits. An attachment slow to make (a PDF) is not made in the request that asks for
the email: the row names it (:class:`Prepared`) and the sender makes it before the first try, by
the maker its app registered (:func:`attachment_maker`). The sender claims the row, sends, and
records the time: an email is sent at least once (a failure or a dead worker leaves it unsent;
``backcare send_pending_notices`` tries again with a growing delay, and after
``EMAIL_MAX_ATTEMPTS`` tries the email is marked undeliverable and listed for the owner) and
never twice (one row per key, one sender per claim) — except in one window, said at
:func:`deliver_pending`.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from backcare.notices.models import Notice

logger = logging.getLogger(__name__)

Attachment = tuple[str, bytes, str]  # (file name, content, MIME type)


@dataclass(frozen=True)
class Prepared:
    """An attachment whose content the sender makes, not the request (a PDF is slow to make).
    Its ``name`` and ``mimetype`` are known now; ``maker`` names a function registered with
    :func:`attachment_maker` by the app that owns the data, and ``args`` (JSON values: ids, ISO
    dates) are how it finds that data. The content is made once, before the first try, and kept
    in the outbox row, so every try sends the same file."""

    name: str
    mimetype: str
    maker: str
    args: dict[str, Any]


Maker = Callable[..., bytes]
_M = TypeVar("_M", bound=Maker)
_MAKERS: dict[str, Maker] = {}


def attachment_maker(name: str) -> Callable[[_M], _M]:
    """Register the function that makes the content of the attachments named ``name`` from
    their ``args`` (keyword arguments). The registering module must be imported when Django
    starts (its app's ``AppConfig.ready``), so the worker knows it too."""

    def register(maker: _M) -> _M:
        if _MAKERS.setdefault(name, maker) is not maker:
            raise ValueError(f"Two attachment makers are named {name!r}.")
        return maker

    return register


def _stored(attachment: Attachment | Prepared) -> list[Any]:
    """How an attachment is kept in the outbox row: ``[name, base64 content, MIME type]``, or,
    while its content is still to make, ``[name, None, MIME type, {"maker": …, "args": …}]``."""
    if isinstance(attachment, Prepared):
        if attachment.maker not in _MAKERS:
            raise ValueError(f"No attachment maker is registered as {attachment.maker!r}.")
        try:
            json.dumps(attachment.args)
        except TypeError as error:
            raise TypeError(f"A prepared attachment's args must be JSON values: {error}") from None
        recipe = {"maker": attachment.maker, "args": attachment.args}
        return [attachment.name, None, attachment.mimetype, recipe]
    name, content, mimetype = attachment
    return [name, base64.b64encode(content).decode("ascii"), mimetype]


def _made(notice: Notice) -> list[Attachment]:
    """The email's attachments, making the content still to make (and keeping it in the row,
    so a later try sends the same file)."""
    made: list[Attachment] = []
    for name, content, mimetype, *recipe in notice.attachments:
        if content is None:
            (wanted,) = recipe
            made.append((name, _MAKERS[wanted["maker"]](**wanted["args"]), mimetype))
        else:
            made.append((name, base64.b64decode(content), mimetype))
    if any(item[1] is None for item in notice.attachments):
        Notice.objects.filter(pk=notice.pk).update(
            attachments=[_stored(attachment) for attachment in made]
        )
    return made


def send_notice(
    *,
    key: str | None,
    to: list[str],
    subject: str,
    template: str,
    context: dict[str, Any],
    attachments: Sequence[Attachment | Prepared] = (),
    kind: str | None = None,
    appointment_id: int | None = None,
    reply_to: list[str] | None = None,
) -> str:
    """Send an email from the background worker once the current transaction commits.

    - ``key`` makes the email idempotent: an email whose key was already used is never sent
      again, even when this is called twice, the task runs twice, or two workers race. Build it
      from what makes the email unique (``f"screening-alert-{screening.pk}"``). ``None`` means
      "always a new email" and a random key is used.
    - ``to`` is a non-empty list of addresses.
    - ``template`` names a template without its extension: ``notices/appointment_booked``
      renders ``notices/appointment_booked.txt`` (required, wrap it in ``{% autoescape off %}``)
      and ``….html`` if it exists (sent as the HTML alternative).
    - ``context`` is the template's context. It travels through the database, so it must hold
      JSON values only (strings, numbers, booleans, lists, dicts, None): format dates and money
      into text before calling. Anything else is refused here with :class:`TypeError`.
    - ``attachments`` are ``(file name, content bytes, MIME type)``, or :class:`Prepared`: made
      by the sender, for a file too slow to make inside a request (a PDF).
    - ``reply_to`` defaults to the clinic's address (``CLINIC_EMAIL``) when there is one.
    - ``kind`` is recorded on the Notice for the people reading the log (default: the template's
      last path part); ``appointment_id`` too, when the email is about an appointment.

    Nothing is sent if the transaction rolls back. Returns the key.
    """
    if not to or not all(isinstance(address, str) and "@" in address for address in to):
        raise ValueError(f"send_notice needs a list of email addresses, not {to!r}.")
    try:
        json.dumps(context)
    except TypeError as error:
        raise TypeError(f"send_notice's context must hold JSON values only: {error}") from None
    key = key or f"notice-{uuid.uuid4()}"
    notice = record_notice(
        key=key,
        kind=kind or template.rsplit("/", 1)[-1],
        to=to,
        subject=subject,
        template=template,
        context=context,
        attachments=attachments,
        appointment_id=appointment_id,
        reply_to=reply_to if reply_to is not None else clinic_reply_to(),
    )
    if notice.sent_at is None:
        transaction.on_commit(lambda: deliver_notice.enqueue(key=key), robust=True)
    return key


def record_notice(
    *,
    key: str,
    kind: str,
    to: list[str],
    subject: str,
    template: str,
    context: dict[str, Any],
    attachments: Sequence[Attachment | Prepared] = (),
    appointment_id: int | None = None,
    reply_to: list[str] | None = None,
) -> Notice:
    """The outbox row of ``key``: written now, in the caller's transaction (so a rolled-back
    change sends nothing), or the one already there (so asking twice makes one email)."""
    try:
        with transaction.atomic():
            return Notice.objects.create(
                key=key,
                kind=kind,
                recipient=", ".join(to)[:500],
                appointment_id=appointment_id,
                to=list(to),
                subject=subject,
                template=template,
                context=context,
                attachments=[_stored(attachment) for attachment in attachments],
                reply_to=list(reply_to or []),
            )
    except IntegrityError:
        return Notice.objects.get(key=key)


# A sender holds its claim this long; a sender that died frees the email when it lapses.
CLAIM = dt.timedelta(minutes=10)


def max_attempts() -> int:
    """Tries before an email is marked undeliverable (``EMAIL_MAX_ATTEMPTS``, default 12)."""
    return int(getattr(settings, "EMAIL_MAX_ATTEMPTS", 12))


def _retry_delay(attempts: int) -> dt.timedelta:
    """1, 2, 4 … minutes after each failure, at most six hours."""
    return min(dt.timedelta(minutes=2 ** min(max(0, attempts - 1), 20)), dt.timedelta(hours=6))


def message_id(key: str) -> str:
    """The email's Message-ID, the same for every try of one key: a mail system that receives
    a second copy (the sender died after the server took the first) can tell it is one email."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "backcare.local"
    return f"<{digest}@{domain}>"


def _sendable() -> Q:
    return Q(sent_at__isnull=True, undeliverable_at__isnull=True)


def _unclaimed(now: dt.datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def deliver_pending(key: str, *, now: dt.datetime | None = None) -> bool:
    """Claim the unsent email ``key`` and send it. True when it went out; False when it was
    sent already, someone else holds it, it is undeliverable, or sending failed (it is then
    tried again later, or marked undeliverable after ``EMAIL_MAX_ATTEMPTS`` tries).

    Each step is its own commit, so a sender killed at any point loses nothing: killed before
    its claim commits, the email is untouched; after, the claim lapses (``CLAIM``) and
    ``send_pending`` sends it. The one window with a possible second copy is a kill after the
    mail server took the email and before ``sent_at`` is written; the copies share their
    Message-ID (:func:`message_id`)."""
    now = now or timezone.now()
    claimed = (
        Notice.objects.filter(_sendable(), key=key)
        .filter(_unclaimed(now))
        .filter(attempts__lt=max_attempts())
        .update(claimed_until=now + CLAIM, attempts=F("attempts") + 1)
    )
    if not claimed:
        logger.info("Notice %s was already sent or is being sent; not sending it again.", key)
        return False
    notice = Notice.objects.get(key=key)
    try:
        attachments = _made(notice)
        message = EmailMultiAlternatives(
            subject=notice.subject,
            body=render_to_string(f"{notice.template}.txt", notice.context),
            to=list(notice.to),
            reply_to=list(notice.reply_to) or None,
            headers={"Message-ID": message_id(key)},
        )
        with contextlib.suppress(TemplateDoesNotExist):  # the HTML version is optional
            message.attach_alternative(
                render_to_string(f"{notice.template}.html", notice.context), "text/html"
            )
        for name, content, mimetype in attachments:
            message.attach(name, content, mimetype)
        message.send()
    except Exception as error:
        limit = max_attempts()
        given_up = notice.attempts >= limit
        Notice.objects.filter(pk=notice.pk).update(
            claimed_until=None,
            next_attempt_at=now + _retry_delay(notice.attempts),
            last_error=f"{type(error).__name__}: {error}"[:500],
            undeliverable_at=now if given_up else None,
        )
        if given_up:
            logger.error(
                "Notice %s is undeliverable after %s tries: %s", key, notice.attempts, error
            )
        else:
            logger.warning("Notice %s could not be sent (try %s): %s", key, notice.attempts, error)
        return False
    Notice.objects.filter(pk=notice.pk).update(
        sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return True


@task()
def deliver_notice(*, key: str, **legacy: Any) -> bool:
    """The queued half of :func:`send_notice`: send the recorded email ``key``. Tasks queued
    before the outbox held the email carry it themselves (``legacy``): it is recorded first."""
    if legacy and not Notice.objects.filter(key=key).exists():
        record_notice(
            key=key,
            kind=legacy["kind"],
            to=legacy["to"],
            subject=legacy["subject"],
            template=legacy["template"],
            context=legacy["context"],
            attachments=[
                (name, base64.b64decode(content), mimetype)
                for name, content, mimetype in legacy.get("attachments") or []
            ],
            appointment_id=legacy.get("appointment_id"),
            reply_to=legacy.get("reply_to"),
        )
    return deliver_pending(key)


def send_pending(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """The safety net (``backcare send_pending_notices``, from cron): send every email that is
    due and unsent — its sender failed, or died holding a claim that has lapsed. An email whose
    last allowed try died mid-way is marked undeliverable. Returns how many went out and how
    many are still waiting."""
    now = now or timezone.now()
    gave_up = (
        Notice.objects.filter(_sendable(), _unclaimed(now), attempts__gte=max_attempts())
        .exclude(template="")
        .update(
            undeliverable_at=now,
            claimed_until=None,
            last_error=Coalesce(NullIf("last_error", Value("")), Value(INTERRUPTED)),
        )
    )
    if gave_up:
        logger.error("%s emails are undeliverable after %s tries.", gave_up, max_attempts())
    due = list(
        Notice.objects.filter(_sendable(), _unclaimed(now), next_attempt_at__lte=now)
        .exclude(template="")
        .filter(attempts__lt=max_attempts())
        .order_by("created_at")
        .values_list("key", flat=True)
    )
    sent = sum(1 for key in due if deliver_pending(key, now=now))
    return sent, len(due) - sent


INTERRUPTED = "The sender stopped before it could record the email as sent."


def undeliverable() -> QuerySet[Notice]:
    """Emails that Backcare gave up sending, newest first: for the owner to try again."""
    return Notice.objects.filter(sent_at__isnull=True, undeliverable_at__isnull=False).order_by(
        "-undeliverable_at", "-pk"
    )


def retry_notice(notice: Notice, *, now: dt.datetime | None = None) -> bool:
    """Give an undeliverable email a fresh set of tries, starting now (the worker sends it once
    the caller's transaction commits). False when it was not undeliverable (already sent, or
    someone else asked first): nothing changes."""
    now = now or timezone.now()
    reset = Notice.objects.filter(
        pk=notice.pk, sent_at__isnull=True, undeliverable_at__isnull=False
    ).update(undeliverable_at=None, attempts=0, next_attempt_at=now, claimed_until=None)
    if reset:
        key = notice.key
        transaction.on_commit(lambda: deliver_notice.enqueue(key=key), robust=True)
    return bool(reset)


def clinic_reply_to() -> list[str]:
    return [settings.CLINIC_EMAIL] if settings.CLINIC_EMAIL else []
