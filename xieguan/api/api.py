"""The JSON API (/api/v1/), typed with Django Ninja, documented by its OpenAPI schema.

Every operation requires an authenticated user (session cookie, or the token of the offline
phone client) and reaches records only through ``visible_to`` / ``get_visible_or_404``, as
the web pages do. Each area of the domain adds its own router here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestInvalid
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from xieguan.accounts import twofactor
from xieguan.accounts.actions import user_for_key
from xieguan.api.offline import router as offline_router
from xieguan.employers.api import router as employers_router
from xieguan.inspections.api import router as inspections_router
from xieguan.leads.api import router as leads_router
from xieguan.lib.access import AuthedRequest
from xieguan.lib.scoping import get_visible_or_404
from xieguan.lib.sync import UuidTaken
from xieguan.outreach.api import consultations_router
from xieguan.outreach.api import router as publicity_router
from xieguan.personnel.api import router as personnel_router
from xieguan.regions.models import Region
from xieguan.tasks.api import router as tasks_router


class DeviceToken(HttpBearer):
    """``Authorization: Bearer <key>``: a per-device token made at 接口令牌 (/tokens/).
    The request then acts as the token's user, scoped exactly like their session; no CSRF token is
    needed (nothing is read from cookies). Revoked or expired tokens, and accounts that may no
    longer work, are 401."""

    openapi_description = (
        "每台设备一个令牌：在“接口令牌”页面（/tokens/）创建，只显示一次。"
        "请求头 Authorization: Bearer <令牌>；权限和辖区与该用户登录后相同；"
        "令牌撤销、过期或账号停用后返回 401。使用令牌的请求不需要 CSRF。"
    )

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_key(token)
        if user is not None:
            request.user = user  # operations read request.user, as with a session
        return user


OWNER_HEADER = "X-Xieguan-User"


class OutboxSession(SessionAuth):
    """The browser's session (CSRF checked for writes). A request from the phone's outbox names
    the account that made the record (``X-Xieguan-User``); under another account's session it
    is 401, like an ended session, so the phone asks that account's password instead of sending
    the record as someone else (docs/offline.md, "Session ended while offline"). A session that
    has not passed the second factor where the user has one (accounts/twofactor.py) is refused
    too: SecondFactorMiddleware already answers it 401, and this also holds when the request
    carries a bearer key that is not valid."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and twofactor.pending(request) is not None:
            return None
        owner = request.headers.get(OWNER_HEADER)
        if user is not None and owner and owner != user.get_username():
            return None
        return user


DESCRIPTION = """职业健康监督协管信息系统的 JSON 接口（/api/v1/）。

**认证**：浏览器使用登录会话（Cookie，修改类请求须带 CSRF 令牌 `X-CSRFToken`）；其他客户端
（离线手机端、第三方系统）使用每台设备一个的接口令牌：在 `/tokens/` 创建，
请求头 `Authorization: Bearer xg_…`，不需要 CSRF。未登录、会话过期、令牌撤销或过期、
账号停用时返回 **401** JSON（不会跳转到登录页），客户端应请用户重新输入密码后继续同步。
启用了两步验证的用户，其登录会话在网页上输入验证码之前调用接口也返回 **401**
（`login_url` 为验证码页面）；接口令牌不受影响（令牌本身即该设备的凭据，只能在完成登录后创建）。

**离线同步**：每条记录带客户端生成的 UUID，重复提交只保存一次（第一次 201，重复 200）。
规则、各接口和拒绝时的状态码见 docs/sync.md。"""


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class JsonWithoutNul(Parser):
    """JSON bodies; one with a NUL character anywhere is refused as unparseable (400), since
    PostgreSQL cannot store NUL in text and an insert would fail with a 500."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if _has_nul(data):
            raise ValueError("NUL character in the body")
        return data


def docs_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema and Swagger UI: a login that has passed the second factor where the user has
    one. SecondFactorMiddleware leaves requests with an ``Authorization: Bearer`` header to the
    API's own authentication, which these two views do not use: without this check any such
    header let a login stopped at the verify step read them."""
    guarded = login_required(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        todo = twofactor.pending(request)
        if todo is not None:
            return redirect("accounts:otp_verify" if todo == twofactor.VERIFY else "accounts:two_factor")
        return guarded(request, *args, **kwargs)

    return wrapper


api = NinjaAPI(
    title="职业健康监督协管信息系统 API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-1",
    auth=[DeviceToken(), OutboxSession()],
    docs_url="/docs",
    parser=JsonWithoutNul(),
    # The schema and Swagger UI are for logged-in users only (README): anonymous -> login page.
    docs_decorator=docs_login_required,
)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> object:
    """401 as JSON, never a redirect: the offline client asks for the password and resumes."""
    body = {"detail": "未登录或登录已过期，请重新登录后再同步。", "login_url": reverse("accounts:login")}
    return api.create_response(request, body, status=401)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> object:
    return api.create_response(request, {"detail": "未找到"}, status=404)


REQUEST_PARTS = {"body", "payload", "form", "query", "path", "file", "files"}


def _problem(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in REQUEST_PARTS) or "请求"
    if error.get("type") == "missing":
        return f"{where}：缺少此项。"
    return f"{where}：格式不正确（{error.get('msg', '')}）。"


@api.exception_handler(RequestInvalid)
def request_invalid(request: HttpRequest, exc: RequestInvalid) -> object:
    """A body or parameter that does not fit the schema (a missing field, a date that is not a
    date …): 422 with the same shape as every other refusal, the field named in each problem."""
    problems = [_problem(e) for e in exc.errors]
    return api.create_response(request, {"detail": "请求内容格式有误", "problems": problems}, status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> object:
    """Django Ninja's own refusals in Chinese: a body it cannot parse (not JSON, not UTF-8)
    says so; others (the project's own ``HttpError``s) keep their message."""
    detail = str(exc)
    if detail.startswith("Cannot parse request body"):
        detail = "请求内容无法解析：须是 UTF-8 编码的 JSON，且不能含空字符（\\0）。"
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


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
api.add_router("/outreach", consultations_router)

api.add_router("/inspections", inspections_router)
api.add_router("/offline", offline_router)
api.add_router("/publicity", publicity_router)
