"""The shared identifier validators: credit codes (hypothesis), ID numbers and phone numbers."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from xieguan.lib.text import fold
from xieguan.lib.validators import clean_credit_code, clean_id_number, clean_phone, mask_id_number

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# A valid code: 8 digits (registration authority, type, region), 9 characters of the
# organisation code, and the check digit computed by GB 32100's weights.
credit_stems = st.builds(
    lambda digits, body: digits + body,
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)


@st.composite
def valid_credit_codes(draw: st.DrawFn) -> str:
    stem = draw(credit_stems)
    return stem + uscc.calc_check_digit(stem)


@given(valid_credit_codes())
def test_valid_credit_codes_pass_and_are_normalised(code):
    assert clean_credit_code(code) == code
    assert clean_credit_code(f"  {code.lower()} ") == code
    full_width = code.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    assert clean_credit_code(full_width) == code


@given(valid_credit_codes(), st.integers(min_value=0, max_value=17), st.characters(codec="utf-8"))
def test_any_single_character_mutation_fails(code, position, replacement):
    # A replacement that normalises to the same character (full-width, lower case) is no mutation.
    folded = fold(replacement).upper()
    assume(folded != code[position] and folded.strip() and folded not in {"-"})
    mutated = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError):
        clean_credit_code(mutated)


@given(valid_credit_codes(), st.integers(min_value=0, max_value=17), st.sampled_from(USCC_ALPHABET))
def test_mutations_within_the_alphabet_fail_on_the_check_digit(code, position, replacement):
    assume(replacement != code[position])
    with pytest.raises(ValidationError):
        clean_credit_code(code[:position] + replacement + code[position + 1 :])


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("91520281MA6DKXXX", "uscc_length"),
        ("91520281MA6DKIOZ4X", "uscc_format"),
    ],
)
def test_credit_code_messages(value, code):
    with pytest.raises(ValidationError) as caught:
        clean_credit_code(value)
    assert caught.value.code == code


def test_empty_credit_code_is_none():
    assert clean_credit_code("") is None
    assert clean_credit_code("   ") is None
    assert clean_credit_code(None) is None


# --- ID numbers -------------------------------------------------------------------------------

VALID_ID = "11010519491231002X"
BAD_MONTH = "11010519491331002"


def test_id_number_normalised():
    assert ric.is_valid(VALID_ID)
    assert clean_id_number("11010519491231002x") == VALID_ID
    assert clean_id_number("１１０１０５１９４９１２３１００２Ｘ") == VALID_ID
    assert clean_id_number(" 110105 19491231 002X ") == VALID_ID


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "ric_required"),
        ("1101051949123100", "ric_length"),
        ("110105194912310021", "ric_checksum"),
        (BAD_MONTH + ric.calc_check_digit(BAD_MONTH + "0"), "ric_format"),  # month 13, check digit right
    ],
)
def test_id_number_refusals(value, code):
    with pytest.raises(ValidationError) as caught:
        clean_id_number(value)
    assert caught.value.code == code


def test_mask_id_number():
    assert mask_id_number(VALID_ID) == "1101**********002X"
    assert mask_id_number("1234") == "****"


# --- phone numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13908581126", "13908581126"),
        ("139 0858 1126", "13908581126"),
        ("+86 139 0858 1126", "13908581126"),
        ("１３９０８５８１１２６", "13908581126"),  # full-width digits
        ("0858-3621108", "0858-3621108"),
        ("0858 3621108", "0858-3621108"),
        ("08583621108", "0858-3621108"),
        ("8583621108", "0858-3621108"),  # Excel dropped the leading zero
        ("０８５８－３６２１１０８", "0858-3621108"),
        ("010-62345678", "010-62345678"),
        ("", ""),
    ],
)
def test_phone_accepted_and_normalised(value, expected):
    assert clean_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("0858-12345", "phone_landline"),  # too-short landline that phonenumbers would accept
        ("0858-123456", "phone_landline"),
        ("0858-123", "phone_landline"),
        ("12345", "phone_landline"),
        ("10908581126", "phone_mobile"),  # no such mobile prefix
        ("abc", "phone_format"),
    ],
)
def test_phone_refusals(value, code):
    with pytest.raises(ValidationError) as caught:
        clean_phone(value)
    assert caught.value.code == code
