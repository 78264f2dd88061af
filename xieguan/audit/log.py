"""Record an access to personal data: who, when, what record, from where (the one entry point).

    from xieguan.audit.log import record
    record(request, Kind.COMPLAINANT, region_id=complaint.region_id, record=f"线索 #{lead.pk}")

``request`` gives the user and the client address (lib/clientip.py); the command writing
retention rows passes ``request=None``.
"""

from __future__ import annotations

from typing import Any

from xieguan.audit.models import AccessLog, Kind
from xieguan.lib.clientip import client_ip


def record(request: Any, kind: Kind, *, region_id: str, record: str, detail: str = "") -> AccessLog:
    user = getattr(request, "user", None)
    known = bool(user is not None and getattr(user, "is_authenticated", False))
    return AccessLog.objects.create(
        user=user if known else None,
        username=str(getattr(user, "username", "")) if known else "",
        role=str(getattr(user, "role", "")) if known else "",
        kind=kind,
        region_id=region_id,
        record=record[:200],
        detail=detail[:500],
        ip=client_ip(request) if request is not None else None,
    )
