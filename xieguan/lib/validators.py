"""Validators of what people type: credit codes, ID numbers, phone numbers, control characters.

Each ``clean_*`` function returns the normalised value or raises a ValidationError with a
plain Chinese message; forms, imports and the API all call these, so the rules are one.
"""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from xieguan.lib.text import fold
from xieguan.lib.xlsx import NOT_XML

# Chinese landlines: area code (3-4 digits incl. leading 0) + 7-8 digit subscriber number.
# phonenumbers accepts some shorter numbers, so the national number length is checked too.
MIN_LANDLINE_NATIONAL_DIGITS = 9  # e.g. 858 + 123456? is too short; 10 digits is the norm
MOBILE_DIGITS = 11


CONTROL_CHARACTERS = "含有看不见的控制字符（多为从别处复制带来），请删去后再保存。"


def refuse_control_characters(value: str) -> str:
    """``value`` unchanged, or a ValidationError if it holds a character no .xlsx or .docx can
    hold (a control character pasted with the text, ``xlsx.NOT_XML``): the exports would show it
    as a mark (U+0007 → ␇), and the ledger's export imported back would change the text."""
    if NOT_XML.search(value):
        raise ValidationError(CONTROL_CHARACTERS, code="control_characters")
    return value


def clean_credit_code(value: str | None) -> str | None:
    """统一社会信用代码 (GB 32100-2015): 18 characters with check digit; empty is None."""
    text = fold(value).upper().replace(" ", "").replace("-", "")
    if not text:
        return None
    try:
        return str(uscc.validate(text))
    except InvalidLength as exc:
        raise ValidationError(
            f"统一社会信用代码应为 18 位，现为 {len(text)} 位。", code="uscc_length"
        ) from exc
    except (InvalidFormat, InvalidComponent) as exc:
        raise ValidationError(
            "统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）。", code="uscc_format"
        ) from exc
    except InvalidChecksum as exc:
        raise ValidationError("统一社会信用代码校验位不对，请核对每一位。", code="uscc_checksum") from exc


def clean_id_number(value: str | None) -> str:
    """居民身份证号码 (GB 11643-1999): 18 characters, birth date and check digit valid."""
    text = fold(value).upper().replace(" ", "")
    if not text:
        raise ValidationError("请填写身份证号。", code="ric_required")
    try:
        return str(ric.validate(text))
    except InvalidLength as exc:
        raise ValidationError(f"身份证号应为 18 位，现为 {len(text)} 位。", code="ric_length") from exc
    except InvalidChecksum as exc:
        raise ValidationError("身份证号校验位不对，请核对每一位。", code="ric_checksum") from exc
    except (InvalidFormat, InvalidComponent) as exc:
        raise ValidationError("身份证号格式不对（出生日期或字符无效）。", code="ric_format") from exc


def mask_id_number(value: str) -> str:
    """5201**********1236: the first four and last four characters only."""
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def clean_phone(value: str | None) -> str:
    """A Chinese mobile or landline number, returned as 13800000000 or 0858-1234567; empty is ''."""
    text = fold(value).replace(" ", "")
    if not text:
        return ""
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("+86"):
        digits = digits[2:]
    try:
        number = phonenumbers.parse(
            digits if digits.startswith("0") or len(digits) == 11 else "0" + digits, "CN"
        )
    except phonenumbers.NumberParseException as exc:
        raise ValidationError("电话号码格式不对。", code="phone_format") from exc
    national = str(number.national_number)
    if len(national) == MOBILE_DIGITS and national.startswith("1"):
        if not phonenumbers.is_valid_number(number):
            raise ValidationError("手机号码无效，请核对（11 位，以 1 开头）。", code="phone_mobile")
        return national
    if len(national) < MIN_LANDLINE_NATIONAL_DIGITS or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "电话号码无效：手机为 11 位；固定电话需带区号，如 0858-1234567。", code="phone_landline"
        )
    area_len = (
        2
        if national[:1] == "1" or national[:2] in {"20", "21", "22", "23", "24", "25", "27", "28", "29"}
        else 3
    )
    return f"0{national[:area_len]}-{national[area_len:]}"
