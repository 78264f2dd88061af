"""Pages of assistant management (协管员管理). Thin: forms validate, personnel.actions writes.

Roles: the county admin manages the assistants of their county (all writing pages); the
province admin and the prefecture viewer read; the province and county admins organise
training. Officers and assistants get 403 (an assistant has their own ``me`` page).
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieguan.accounts.models import MANAGER_ROLES, Role
from xieguan.audit.log import record as audit_record
from xieguan.audit.models import Kind
from xieguan.documents.render import file_response
from xieguan.indicators import periods
from xieguan.indicators.dashboard import targets
from xieguan.indicators.registry import Counts, indicator
from xieguan.lib.access import AuthedRequest, scoped
from xieguan.lib.files import private_file, private_headers
from xieguan.lib.scoping import get_visible_or_404, region_in_scope
from xieguan.lib.tabular import TableError, report_workbook
from xieguan.personnel import actions, privacy, retirement, roster, rules, staffing, training
from xieguan.personnel.aftermath import aftermath_of
from xieguan.personnel.assessment import ASPECT_MAX, ASPECT_MEASURES, Measures, thresholds
from xieguan.personnel.forms import (
    AccountForm,
    AppointmentForm,
    AssessmentForm,
    AssistantForm,
    DismissalForm,
    EligibilityForm,
    RenewalForm,
    RewardForm,
    RosterUploadForm,
    TrainingSessionForm,
)
from xieguan.personnel.models import (
    Assessment,
    Assistant,
    AssistantQuerySet,
    AssistantStatus,
    Grade,
    TrainingKind,
    TrainingRecord,
    TrainingSession,
)
from xieguan.personnel.printing import assessment_doc
from xieguan.regions.models import CODE_LENGTH, Level, Region

COUNTY = (Role.COUNTY_ADMIN,)
MANAGERS = tuple(MANAGER_ROLES)
TRAINERS = (Role.COUNTY_ADMIN, Role.PROVINCE_ADMIN)


def _apply(form: BaseForm, exc: ValidationError) -> None:
    """Put an action's refusal on the form: field errors where the field exists, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _assistants(request: AuthedRequest) -> AssistantQuerySet:
    return Assistant.objects.visible_to(request.user)


# --- assistants ------------------------------------------------------------------------


@scoped(*MANAGERS)
def assistant_list(request: AuthedRequest) -> HttpResponse:
    qs = _assistants(request).with_term().select_related("township", "user")
    status = request.GET.get("status", "")
    if status in AssistantStatus.values:
        qs = qs.filter(Q(derived_status=status))
    township = request.GET.get("township", "")
    if township and region_in_scope(request.user, township):
        qs = qs.filter(township_id=township)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(phone__contains=q))
    page = Paginator(qs.order_by("township_id", "name"), 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # read once: logged here, shown by the template
    privacy.audit_full_numbers(
        request, page.object_list, what=_("协管员名单第 %(n)s 页") % {"n": page.number}
    )
    query = "&".join(f"{k}={v}" for k, v in (("status", status), ("township", township), ("q", q)) if v)
    return render(
        request,
        "personnel/assistant_list.html",
        {
            "page": page,
            "query": query,
            "statuses": AssistantStatus.choices,
            "status": status,
            "q": q,
            "township": township,
            "townships": Region.objects.visible_to(request.user).filter(level=Level.TOWNSHIP).order_by("code")
            if request.user.role == Role.COUNTY_ADMIN
            else Region.objects.none(),
            "can_manage": request.user.role == Role.COUNTY_ADMIN,
        },
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@scoped(*MANAGERS)
def assistant_export(request: AuthedRequest) -> FileResponse:
    """The roster (花名册) as .xlsx, ID numbers as personnel.privacy decides."""
    qs = (
        _assistants(request)
        .with_term()
        .select_related("township")
        .prefetch_related("villages")
        .order_by("township_id", "name")
    )
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    count = roster.write_roster(target, qs, request.user, request.user.region.name)
    target.seek(0)
    audit_record(
        request,
        Kind.EXPORT,
        region_id=request.user.region_id,
        record=_("协管员花名册（%(n)s 人）") % {"n": count},
        detail=_("含完整身份证号") if request.user.role == Role.COUNTY_ADMIN else _("身份证号已遮盖"),
    )
    filename = f"协管员花名册-{request.user.region.name}-{timezone.localdate():%Y%m%d}.xlsx"
    return private_headers(FileResponse(target, as_attachment=True, filename=filename, content_type=XLSX))


# --- roster import (all or nothing) ------------------------------------------------------

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SHOWN_ISSUES = 300


def _upload_path(request: AuthedRequest, token: str) -> str:
    """Uploaded rosters wait in private storage under the uploader's id until applied."""
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        raise Http404
    path = f"roster-imports/{request.user.pk}/{token}.xlsx"
    if not default_storage.exists(path):
        raise Http404
    return path


def _reread(request: AuthedRequest, path: str) -> roster.RosterCheck:
    with default_storage.open(path, "rb") as fh:
        return roster.read_roster(fh.read(), request.user)


@scoped(*COUNTY)
def roster_template(request: AuthedRequest) -> HttpResponse:
    response = HttpResponse(roster.template_bytes(request.user), content_type=XLSX)
    response["Content-Disposition"] = (
        "attachment; filename=\"roster-template.xlsx\"; filename*=UTF-8''"
        + quote("协管员花名册导入模板.xlsx")
    )
    return response


@scoped(*COUNTY)
def roster_import(request: AuthedRequest) -> HttpResponse:
    """Upload → every row checked → the per-row report; importable only when no row fails."""
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        if uploaded.size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("文件太大（超过 5 MB）。"))
        else:
            content = uploaded.read()
            try:
                check = roster.read_roster(content, request.user, filename=uploaded.name)
            except TableError as exc:
                form.add_error("file", exc.message)
            else:
                token = uuid.uuid4().hex
                default_storage.save(f"roster-imports/{request.user.pk}/{token}.xlsx", ContentFile(content))
                context.update(
                    check=check.counts(),
                    issues=check.table.issues[:SHOWN_ISSUES],
                    more_issues=max(len(check.table.issues) - SHOWN_ISSUES, 0),
                    plans=sorted(check.plans.items()),
                    token=token,
                    filename=uploaded.name,
                )
    return render(request, "personnel/roster_import.html", context)


@scoped(*COUNTY)
@require_POST
def roster_apply(request: AuthedRequest) -> HttpResponse:
    path = _upload_path(request, request.POST.get("token", ""))
    try:
        result = roster.apply_roster(_reread(request, path))
    except (ValidationError, TableError) as exc:
        text = exc.message if isinstance(exc, TableError) else " ".join(exc.messages)
        messages.error(request, text)
        return redirect("personnel:roster_import")
    default_storage.delete(path)
    messages.success(
        request,
        _("花名册导入完成：新增 %(c)s 人，更新 %(u)s 人，未变 %(n)s 人。")
        % {"c": result["create"], "u": result["update"], "n": result["unchanged"]},
    )
    return redirect("personnel:list")


@scoped(*COUNTY)
def roster_report(request: AuthedRequest, token: str) -> HttpResponse:
    check = _reread(request, _upload_path(request, token))
    response = HttpResponse(report_workbook(check.table, title=_("花名册导入检查报告")), content_type=XLSX)
    response["Content-Disposition"] = (
        "attachment; filename=\"roster-report.xlsx\"; filename*=UTF-8''" + quote("花名册导入检查报告.xlsx")
    )
    return response


@scoped(*COUNTY)
def assistant_new(request: AuthedRequest) -> HttpResponse:
    form = AssistantForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            assistant = actions.save_assistant(form.save(commit=False))
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request, _("已登记协管员 %s。下一步：确认四项条件、安排岗前培训。") % assistant.name
            )
            return redirect("personnel:detail", pk=assistant.pk)
    return render(request, "personnel/assistant_form.html", {"form": form, "title": _("登记协管员")})


@scoped(*COUNTY)
def assistant_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    assistant = get_visible_or_404(Assistant, request.user, pk=pk)
    form = AssistantForm(request.POST or None, request.FILES or None, instance=assistant, user=request.user)
    if request.method == "GET":  # the form shows the full ID number
        privacy.audit_full_numbers(request, [assistant], what=_("修改协管员 #%(pk)s") % {"pk": assistant.pk})
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_assistant(form.save(commit=False), form.cleaned_data.get("villages"))
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("personnel:detail", pk=assistant.pk)
    return render(
        request,
        "personnel/assistant_form.html",
        {"form": form, "title": _("修改协管员信息"), "assistant": assistant},
    )


def _detail_context(request: AuthedRequest, assistant: Assistant) -> dict[str, Any]:
    today = timezone.localdate()
    terms = list(assistant.appointments.order_by("-start"))
    current = next((t for t in terms if t.start <= today <= t.end), None)
    last = terms[0] if terms else None
    status = Assistant.objects.derived_status_of(assistant.pk, today) or assistant.status
    policy = retirement.current_policy(assistant.township_id)
    retiring = retirement.retirement_of(assistant, policy) if status != AssistantStatus.DISMISSED else None
    return {
        "retirement": retiring,
        "retirement_reached": retiring is not None and retiring.reached(today),
        "retirement_soon": retiring is not None
        and policy is not None
        and retiring.on <= today + dt.timedelta(days=policy.warning_days),
        "assistant": assistant,
        "status_label": AssistantStatus(status).label,
        "status": status,
        "terms": terms,
        "current_term": current,
        "can_renew": last is not None
        and not hasattr(last, "renewal")
        and status != AssistantStatus.DISMISSED,
        "conditions": [
            (c, getattr(assistant, c.field), getattr(assistant, c.evidence_field)) for c in rules.CONDITIONS
        ],
        "missing": rules.missing_for_appointment(assistant),
        "training": assistant.training_records.select_related("session").order_by("-session__held_on"),
        "assessments": assistant.assessments.order_by("-year"),
        "rewards": assistant.rewards.order_by("-awarded_on"),
        "dismissal": getattr(assistant, "dismissal", None),
        "villages": list(assistant.villages.all()),
        "can_manage": request.user.role == Role.COUNTY_ADMIN,
        "this_year": today.year,
    }


@scoped(*MANAGERS)
def assistant_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    assistant = get_visible_or_404(Assistant.objects.select_related("township", "user"), request.user, pk=pk)
    privacy.audit_full_numbers(request, [assistant], what=_("协管员档案 #%(pk)s") % {"pk": assistant.pk})
    return render(request, "personnel/assistant_detail.html", _detail_context(request, assistant))


@scoped(Role.ASSISTANT)
def me(request: AuthedRequest) -> HttpResponse:
    """The assistant's own record (ID number masked: only the county admin sees it in full)."""
    assistant = Assistant.objects.visible_to(request.user).select_related("township", "user")
    found = assistant.filter(user=request.user).first()
    if found is None:
        raise Http404(_("没有与您的账号关联的协管员档案"))
    return render(request, "personnel/assistant_detail.html", _detail_context(request, found))


@scoped(*MANAGERS, Role.ASSISTANT)
def assistant_photo(request: AuthedRequest, pk: int) -> HttpResponseBase:
    assistant = get_visible_or_404(Assistant, request.user, pk=pk)
    if request.user.role == Role.ASSISTANT and assistant.user_id != request.user.pk:
        raise Http404
    if not assistant.photo:
        raise Http404
    return private_file(assistant.photo, image=True)


@scoped(*COUNTY)
def eligibility(request: AuthedRequest, pk: int) -> HttpResponse:
    assistant = get_visible_or_404(Assistant, request.user, pk=pk)
    form = EligibilityForm(request.POST or None, assistant=assistant)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_eligibility(assistant, form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("已记录聘任条件。"))
            return redirect("personnel:detail", pk=assistant.pk)
    return render(request, "personnel/eligibility.html", {"form": form, "assistant": assistant})


@scoped(*COUNTY)
def account_new(request: AuthedRequest, pk: int) -> HttpResponse:
    assistant = get_visible_or_404(Assistant, request.user, pk=pk)
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.create_account(
                assistant, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            note = _("聘任后即可登录。") if not user.is_active else _("聘期内可登录。")
            messages.success(request, _("已开通登录账号 %(u)s。%(n)s") % {"u": user.username, "n": note})
            return redirect("personnel:detail", pk=assistant.pk)
    return render(request, "personnel/account_form.html", {"form": form, "assistant": assistant})


@scoped(*COUNTY)
def appoint(request: AuthedRequest, pk: int) -> HttpResponse:
    assistant = get_visible_or_404(Assistant, request.user, pk=pk)
    form = AppointmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            term = actions.appoint_assistant(assistant, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("已聘任，聘期 %(s)s 至 %(e)s。") % {"s": term.start, "e": term.end})
            return redirect("personnel:detail", pk=assistant.pk)
    return render(
        request,
        "personnel/appoint.html",
        {"form": form, "assistant": assistant, "missing": rules.missing_for_appointment(assistant)},
    )


@scoped(*COUNTY)
def renew(request: AuthedRequest, pk: int) -> HttpResponse:
    assistant = get_visible_or_404(Assistant, request.user, pk=pk)
    last = assistant.appointments.order_by("-end").first()
    if last is None:
        return redirect("personnel:appoint", pk=assistant.pk)
    start = max(last.end + dt.timedelta(days=1), timezone.localdate())
    form = RenewalForm(request.POST or None, start=start)
    if request.method == "POST" and form.is_valid():
        try:
            term = actions.renew_appointment(assistant, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("已续聘，新聘期 %(s)s 至 %(e)s。") % {"s": term.start, "e": term.end})
            return redirect("personnel:detail", pk=assistant.pk)
    return render(
        request, "personnel/renew.html", {"form": form, "assistant": assistant, "last": last, "start": start}
    )


@scoped(*COUNTY)
def reward_new(request: AuthedRequest, pk: int) -> HttpResponse:
    assistant = get_visible_or_404(Assistant, request.user, pk=pk)
    form = RewardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.award(assistant, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("已记录表彰奖励。"))
            return redirect("personnel:detail", pk=assistant.pk)
    return render(request, "personnel/reward_form.html", {"form": form, "assistant": assistant})


@scoped(*COUNTY)
def dismiss(request: AuthedRequest, pk: int) -> HttpResponse:
    assistant = get_visible_or_404(Assistant.objects.select_related("user"), request.user, pk=pk)
    form = DismissalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.dismiss_assistant(assistant, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.warning(
                request, _("已解聘 %s，登录账号已停用。请安排以下单位和线索的接手人员。") % assistant.name
            )
            return redirect("personnel:aftermath", pk=assistant.pk)
    return render(request, "personnel/dismiss.html", {"form": form, "assistant": assistant})


@scoped(*MANAGERS)
def aftermath(request: AuthedRequest, pk: int) -> HttpResponse:
    assistant = get_visible_or_404(Assistant.objects.select_related("user", "township"), request.user, pk=pk)
    return render(
        request,
        "personnel/aftermath.html",
        {
            "assistant": assistant,
            "after": aftermath_of(assistant),
            "dismissal": getattr(assistant, "dismissal", None),
        },
    )


# --- assessment --------------------------------------------------------------------------


def _assessment_context(assessment: Assessment) -> dict[str, Any]:
    values = {k: v for k, v in assessment.measured.items() if k in Measures.__dataclass_fields__}
    measured = Measures(**values) if values else Measures(year=assessment.year)
    aspects = [
        {
            "field": field,
            "label": label,
            "max": ASPECT_MAX[field],
            "score": getattr(assessment, field),
            "figures": [(name, getattr(measured, key)) for key, name in figures],
        }
        for field, label, figures in ASPECT_MEASURES
    ]
    return {
        "assessment": assessment,
        "assistant": assessment.assistant,
        "aspects": aspects,
        "measured": measured,
        "thresholds": [f"{Grade(g).label} ≥ {m}" for g, m in thresholds(assessment.assistant.township_id)],
    }


@scoped(*COUNTY)
@require_POST
def assessment_start(request: AuthedRequest, pk: int) -> HttpResponse:
    assistant = get_visible_or_404(Assistant, request.user, pk=pk)
    try:
        year = int(request.POST.get("year", ""))
        assessment = actions.start_assessment(assistant, year)
    except ValueError:
        messages.error(request, _("请填写考核年度。"))
        return redirect("personnel:detail", pk=assistant.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("personnel:detail", pk=assistant.pk)
    return redirect("personnel:assessment_edit", pk=assessment.pk)


@scoped(*COUNTY)
def assessment_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    assessment = get_visible_or_404(Assessment.objects.select_related("assistant"), request.user, pk=pk)
    if assessment.signed_off_at is not None:
        return redirect("personnel:assessment", pk=assessment.pk)
    form = AssessmentForm(request.POST or None, instance=assessment)
    if request.method == "POST" and "refresh" in request.POST:
        actions.refresh_measures(assessment)
        messages.info(request, _("已按最新数据重新统计年度工作量。"))
        return redirect("personnel:assessment_edit", pk=assessment.pk)
    if request.method == "POST" and form.is_valid():
        sign_off = "sign_off" in request.POST
        try:
            actions.save_assessment(
                assessment,
                duty_score=form.cleaned_data["duty_score"],
                service_score=form.cleaned_data["service_score"],
                discipline_score=form.cleaned_data["discipline_score"],
                comments=form.cleaned_data["comments"],
                sign_off=sign_off,
                by=request.user,
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("考核已确认，不能再修改。") if sign_off else _("已保存考核草稿。"))
            return redirect("personnel:assessment", pk=assessment.pk)
    context = _assessment_context(assessment)
    context["form"] = form
    return render(request, "personnel/assessment_edit.html", context)


@scoped(*MANAGERS)
def assessment_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    assessment = get_visible_or_404(
        Assessment.objects.select_related("assistant__township", "signed_off_by"), request.user, pk=pk
    )
    context = _assessment_context(assessment)
    context["can_manage"] = request.user.role == Role.COUNTY_ADMIN
    context["print_url"] = reverse("personnel:assessment_pdf", args=[assessment.pk])
    return render(request, "personnel/assessment_detail.html", context)


@scoped(*MANAGERS)
def assessment_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """The one-page assessment form as PDF (documents engine); the ID number as privacy decides."""
    assessment = get_visible_or_404(
        Assessment.objects.select_related("assistant__township__parent", "signed_off_by"), request.user, pk=pk
    )
    privacy.audit_full_numbers(
        request, [assessment.assistant], what=_("考核表 #%(pk)s（打印）") % {"pk": assessment.pk}
    )
    response = file_response(assessment_doc(assessment, request.user), "pdf", inline=True, request=request)
    return private_headers(response)


# --- training ----------------------------------------------------------------------------


def _sessions(request: AuthedRequest) -> QuerySet[TrainingSession]:
    """Sessions organised in the user's region, and sessions their assistants were invited to."""
    mine = TrainingRecord.objects.visible_to(request.user).filter(session=OuterRef("pk"))
    organised = TrainingSession.objects.visible_to(request.user).values("pk")
    return TrainingSession.objects.filter(Q(pk__in=organised) | Exists(mine))


def _records(request: AuthedRequest, session: TrainingSession) -> QuerySet[TrainingRecord]:
    return (
        TrainingRecord.objects.visible_to(request.user)
        .filter(session=session)
        .select_related("assistant__township")
        .order_by("assistant__township_id", "assistant__name")
    )


def _organises(request: AuthedRequest, session: TrainingSession) -> bool:
    return request.user.role in TRAINERS and session.region_id == request.user.region_id


@scoped(*MANAGERS)
def training_list(request: AuthedRequest) -> HttpResponse:
    qs = _sessions(request).select_related("region").order_by("-held_on", "-pk")
    kind = request.GET.get("kind", "")
    if kind in TrainingKind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    grouped = training.rates_per(
        TrainingRecord.objects.visible_to(request.user).filter(session__in=[s.pk for s in page]), "session_id"
    )
    rows = [(s, grouped.get(s.pk, training.Rates(0, 0, 0))) for s in page]
    return render(
        request,
        "personnel/training_list.html",
        {
            "page": page,
            "rows": rows,
            "kind": kind,
            "kinds": TrainingKind.choices,
            "query": f"kind={kind}" if kind else "",
            "can_organise": request.user.role in TRAINERS,
            "target": training.TARGET,
        },
    )


@scoped(*TRAINERS)
def training_new(request: AuthedRequest) -> HttpResponse:
    form = TrainingSessionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        session = form.save(commit=False)
        session.region = request.user.region
        session.created_by = request.user
        try:
            actions.save_training_session(session, list(form.cleaned_data["invited"]))
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("已创建培训。培训结束后请登记参训和考核结果。"))
            return redirect("personnel:training_detail", pk=session.pk)
    return render(request, "personnel/training_form.html", {"form": form, "title": _("新建培训")})


def _get_session(request: AuthedRequest, pk: int) -> TrainingSession:
    session = _sessions(request).select_related("region").filter(pk=pk).first()
    if session is None:
        raise Http404
    return session


@scoped(*TRAINERS)
def training_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _get_session(request, pk)
    if not _organises(request, session):
        raise Http404
    form = TrainingSessionForm(request.POST or None, instance=session, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_training_session(form.save(commit=False), list(form.cleaned_data["invited"]))
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("personnel:training_detail", pk=session.pk)
    return render(
        request, "personnel/training_form.html", {"form": form, "title": _("修改培训"), "session": session}
    )


@require_POST
@scoped(*TRAINERS)
def training_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    """Delete a session its organiser entered by mistake or called off (refused once results are
    recorded; see actions.delete_training_session)."""
    session = _get_session(request, pk)
    if not _organises(request, session):
        raise Http404
    try:
        actions.delete_training_session(session)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("personnel:training_detail", pk=session.pk)
    messages.success(request, _("已删除培训“%s”。") % session.topic)
    return redirect("personnel:training")


@scoped(*MANAGERS)
def training_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _get_session(request, pk)
    records = _records(request, session)
    errors: list[str] = []
    organiser = _organises(request, session)
    if request.method == "POST":
        if not organiser:
            raise Http404
        rows, errors = _attendance_rows(request, records)
        if not errors:
            try:
                actions.record_attendance(session, rows)
            except ValidationError as exc:
                errors = list(exc.messages)
            else:
                messages.success(request, _("已登记参训和考核结果。"))
                return redirect("personnel:training_detail", pk=session.pk)
    return render(
        request,
        "personnel/training_detail.html",
        {
            "session": session,
            "records": records,
            "rates": training.rates_of(records),
            "organiser": organiser,
            "deletable": organiser and not records.exclude(actions.NO_RESULT).exists(),
            "errors": errors,
            "target": training.TARGET,
            "posted": request.POST if errors else None,
        },
    )


def _attendance_rows(
    request: AuthedRequest, records: QuerySet[TrainingRecord]
) -> tuple[list[actions.AttendanceRow], list[str]]:
    rows, errors = [], []
    for record in records:
        attended = request.POST.get(f"attended-{record.pk}") == "on"
        raw = (request.POST.get(f"score-{record.pk}") or "").strip()
        score = None
        if raw:
            try:
                score = Decimal(raw)
            except InvalidOperation:
                errors.append(_("%s：成绩应为数字。") % record.assistant.name)
                continue
        rows.append(actions.AttendanceRow(record.pk, attended, score))
    return rows, errors


@dataclass
class RateRow:
    code: str
    name: str
    participation: Counts
    passing: Counts
    participation_url: str = ""
    passing_url: str = ""


def _met(key: str, goals: dict[str, Any], rate: Decimal | None) -> bool | None:
    target = goals.get(key)
    if target is not None:
        met: bool | None = target.is_met(rate)
        return met
    return None if rate is None else rate >= training.TARGET * 100


@scoped(*MANAGERS)
def training_rates(request: AuthedRequest) -> HttpResponse:
    """Participation and pass rates of business training per county (or township) and year,
    computed by the indicators training_participation and training_pass."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
        period = periods.year(year)
    except (ValueError, periods.PeriodError):
        year, period = today.year, periods.year(today.year)
    region = get_visible_or_404(
        Region, request.user, code=request.GET.get("region") or request.user.region_id
    )
    length = CODE_LENGTH[Level.COUNTY] if region.level < Level.COUNTY else CODE_LENGTH[Level.TOWNSHIP]
    participation, passing = indicator("training_participation"), indicator("training_pass")
    part_counts = participation.counts(region.code, period, length)
    pass_counts = passing.counts(region.code, period, length)
    names = dict(
        Region.objects.visible_to(request.user).filter(code__in=list(part_counts)).values_list("code", "name")
    )
    rows = [
        RateRow(
            code,
            names.get(code, code),
            counts,
            pass_counts.get(code, Counts()),
            participation.list_url(code, period),
            passing.list_url(code, period),
        )
        for code, counts in sorted(part_counts.items())
    ]
    total = RateRow(
        region.code,
        region.name,
        participation.total(region.code, period),
        passing.total(region.code, period),
        participation.list_url(region.code, period),
        passing.list_url(region.code, period),
    )
    goals = targets(region)
    return render(
        request,
        "personnel/training_rates.html",
        {
            "year": year,
            "years": list(range(today.year, today.year - 6, -1)),
            "region": region,
            "rows": [
                (
                    r,
                    _met(participation.key, goals, r.participation.rate),
                    _met(passing.key, goals, r.passing.rate),
                )
                for r in rows
            ],
            "total": (
                total,
                _met(participation.key, goals, total.participation.rate),
                _met(passing.key, goals, total.passing.rate),
            ),
            "child_is_county": length == CODE_LENGTH[Level.COUNTY],
            "basis": participation.basis,
        },
    )


# --- staffing -----------------------------------------------------------------------------


@scoped(*MANAGERS)
def staffing_view(request: AuthedRequest) -> HttpResponse:
    """Per township: ledger, required inspections, active assistants, load; flagged first."""
    code = request.GET.get("region") or request.user.region_id
    region = get_visible_or_404(Region, request.user, code=code)
    if region.level < Level.COUNTY:
        return render(
            request,
            "personnel/staffing_counties.html",
            {"region": region, "counties": staffing.counties(region.code)},
        )
    return render(
        request,
        "personnel/staffing.html",
        {
            "region": region,
            "rows": staffing.townships(region.code),
            "policy": staffing.StaffingPolicy.for_region(region),
            "back": region.code[:4] if request.user.region.level < Level.COUNTY else "",
        },
    )
