"""The identifiers a superbill prints are checked as typed (no database)."""

from __future__ import annotations

import pytest

from backcare.billing.identifiers import (
    IdentifierError,
    clean_diagnosis_codes,
    clean_ein,
    clean_npi,
    npi_with_check_digit,
)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("1234567893", "1234567893"), (" 1679 576 722 ", "1679576722"), ("", "")],
)
def test_an_npi_with_a_good_check_digit_is_kept(typed: str, kept: str) -> None:
    assert clean_npi(typed) == kept


@pytest.mark.parametrize(
    ("typed", "says"),
    [("1234567890", "does not check out"), ("12345", "ten digits"), ("12345678٩3", "ten digits")],
)
def test_a_wrong_npi_is_refused_with_the_reason(typed: str, says: str) -> None:
    with pytest.raises(IdentifierError, match=says):
        clean_npi(typed)


def test_a_tax_id_is_written_as_the_irs_writes_it() -> None:
    assert clean_ein("123456789") == "12-3456789"
    assert clean_ein("12-3456789") == "12-3456789"
    with pytest.raises(IdentifierError, match="nine digits"):
        clean_ein("12-345")


def test_diagnosis_codes_are_upper_case_each_once_in_the_order_typed() -> None:
    assert clean_diagnosis_codes("m54.50, M54.16;M54.50 g89.29") == ("M54.50", "M54.16", "G89.29")


@pytest.mark.parametrize(
    ("typed", "says"),
    [("back pain", "not an ICD-10-CM code"), ("", "at least one"), ("M54.5000001", "M54.5000001")],
)
def test_a_wrong_diagnosis_code_is_refused_naming_it(typed: str, says: str) -> None:
    with pytest.raises(IdentifierError, match=says):
        clean_diagnosis_codes(typed)


def test_the_check_digit_made_for_an_npi_is_the_one_checked() -> None:
    assert npi_with_check_digit("123456789") == "1234567893"
    assert clean_npi(npi_with_check_digit("198765432")) == npi_with_check_digit("198765432")
