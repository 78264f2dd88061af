from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from xieguan.funding.forms import MAX_AMOUNT, clean_money


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12000", Decimal("12000.00")),
        ("12,000.50", Decimal("12000.50")),
        ("１２０００", Decimal("12000.00")),
        ("12000元", Decimal("12000.00")),
        ("￥3,600", Decimal("3600.00")),
        (" 0.01 ", Decimal("0.01")),
        (Decimal("5.5"), Decimal("5.50")),
    ],
)
def test_what_people_type(typed, expected):
    assert clean_money(typed) == expected
    assert clean_money(typed).as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请填写金额。"),
        ("一万", "无法识别"),
        ("0", "金额必须大于 0 元。"),
        ("-5", "金额必须大于 0 元。"),
        ("1.005", "金额最多保留两位小数（到分）。"),
        ("1000000000000", "金额过大"),
        ("NaN", "金额无效"),
        ("Infinity", "金额无效"),
    ],
)
def test_refusals_are_plain_chinese(typed, message):
    with pytest.raises(ValidationError) as info:
        clean_money(typed)
    assert message in info.value.messages[0]


def test_a_float_is_a_programming_error():
    with pytest.raises(TypeError):
        clean_money(0.1)


@given(st.decimals(min_value=Decimal("0.01"), max_value=MAX_AMOUNT, places=2))
def test_every_amount_in_fen_round_trips_exactly(amount):
    assert clean_money(f"{amount:,}") == amount
    assert clean_money(str(amount)) == amount


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_sums_are_exact(a, b):
    # 0.1 + 0.2 is 0.3 in fen: no binary floating point anywhere.
    x, y = clean_money(f"{a / 100:.2f}"), clean_money(f"{b / 100:.2f}")
    assert (x + y) * 100 == a + b
