"""Excel pages of the ledger: export, import template, upload, check report, apply."""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.audit.log import record as audit_record
from xieguan.audit.models import Kind
from xieguan.employers.actions import LedgerError
from xieguan.employers.excel import ImportCheck, apply_import, read_ledger_file, template_bytes, write_export
from xieguan.employers.forms import UploadForm
from xieguan.employers.ledger import ledger_for
from xieguan.employers.models import EmployerImport
from xieguan.employers.views import EDIT_ROLES, filter_params
from xieguan.lib.access import AuthedRequest, scoped
from xieguan.lib.files import private_headers
from xieguan.lib.scoping import get_visible_or_404
from xieguan.lib.tabular import TableError, report_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SHOWN_ISSUES = 300
STORED_ISSUES = 5000
STORED_CHANGES = 500


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = _attachment(filename)
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{quote(filename)}"


@scoped()
def export(request: AuthedRequest) -> FileResponse:
    """The ledger of the current filter, streamed: rows are read in chunks and written to a
    temporary file (``tabular.write_table``), then sent in blocks. ``?print=1``: the
    printable version (a dozen columns for paper); without it the 27-column data file."""
    _form, params = filter_params(request)
    query = ledger_for(request.user, params)
    printable = request.GET.get("print") == "1"
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    count = write_export(target, query, printable=printable)
    target.seek(0)
    # Legal representatives' names and telephone numbers: a personal-data export.
    audit_record(
        request, Kind.EXPORT, region_id=query.region.code, record=_("用人单位台账（%(n)s 家）") % {"n": count}
    )
    kind = "用人单位台账（打印版）" if printable else "用人单位台账"
    filename = f"{kind}-{query.region.name}-{timezone.localdate():%Y%m%d}.xlsx"
    return private_headers(FileResponse(target, as_attachment=True, filename=filename, content_type=XLSX))


@scoped(*EDIT_ROLES)
def template(request: AuthedRequest) -> HttpResponse:
    return xlsx_response(template_bytes(request.user), "用人单位台账导入模板.xlsx")


def _summary(check: ImportCheck) -> dict[str, Any]:
    table = check.table
    return {
        "check": check.counts(),
        "sheet": table.sheet_title,
        "header_row": table.header_row,
        "ignored_headers": table.ignored_headers,
        "skipped_examples": table.skipped_examples,
        "changed": check.changed_rows()[:STORED_CHANGES],
    }


@scoped(*EDIT_ROLES)
def upload(request: AuthedRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        if uploaded.size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("文件太大（超过 20 MB）；请分成几个文件导入。"))
        else:
            content = uploaded.read()
            try:
                check = read_ledger_file(content, request.user, filename=uploaded.name)
            except TableError as exc:
                form.add_error("file", exc.message)
            else:
                record = EmployerImport(
                    region=request.user.region, uploaded_by=request.user, original_name=uploaded.name[:200]
                )
                record.file.save(uploaded.name, ContentFile(content), save=False)
                record.summary = _summary(check)
                record.issues = [i.as_dict() for i in check.table.issues[:STORED_ISSUES]]
                record.save()
                return redirect("employers:import_detail", pk=record.pk)
    recent = (
        EmployerImport.objects.visible_to(request.user)
        .filter(uploaded_by=request.user)
        .order_by("-uploaded_at")[:10]
    )
    return render(request, "employers/import.html", {"form": form, "recent": recent})


def _recheck(record: EmployerImport, user: Any) -> ImportCheck:
    with record.file.open("rb") as fh:
        return read_ledger_file(fh.read(), user, filename=record.original_name)


@scoped(*EDIT_ROLES)
def import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_visible_or_404(EmployerImport.objects.select_related("uploaded_by"), request.user, pk=pk)
    mine = record.uploaded_by_id == request.user.pk
    if request.method == "POST":
        if not mine:
            raise PermissionDenied(_("只有上传人可以导入这个文件。"))
        if record.status == EmployerImport.Status.APPLIED:
            messages.info(request, _("这个文件已经导入过了。"))
            return redirect("employers:import_detail", pk=record.pk)
        only_clean = request.POST.get("mode") == "clean"
        try:
            check = _recheck(record, request.user)
            result = apply_import(check, request.user, only_clean=only_clean, source=record.original_name)
        except (LedgerError, TableError) as exc:
            messages.error(request, exc.message)
        else:
            record.summary = {**_summary(check), "result": result.__dict__}
            record.issues = [i.as_dict() for i in check.table.issues[:STORED_ISSUES]]
            record.status = EmployerImport.Status.APPLIED
            record.applied_at = timezone.now()
            record.save()
            messages.success(
                request,
                _("导入完成：新增 %(c)s 家，更新 %(u)s 家，未变 %(n)s 家，跳过有问题的 %(s)s 行。")
                % {"c": result.created, "u": result.updated, "n": result.unchanged, "s": result.skipped},
            )
        return redirect("employers:import_detail", pk=record.pk)
    counts = record.summary.get("check", {})
    return render(
        request,
        "employers/import_detail.html",
        {
            "record": record,
            "counts": counts,
            "issues": record.issues[:SHOWN_ISSUES],
            "more_issues": max(len(record.issues) - SHOWN_ISSUES, 0),
            "changed": record.summary.get("changed", []),
            "result": record.summary.get("result"),
            "mine": mine,
            "clean_rows": counts.get("read", 0) - counts.get("failed", 0),
        },
    )


@scoped(*EDIT_ROLES)
def import_report(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_visible_or_404(EmployerImport, request.user, pk=pk)
    try:
        check = _recheck(record, record.uploaded_by)
    except TableError as exc:
        messages.error(request, exc.message)
        return redirect("employers:import_detail", pk=record.pk)
    content = report_workbook(check.table, title=_("导入检查报告：%(name)s") % {"name": record.original_name})
    return xlsx_response(content, f"导入检查报告-{record.original_name.removesuffix('.xlsx')}.xlsx")
