"""Test helpers shared by every app: factories for the core models and named personas.

Personas (one per role and region, two counties of 六盘水市 apart):

=========== ================= ====================================
name        role              region
=========== ================= ====================================
sheng       province admin    贵州省 52
lps         prefecture viewer 六盘水市 5202
panzhou     county admin      盘州市 520281
jiandu      officer           盘州市 520281
xieguan     assistant         盘州市柏果镇 520281117
liuzhi      county admin      六枝特区 520203 (another county)
jiandu2     officer           六枝特区 520203
xieguan2    assistant         六枝特区岩脚镇 520203102
=========== ================= ====================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import factory
from django.utils import timezone

from xieguan.accounts.models import Agency, Role, User
from xieguan.employers.models import Employer, Industry, OperatingStatus
from xieguan.lib.text import name_key
from xieguan.regions.models import Region

PASSWORD = "correct-horse-9"  # noqa: S105

PROVINCE = "52"
PREFECTURE = "5202"
COUNTY = "520281"  # 盘州市
TOWNSHIP = "520281117"  # 柏果镇
VILLAGE = "520281117001"
OTHER_COUNTY = "520203"  # 六枝特区
OTHER_TOWNSHIP = "520203102"  # 岩脚镇


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.ASSISTANT
    region_id = TOWNSHIP

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name", "kind", "region_id")

    name = factory.Sequence(lambda n: f"卫生健康综合监督执法大队{n}")
    kind = Agency.Kind.SUPERVISION
    region_id = COUNTY


class EmployerFactory(factory.django.DjangoModelFactory):
    """A fully registered employer (call employers.actions for the derived fields in real code)."""

    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"贵州测试矿业有限公司{n}")
    name_key = factory.LazyAttribute(lambda o: name_key(o.name))
    address = "盘州市柏果镇测试路1号"
    legal_representative = "张三"
    phone = "13800000000"
    region_id = VILLAGE
    township_id = factory.LazyAttribute(lambda o: o.region_id[:9])
    industry = Industry.COAL
    status = OperatingStatus.OPERATING
    workers = 100
    exposed_workers = 40
    registered = True
    is_key = True
    # as employers.actions keeps it: a closed employer has its closing date (here, the day it
    # was created unless a test gives one)
    closed_on = factory.LazyAttribute(
        lambda o: (
            timezone.localdate(o.created_at if o.created_at is not None else timezone.now())
            if o.status == OperatingStatus.CLOSED
            else None
        )
    )
    created_at = factory.LazyFunction(timezone.now)


@dataclass
class Personas:
    sheng: User
    lps: User
    panzhou: User
    jiandu: User
    xieguan: User
    liuzhi: User
    jiandu2: User
    xieguan2: User

    def all(self) -> list[User]:
        return list(self.__dict__.values())


def make_personas() -> Personas:
    sup = AgencyFactory(name="盘州市卫生健康综合监督执法大队", region_id=COUNTY)
    sup2 = AgencyFactory(name="六枝特区卫生健康综合监督执法大队", region_id=OTHER_COUNTY)
    spec: dict[str, dict[str, Any]] = {
        "sheng": {"role": Role.PROVINCE_ADMIN, "region_id": PROVINCE, "is_staff": True},
        "lps": {"role": Role.PREFECTURE_VIEWER, "region_id": PREFECTURE},
        "panzhou": {"role": Role.COUNTY_ADMIN, "region_id": COUNTY},
        "jiandu": {"role": Role.OFFICER, "region_id": COUNTY, "agency": sup},
        "xieguan": {"role": Role.ASSISTANT, "region_id": TOWNSHIP},
        "liuzhi": {"role": Role.COUNTY_ADMIN, "region_id": OTHER_COUNTY},
        "jiandu2": {"role": Role.OFFICER, "region_id": OTHER_COUNTY, "agency": sup2},
        "xieguan2": {"role": Role.ASSISTANT, "region_id": OTHER_TOWNSHIP},
    }
    users: dict[str, Any] = {
        name: UserFactory.create(username=name, full_name=name, **attrs) for name, attrs in spec.items()
    }
    return Personas(**users)


def ensure_regions() -> None:
    """Load the Guizhou tree if the test database does not have it (after a flush)."""
    if not Region.objects.filter(code=PROVINCE).exists():
        from xieguan.regions.loader import load_province

        load_province(PROVINCE)


@dataclass
class Race:
    """What an action did while another session held uncommitted writes (``while_uncommitted``)."""

    waited: bool  # still running when the other session committed: it waited for its locks
    errors: list[BaseException]  # what the action raised, if anything


def while_uncommitted(statements: list[tuple[str, list[Any]]], action: Any, *, settle: float = 1.0) -> Race:
    """Two writers at once (PostgreSQL; tests marked ``postgresql`` with a transactional
    database): run ``statements`` in a second session without committing (another request in
    the middle of its transaction), start ``action`` in a thread with its own connection, give it
    ``settle`` seconds, note whether it is still waiting, then commit the second session and let
    the action finish."""
    import threading
    import time

    import psycopg
    from django.db import connection, connections

    db = connection.settings_dict
    other = psycopg.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            action()
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    try:
        with other.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
        worker = threading.Thread(target=run)
        worker.start()
        time.sleep(settle)
        waited = worker.is_alive()
        other.commit()
        worker.join(20)
        assert not worker.is_alive(), "the action did not finish after the other session committed"
    finally:
        other.close()
    return Race(waited=waited, errors=errors)
