from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from xieguan.accounts.models import Role, User

pytestmark = pytest.mark.django_db

GOOD = "Qiannan-2026-secure"


def test_bootstrap_creates_the_province_admin_and_nothing_else(regions: None, monkeypatch: Any) -> None:
    monkeypatch.setenv("XIEGUAN_ADMIN_PASSWORD", GOOD)
    assert not User.objects.exists()
    call_command("bootstrap", "--province", "52", "--admin", "gzadmin")
    [user] = User.objects.all()
    assert (user.username, user.role, user.region_id) == ("gzadmin", Role.PROVINCE_ADMIN, "52")
    assert user.check_password(GOOD)
    assert user.is_staff
    assert user.full_name == "贵州省管理员"


def test_bootstrap_refuses_when_a_province_admin_exists(regions: None, monkeypatch: Any) -> None:
    monkeypatch.setenv("XIEGUAN_ADMIN_PASSWORD", GOOD)
    call_command("bootstrap", "--province", "52", "--admin", "first")
    with pytest.raises(CommandError, match="已有省级管理员（first）"):
        call_command("bootstrap", "--province", "52", "--admin", "second")
    assert User.objects.count() == 1


def test_bootstrap_refuses_unloaded_province_and_weak_password(regions: None, monkeypatch: Any) -> None:
    monkeypatch.setenv("XIEGUAN_ADMIN_PASSWORD", GOOD)
    with pytest.raises(CommandError, match="loadregions --province 53"):
        call_command("bootstrap", "--province", "53", "--admin", "yn")
    monkeypatch.setenv("XIEGUAN_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError):
        call_command("bootstrap", "--province", "52", "--admin", "gz")
    assert not User.objects.exists()


def test_bootstrap_asks_the_password_twice(regions: None, monkeypatch: Any) -> None:
    monkeypatch.delenv("XIEGUAN_ADMIN_PASSWORD", raising=False)
    answers = iter([GOOD, "different-2026-x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="不一致"):
        call_command("bootstrap", "--province", "52", "--admin", "gz")
    answers = iter([GOOD, GOOD])
    call_command("bootstrap", "--province", "52", "--admin", "gz")
    assert User.objects.get().username == "gz"
