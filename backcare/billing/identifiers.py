"""The identifiers a superbill prints, checked as the owner types them: a National Provider
Identifier, an employer identification number (the clinic's tax ID) and ICD-10-CM diagnosis
codes. Pure: no Django.

Sources: the NPI's check digit is the Luhn formula over the number prefixed with 80840 (CMS,
"Requirements for National Provider Identifier Check Digit", 2004); an EIN is nine digits,
written NN-NNNNNNN (IRS); an ICD-10-CM code is a letter, two characters, and up to four more
after a point (CDC/NCHS, ICD-10-CM Official Guidelines).
"""

from __future__ import annotations

import re

_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
MAX_DIAGNOSIS_CODES = 12


class IdentifierError(ValueError):
    """What is wrong with one identifier, in words for the owner."""


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            value -= 9 if value > 9 else 0
        total += value
    return total % 10 == 0


def npi_with_check_digit(first_nine: str) -> str:
    """The ten-digit NPI that begins with ``first_nine`` (for the demo clinic and tests)."""
    for last in "0123456789":
        if _luhn_ok("80840" + first_nine + last):
            return first_nine + last
    raise AssertionError("a Luhn check digit always exists")  # pragma: no cover


def clean_npi(text: str) -> str:
    """Ten digits whose last is the check digit; empty stays empty."""
    npi = re.sub(r"[\s-]", "", text)
    if not npi:
        return ""
    if not (npi.isascii() and npi.isdigit() and len(npi) == 10):
        raise IdentifierError("An NPI is ten digits.")
    if not _luhn_ok("80840" + npi):
        raise IdentifierError("This NPI's last digit does not check out: please look at it again.")
    return npi


def clean_ein(text: str) -> str:
    """Nine digits, written NN-NNNNNNN; empty stays empty."""
    digits = re.sub(r"[\s-]", "", text)
    if not digits:
        return ""
    if not (digits.isascii() and digits.isdigit() and len(digits) == 9):
        raise IdentifierError("A tax ID (EIN) is nine digits, written 12-3456789.")
    return f"{digits[:2]}-{digits[2:]}"


def clean_diagnosis_codes(text: str) -> tuple[str, ...]:
    """Codes separated by commas (or spaces), upper case, each once, in the order typed."""
    codes: list[str] = []
    for part in re.split(r"[,;\s]+", text.strip()):
        if not part:
            continue
        code = part.upper()
        if not _ICD10.match(code):
            raise IdentifierError(
                f"“{part}” is not an ICD-10-CM code (a letter, two characters, then a point "
                "and up to four more, as M54.50)."
            )
        if code not in codes:
            codes.append(code)
    if not codes:
        raise IdentifierError("Enter at least one diagnosis code, for example M54.50.")
    if len(codes) > MAX_DIAGNOSIS_CODES:
        raise IdentifierError(f"A superbill lists at most {MAX_DIAGNOSIS_CODES} codes.")
    return tuple(codes)
