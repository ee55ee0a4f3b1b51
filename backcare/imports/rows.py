"""Reading another practice system's CSV export, row by row, through a column mapping.

Plain Python: no Django, no database, no clock. A mapping (``mappings/<system>.toml``) names,
for each Backcare field, the export's column (or columns, joined); :func:`load_mapping` reads
and checks one. :func:`client_rows` and :func:`appointment_rows` turn the file's text into one
record per row, each with the errors found in it: the row's number as a spreadsheet shows it
(the header is row 1), the field, and a message in words.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

MAPPINGS_DIR = Path(__file__).parent / "mappings"
Kind = Literal["clients", "appointments"]

CLIENT_FIELDS: dict[str, int] = {  # field: longest value Backcare keeps
    "first_name": 80,
    "last_name": 80,
    "date_of_birth": 0,
    "email": 254,
    "phone": 30,
    "address": 250,
    "emergency_contact_name": 120,
    "emergency_contact_phone": 30,
    "physician_name": 120,
    "physician_practice": 160,
    "physician_phone": 30,
    "physician_email": 254,
    "consent_treatment": 0,
    "consent_privacy": 0,
    "consent_messages": 0,
}
CONSENT_FIELDS = {
    "consent_treatment": "treatment",
    "consent_privacy": "privacy",
    "consent_messages": "messages",
}
APPOINTMENT_FIELDS = frozenset(
    {
        "client_email",
        "client_first_name",
        "client_last_name",
        "client_date_of_birth",
        "starts",
        "service",
        "therapist",
        "location",
        "status",
        "notes",
    }
)
REQUIRED: dict[Kind, tuple[str, ...]] = {
    "clients": ("first_name", "last_name", "date_of_birth"),
    "appointments": ("starts", "service", "therapist", "location"),
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EARLIEST_BIRTH = dt.date(1900, 1, 1)


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class ColumnMapping:
    system: str
    name: str
    date_formats: tuple[str, ...]
    datetime_formats: tuple[str, ...]
    true_values: frozenset[str]
    clients: dict[str, tuple[str, ...]]
    appointments: dict[str, tuple[str, ...]]
    booked_statuses: frozenset[str]


def systems() -> list[str]:
    """The systems a mapping ships for, e.g. ``["clinicsense", "jane"]``."""
    return sorted(path.stem for path in MAPPINGS_DIR.glob("*.toml"))


def _columns(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str) and value.strip():
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise MappingError(f"{where}: name a column, or a list of columns")


def load_mapping(system_or_path: str | Path) -> ColumnMapping:
    """The mapping of a shipped system (``"jane"``) or of a TOML file, checked."""
    path = Path(system_or_path)
    if path.suffix != ".toml":
        path = MAPPINGS_DIR / f"{system_or_path}.toml"
        if not path.is_file():
            raise MappingError(
                f"There is no mapping for “{system_or_path}”: choose one of {', '.join(systems())}."
            )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise MappingError(f"{path.name}: {error}") from None
    sections: dict[str, dict[str, tuple[str, ...]]] = {}
    for kind, known in (("clients", set(CLIENT_FIELDS)), ("appointments", APPOINTMENT_FIELDS)):
        raw = dict(data.get(kind, {}))
        raw.pop("booked_statuses", None)
        unknown = sorted(set(raw) - known)
        if unknown:
            raise MappingError(f"{path.name} [{kind}]: unknown fields {', '.join(unknown)}")
        missing = [name for name in REQUIRED[kind] if name not in raw]  # type: ignore[index]
        if missing:
            raise MappingError(f"{path.name} [{kind}]: map {', '.join(missing)}")
        sections[kind] = {
            name: _columns(v, f"{path.name} [{kind}] {name}") for name, v in raw.items()
        }
    return ColumnMapping(
        system=str(data.get("system", path.stem)),
        name=str(data.get("name", path.stem)),
        date_formats=tuple(data.get("date_formats", ["%Y-%m-%d"])),
        datetime_formats=tuple(data.get("datetime_formats", ["%Y-%m-%d %H:%M"])),
        true_values=frozenset(v.lower() for v in data.get("true_values", ["yes", "true", "1"])),
        clients=sections["clients"],
        appointments=sections["appointments"],
        booked_statuses=frozenset(
            v.lower() for v in data.get("appointments", {}).get("booked_statuses", ["booked"])
        ),
    )


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class ClientRecord:
    """One row of a client export: the client's fields, and the consents given (with the day,
    when the export has one)."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
    consents: dict[str, dt.date | None] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class AppointmentRecord:
    """One row of an appointment export: who, what, with whom, where and when (local time of
    the location, which the importer applies)."""

    row: int
    client_email: str = ""
    client_first_name: str = ""
    client_last_name: str = ""
    client_date_of_birth: dt.date | None = None
    starts: dt.datetime | None = None  # naive: the location's wall-clock time
    service: str = ""
    therapist: str = ""
    location: str = ""
    status: str = ""
    notes: str = ""
    booked: bool = True
    errors: list[RowError] = field(default_factory=list)


class FileError(ValueError):
    """The file itself cannot be read (not UTF-8 text, no header, missing columns)."""


def _reader(
    text: str, columns: Mapping[str, tuple[str, ...]]
) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        raise FileError("The file is empty: it needs a header row with the export's columns.")
    reader.fieldnames = header
    wanted = {column for names in columns.values() for column in names}
    if not wanted & set(header):
        raise FileError(
            "None of the expected columns is in the file's header. Is this the right export, "
            f"and the right system? Expected columns such as: {', '.join(sorted(wanted)[:6])}."
        )
    for number, raw in enumerate(reader, start=2):
        yield number, {key: (value or "").strip() for key, value in raw.items() if key}


def _value(raw: Mapping[str, str], columns: tuple[str, ...]) -> str:
    return ", ".join(raw[c] for c in columns if raw.get(c, "").strip())


def parse_date(text: str, formats: tuple[str, ...]) -> dt.date | None:
    for form in formats:
        try:
            return dt.datetime.strptime(text, form).date()  # noqa: DTZ007 (a day, no zone)
        except ValueError:
            continue
    return None


def parse_wall_time(text: str, formats: tuple[str, ...]) -> dt.datetime | None:
    for form in formats:
        try:
            return dt.datetime.strptime(text, form)  # noqa: DTZ007 (the location's wall clock)
        except ValueError:
            continue
    return None


def client_rows(text: str, mapping: ColumnMapping, *, today: dt.date) -> Iterator[ClientRecord]:
    """Each row of a client export, checked: names, a date of birth, the lengths Backcare keeps,
    an email address's form, and the consents."""
    for number, raw in _reader(text, mapping.clients):
        record = ClientRecord(number)
        for name, columns in mapping.clients.items():
            value = _value(raw, columns)
            if name in CONSENT_FIELDS:
                if value:
                    day = parse_date(value, mapping.date_formats)
                    if day is not None or value.lower() in mapping.true_values:
                        record.consents[CONSENT_FIELDS[name]] = day
                continue
            if name == "date_of_birth":
                continue
            limit = CLIENT_FIELDS[name]
            if len(value) > limit:
                record.errors.append(
                    RowError(number, name, f"Too long: at most {limit} characters.")
                )
                continue
            if name.endswith("email") and value and not _EMAIL.match(value):
                record.errors.append(RowError(number, name, f"“{value}” is not an email address."))
                continue
            record.values[name] = value.lower() if name.endswith("email") else value
        for name in ("first_name", "last_name"):
            if not record.values.get(name) and not any(e.field == name for e in record.errors):
                record.errors.append(RowError(number, name, "This is required."))
        born_text = _value(raw, mapping.clients["date_of_birth"])
        born = parse_date(born_text, mapping.date_formats)
        if not born_text:
            record.errors.append(RowError(number, "date_of_birth", "This is required."))
        elif born is None:
            record.errors.append(
                RowError(number, "date_of_birth", f"“{born_text}” is not a date we can read.")
            )
        elif not EARLIEST_BIRTH <= born < today:
            record.errors.append(
                RowError(number, "date_of_birth", f"{born.isoformat()} is not a possible birthday.")
            )
        else:
            record.values["date_of_birth"] = born
        yield record


def appointment_rows(text: str, mapping: ColumnMapping) -> Iterator[AppointmentRecord]:
    """Each row of an appointment export, read: who (an email, or a name and date of birth),
    the service, therapist and location by name, the start as the location's wall-clock time,
    and whether it is still booked."""
    columns = mapping.appointments
    for number, raw in _reader(text, columns):

        def get(name: str, raw: dict[str, str] = raw) -> str:
            return _value(raw, columns[name]) if name in columns else ""

        record = AppointmentRecord(
            number,
            client_email=get("client_email").lower(),
            client_first_name=get("client_first_name"),
            client_last_name=get("client_last_name"),
            service=get("service"),
            therapist=get("therapist"),
            location=get("location"),
            status=get("status"),
            notes=get("notes")[:2000],
        )
        record.booked = not record.status or record.status.lower() in mapping.booked_statuses
        for name in ("service", "therapist", "location"):
            if not getattr(record, name):
                record.errors.append(RowError(number, name, "This is required."))
        starts_text = " ".join(raw.get(c, "") for c in columns["starts"]).strip()
        record.starts = parse_wall_time(starts_text, mapping.datetime_formats)
        if record.starts is None:
            record.errors.append(
                RowError(number, "starts", f"“{starts_text}” is not a date and time we can read.")
            )
        born_text = get("client_date_of_birth")
        if born_text:
            record.client_date_of_birth = parse_date(born_text, mapping.date_formats)
        if not record.client_email and not (
            record.client_first_name and record.client_last_name and record.client_date_of_birth
        ):
            record.errors.append(
                RowError(
                    number,
                    "client",
                    "Name the client by email, or by first name, last name and date of birth.",
                )
            )
        yield record
