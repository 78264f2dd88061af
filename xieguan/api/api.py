"""The JSON API (/api/v1/), typed with Django Ninja, documented by its OpenAPI schema.

Every operation requires an authenticated user (session cookie, or the token of the offline
phone client) and reaches records only through ``visible_to`` / ``get_visible_or_404``, as
the web pages do. Each area of the domain adds its own router here.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Router, Schema
from ninja.security import django_auth

from xieguan.api.offline import router as offline_router
from xieguan.employers.api import router as employers_router
from xieguan.inspections.api import router as inspections_router
from xieguan.leads.api import router as leads_router
from xieguan.lib.access import AuthedRequest
from xieguan.lib.scoping import get_visible_or_404
from xieguan.lib.sync import UuidTaken
from xieguan.personnel.api import router as personnel_router
from xieguan.regions.models import Region
from xieguan.tasks.api import router as tasks_router

api = NinjaAPI(
    title="职业健康监督协管信息系统 API",
    version="1",
    urls_namespace="api-1",
    auth=django_auth,
    docs_url="/docs",
    # The schema and Swagger UI are for logged-in users only (README): anonymous -> login page.
    docs_decorator=login_required,
)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> object:
    return api.create_response(request, {"detail": "未找到"}, status=404)


@api.exception_handler(UuidTaken)
def uuid_taken(request: HttpRequest, exc: UuidTaken) -> object:
    """A client UUID naming someone else's record: answered like a record out of scope."""
    return api.create_response(request, {"detail": "未找到"}, status=404)


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent: str | None


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    role_label: str
    region: RegionOut


def region_out(region: Region) -> RegionOut:
    return RegionOut(code=region.code, name=region.name, level=region.level, parent=region.parent_id)


core = Router(tags=["账号与区划"])


@core.get("/me", response=MeOut, summary="当前用户")
def me(request: AuthedRequest) -> MeOut:
    user = request.user
    return MeOut(
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        role_label=str(user.get_role_display()),
        region=region_out(user.region),
    )


@core.get("/regions/{code}", response=RegionOut, summary="区划")
def region(request: AuthedRequest, code: str) -> RegionOut:
    return region_out(get_visible_or_404(Region, request.user, code=code))


@core.get("/regions/{code}/children", response=list[RegionOut], summary="下级区划")
def region_children(request: AuthedRequest, code: str) -> list[RegionOut]:
    parent = get_visible_or_404(Region, request.user, code=code)
    return [region_out(r) for r in Region.objects.visible_to(request.user).filter(parent=parent)]


api.add_router("/", core)
api.add_router("/", leads_router)
api.add_router("/employers", employers_router)

api.add_router("/personnel", personnel_router)
api.add_router("/tasks", tasks_router)

api.add_router("/inspections", inspections_router)
api.add_router("/offline", offline_router)
