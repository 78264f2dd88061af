"""Records name their time in China's local time (Asia/Shanghai), as every page shows it: a
``__str__`` (the admin's lists, logs) used to print the stored UTC time, eight hours behind."""

import datetime as dt

import pytest

from xieguan.accounts.models import AccountEvent, LoginSession, User
from xieguan.audit.models import AccessLog
from xieguan.leads.models import LeadEvent

# 20:30 UTC on 1 January is 04:30 on 2 January in Guizhou
AT = dt.datetime(2026, 1, 1, 20, 30, tzinfo=dt.UTC)
LOCAL = "2026-01-02 04:30"


@pytest.mark.parametrize(
    "record",
    [
        LoginSession(user=User(username="zhang"), created_at=AT),
        AccountEvent(kind=AccountEvent.Kind.SIGNED_OUT, at=AT),
        AccessLog(at=AT, username="zhang", kind="export", record="花名册"),
        LeadEvent(kind="reported", at=AT),
    ],
    ids=lambda record: type(record).__name__,
)
def test_str_shows_local_time(record: object) -> None:
    assert LOCAL in str(record) and "2026-01-01" not in str(record)
