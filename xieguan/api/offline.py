"""The offline bundle (GET /api/v1/offline/bundle): what an assistant needs for a day without signal.

One JSON document: the work list, the township's employers with their ledger headers (what
附表1 prints, plus status and flags), the active 附表1 template with its items, the assistant's open
协查 and open tasks, and the code lists the offline forms offer. It carries ``generated_at``, a
``version`` (also the ETag: a hash of the content, so it changes exactly when the content does; a
request with ``If-None-Match`` of the current version is answered 304 with no body) and ``size``
(bytes of the content). The number of queries does not grow with the number of employers (each
part is one query; the employers' hazard categories one more). docs/sync.md describes it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError

from xieguan.accounts.models import Role, User
from xieguan.employers.models import (
    Employer,
    HazardCategory,
    Industry,
    IndustryCode,
    IndustryMapping,
    OperatingStatus,
)
from xieguan.inspections.api import template_out
from xieguan.inspections.models import ChecklistTemplate
from xieguan.leads.api import AssistOut
from xieguan.leads.models import (
    AbnormalKind,
    AssistRequest,
    AssistStatus,
    ComplaintChannel,
    Importance,
    LeadType,
)
from xieguan.lib.access import AuthedRequest
from xieguan.lib.worklist import worklist_for
from xieguan.outreach.models import PublicityKind
from xieguan.tasks.api import pending_assignments

router = Router(tags=["离线"])

EMPLOYER_FIELDS = (
    "id",
    "name",
    "address",
    "legal_representative",
    "phone",
    "credit_code",
    "region_id",
    "township_id",
    "industry",
    "status",
    "closed_reason",
    "registered",
    "missing_fields",
    "is_key",
    "serious_hazard",
    "radiation_work",
    "construction_project",
    "workers",
    "exposed_workers",
    "last_inspected_on",
    "version",
)


def _choices(choices: Any) -> list[dict[str, str]]:
    return [{"code": str(value), "label": str(label)} for value, label in choices]


def worklist(user: User) -> list[dict[str, Any]]:
    return [
        {
            "title": str(section.title),
            "total": section.total if section.total is not None else len(section.entries),
            "more_url": section.more_url,
            "empty_text": str(section.empty_text),
            "entries": [
                {
                    "title": str(e.title),
                    "url": e.url,
                    "detail": str(e.detail),
                    "urgent": e.urgent,
                    "badge": str(e.badge),
                }
                for e in section.entries
            ],
        }
        for section in worklist_for(user)
    ]


def employers(user: User) -> list[dict[str, Any]]:
    """The employers of the assistant's township (all statuses: a closed one is shown as such)."""
    mine = Employer.objects.visible_to(user).filter(township_id=user.region_id)
    rows = list(
        mine.annotate(region_name=F("region__name"))
        .order_by("name", "pk")
        .values(*EMPLOYER_FIELDS, "region_name")
    )
    through = Employer.hazard_categories.through
    categories: dict[int, list[str]] = {}
    for employer_id, code in (
        through.objects.filter(employer__in=mine.values("pk"))
        .order_by("hazardcategory__order")
        .values_list("employer_id", "hazardcategory_id")
    ):
        categories.setdefault(employer_id, []).append(code)
    industry = dict(Industry.choices)
    status = dict(OperatingStatus.choices)
    for row in rows:
        row["region"] = row.pop("region_id")
        row["township"] = row.pop("township_id")
        row["industry_label"] = str(industry.get(row["industry"], ""))
        row["status_label"] = str(status.get(row["status"], ""))
        row["hazard_categories"] = categories.get(row["id"], [])
    return rows


def template(user: User) -> dict[str, Any] | None:
    """The check-list in force in the user's province, with its items."""
    active = ChecklistTemplate.active(user.region_id)
    return template_out(active, user.region_id).dict() if active is not None else None


def open_assists(user: User) -> list[dict[str, Any]]:
    rows = (
        AssistRequest.objects.visible_to(user)
        .filter(assistant=user, status=AssistStatus.REQUESTED)
        .select_related("assistant", "requested_by")
        .order_by("due_on", "requested_at")
    )
    return [AssistOut.from_orm(a).dict() for a in rows]


def code_lists(user: User) -> dict[str, Any]:
    """The code lists of the offline bundle; industries mapped as in the user's province."""
    mapping = {code: row.category for code, row in IndustryMapping.rows_for_region(user.region_id).items()}
    return {
        "hazard_categories": [
            {"code": c.code, "label": c.name} for c in HazardCategory.objects.order_by("order")
        ],
        "industries": _choices(Industry.choices),
        "industry_codes": [
            {"code": code, "label": name, "industry": mapping.get(code, category)}
            for code, name, category in IndustryCode.objects.order_by("code").values_list(
                "code", "name", "category"
            )
        ],
        "operating_statuses": _choices(OperatingStatus.choices),
        "complaint_channels": _choices(ComplaintChannel.choices),
        "publicity_kinds": _choices(PublicityKind.choices),
        "lead_types": _choices(LeadType.choices),
        "abnormal_kinds": _choices(AbnormalKind.choices),
        "importances": _choices(Importance.choices),
    }


def content_for(user: User) -> dict[str, Any]:
    return {
        "user": {"username": user.username, "full_name": user.full_name, "region": user.region_id},
        "worklist": worklist(user),
        "employers": employers(user),
        "template": template(user),
        "assists": open_assists(user),
        "tasks": [a.dict() for a in pending_assignments(user)],
        "code_lists": code_lists(user),
    }


def _etag(version: str) -> str:
    return f'"{version}"'


@router.get(
    "/bundle",
    summary="离线数据包（协管员：工作台、本乡镇用人单位台账表头、巡查表模板、协查、交办任务、代码表）",
    description=(
        "返回 generated_at、version（即 ETag，内容不变则不变）和 size（内容字节数）。"
        "请求头 If-None-Match 为当前 version 时返回 304（无内容）。只有协管员可用（其他角色 403）。"
        "见 docs/sync.md。"
    ),
    response={200: dict[str, Any], 304: None, 403: dict[str, str]},
)
def bundle(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.role != Role.ASSISTANT:
        raise HttpError(403, "离线数据包只提供给协管员。")
    content = json.dumps(content_for(user), cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
    encoded = content.encode()
    version = hashlib.sha256(encoded).hexdigest()[:32]
    etag = _etag(version)
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        head = json.dumps(
            {"version": version, "generated_at": timezone.now(), "size": len(encoded)},
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
        )
        body = head[:-1] + ", " + content[1:]  # one object: the header fields, then the content
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response
