"""Fixtures of the field app's browser tests."""

from __future__ import annotations

from typing import Any

import pytest

from xieguan.field.tests.journey import controlled
from xieguan.inspections.tests.factories import load_templates


@pytest.fixture
def field_phone(live_server, personas, phone, login_page) -> Any:
    """A phone that was online once: logged in, the worker in control."""
    load_templates()
    login_page(phone, "xieguan")
    controlled(phone)
    return phone
