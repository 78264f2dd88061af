"""The field app's pages: web app manifest, service worker, outbox, offline fallback, and the
list of pages 离线准备 downloads. See docs/offline.md."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from xieguan.accounts.models import Role
from xieguan.employers.models import Employer, OperatingStatus
from xieguan.inspections.models import Inspection, InspectionStatus
from xieguan.leads.models import AssistRequest, AssistStatus
from xieguan.lib.access import AuthedRequest, public, scoped
from xieguan.regions.province import province_code, province_name
from xieguan.tasks.models import AssignmentStatus, TaskAssignment, TaskStatus

# The app shell the worker precaches: what the assistant's pages load. Not the chart library
# (vendor/echarts, dashboard.js): assistants never load it.
SHELL = [
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "vendor/idb/idb.js",
    "xieguan/app.css",
    "xieguan/app.js",
    "xieguan/confirm.js",
    "xieguan/inspection-form.css",
    "xieguan/inspection-form.js",
    "xieguan/employer-form.js",
    "xieguan/tasks.css",
    "xieguan/field/field.css",
    "xieguan/field/clock.js",
    "xieguan/field/outbox.js",
    "xieguan/field/photo.js",
    "xieguan/field/sync.js",
    "xieguan/field/prepare.js",
    "xieguan/field/status.js",
    "xieguan/field/status-bar.js",
    "xieguan/field/relogin.js",
    "xieguan/field/outbox-page.js",
    "xieguan/field/offline-forms.js",
    "xieguan/field/icons/icon-192.png",
]
WORKBOX = [
    f"vendor/workbox/workbox-{m}.prod.js"
    for m in ("core", "routing", "strategies", "precaching", "expiration")
]
MAX_EMPLOYER_PAGES = 500  # a township has tens; a bound keeps 离线准备 finite anyway


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _shell_entries() -> list[dict[str, str]]:
    entries = []
    for name in SHELL:
        found = finders.find(name)
        if not found:
            raise FileNotFoundError(name)
        with open(found if isinstance(found, str) else found[0], "rb") as fh:
            entries.append({"url": static(name), "revision": _digest(fh.read())})
    offline = render_to_string("field/offline.html").encode()
    entries.append({"url": reverse("field:offline"), "revision": _digest(offline)})
    return entries


_cached_entries = lru_cache(maxsize=1)(_shell_entries)


def shell_entries() -> list[dict[str, str]]:
    """Precache list with content revisions (read from disk each time while DEBUG)."""
    return _shell_entries() if settings.DEBUG else _cached_entries()


def worker_version(entries: list[dict[str, str]]) -> str:
    release = getattr(settings, "XIEGUAN_RELEASE", "")
    return _digest((json.dumps(entries, sort_keys=True) + release).encode())


@public
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    entries = shell_entries()
    body = render_to_string(
        "field/sw.js",
        {
            "version": worker_version(entries),
            "entries": json.dumps(entries),
            "workbox": [json.dumps(static(name)) for name in WORKBOX],
            "offline_url": json.dumps(reverse("field:offline")),
            "static_url": json.dumps(settings.STATIC_URL),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"  # the browser asks for a new version on every visit
    return response


@public
@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": "职业健康监督协管",
        "short_name": "职业健康协管",
        "description": _("%(province)s职业健康监督协管信息系统：巡查、线索、宣传，无信号也能记录。")
        % {"province": province_name(province_code(request.user))},
        "lang": "zh-CN",
        "start_url": reverse("accounts:home"),
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f8f9fa",
        "theme_color": "#0d6efd",
        "icons": [
            {"src": static("xieguan/field/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("xieguan/field/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("xieguan/field/icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@scoped(Role.ASSISTANT)
@require_GET
def outbox(request: AuthedRequest) -> HttpResponse:
    """The records waiting on this phone; the page is a shell the outbox script fills from
    IndexedDB (the server never sees what has not been sent)."""
    return render(request, "field/outbox.html")


@public
@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the worker shows for a page that was never saved on the phone (no user data)."""
    return HttpResponse(render_to_string("field/offline.html"))


@scoped(Role.ASSISTANT)
@require_GET
def prepare(request: AuthedRequest) -> JsonResponse:
    """The pages 离线准备 downloads for this assistant: work list, outbox, ledger, each
    employer of the scope (page and 附表1 form, which carries the active template), drafts, the
    lead, complaint, publicity and consultation forms, the open 协查 and tasks asked of this assistant."""
    user = request.user
    employers = (
        Employer.objects.visible_to(user)
        .exclude(status=OperatingStatus.CLOSED)
        .order_by("name")
        .values_list("pk", flat=True)[:MAX_EMPLOYER_PAGES]
    )
    drafts = (
        Inspection.objects.visible_to(user)
        .filter(assistant=user, status=InspectionStatus.DRAFT)
        .values_list("pk", flat=True)
    )
    open_assists = (
        AssistRequest.objects.visible_to(user)
        .filter(assistant=user, status=AssistStatus.REQUESTED)
        .values_list("pk", flat=True)
    )
    open_tasks = (
        TaskAssignment.objects.visible_to(user)
        .filter(assignee=user, status=AssignmentStatus.OPEN, task__status=TaskStatus.OPEN)
        .values_list("pk", flat=True)
    )
    pages = [
        reverse("accounts:home"),
        reverse("field:outbox"),
        reverse("inspections:start"),
        reverse("employers:ledger"),
    ]
    for pk in employers:
        pages += [
            reverse("employers:detail", args=[pk]),
            reverse("employers:edit", args=[pk]),
            reverse("inspections:new", args=[pk]),
        ]
    pages += [reverse("inspections:edit", args=[pk]) for pk in drafts]
    pages += [reverse("leads:new"), reverse("leads:new_complaint"), reverse("leads:assists")]
    pages += [reverse("outreach:create"), reverse("outreach:consultation_create")]
    pages += [reverse("tasks:mine"), reverse("employers:create")]
    pages += [reverse("tasks:assignment", args=[pk]) for pk in open_tasks]
    pages += [reverse("leads:assist", args=[pk]) for pk in open_assists]
    return JsonResponse({"pages": pages})
