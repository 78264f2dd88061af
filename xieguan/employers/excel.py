"""The ledger in Excel: its columns, checking and applying an import, the template, the export.

The reading, the per-row report and the workbook writing are generic (xieguan.lib.tabular);
this module says what the ledger's columns are and what a valid row means, and turns each
clean row into a plan (create, update with the changed fields, or unchanged) that the
domain actions carry out.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.employers.actions import (
    LedgerError,
    changed_fields,
    create_employers,
    missing_labels,
    update_employer,
)
from xieguan.employers.forms import (
    check_closed,
    check_declaration,
    check_radiation,
    check_workers,
    label,
    reconcile_industry,
)
from xieguan.employers.ledger import LedgerQuery, spans_counties
from xieguan.employers.models import (
    Employer,
    HazardCategory,
    HazardFactor,
    Industry,
    IndustryCode,
    OperatingStatus,
)
from xieguan.lib import tabular
from xieguan.lib.tabular import (
    BOOL,
    CHOICE,
    CODE,
    DATE,
    DATETIME,
    INTEGER,
    MULTI,
    TEXT,
    Column,
    Row,
    Table,
    TableSpec,
    one_snapshot,
)
from xieguan.lib.text import fold, name_key
from xieguan.lib.validators import clean_credit_code, clean_phone
from xieguan.regions.models import CODE_LENGTH, Level, Region
from xieguan.regions.policy import policies_remembered

if TYPE_CHECKING:
    from xieguan.accounts.models import User

TITLE = "用人单位基本信息登记台账"
VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会")
CHUNK = 500
MAX_DROPDOWN_VILLAGES = 3000


def short_village(name: str) -> str:
    for suffix in VILLAGE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return name


def _region_key(name: str) -> str:
    return name_key(short_village(fold(name)))


def ledger_spec(user: User | None = None) -> TableSpec:
    """The ledger's columns; drop-down lists come from the code lists and the user's scope."""
    townships: tuple[str, ...] = ()
    villages: tuple[str, ...] = ()
    if user is not None:
        scope = Region.objects.visible_to(user)
        townships = tuple(scope.filter(level=Level.TOWNSHIP).order_by("code").values_list("name", flat=True))
        village_qs = scope.filter(level=Level.VILLAGE)
        if village_qs.count() <= MAX_DROPDOWN_VILLAGES:
            villages = tuple(
                short_village(n) for n in village_qs.order_by("code").values_list("name", flat=True)
            )
    categories = tuple(HazardCategory.objects.values_list("name", flat=True))
    factors = tuple(HazardFactor.objects.order_by("category__order", "name").values_list("name", flat=True))
    codes = tuple(f"{c.code} {c.name}" for c in IndustryCode.objects.all())
    yes_no = ("是", "否")
    columns = (
        Column(
            "name",
            "用人单位名称",
            TEXT,
            required=True,
            max_length=200,
            aliases=("单位名称", "企业名称", "用人单位", "企业(单位)名称"),
            note="与营业执照上的名称一致。",
            example="盘州市柏果镇示例煤矿",
        ),
        Column(
            "credit_code",
            "统一社会信用代码",
            CODE,
            aliases=("信用代码", "社会信用代码", "统一代码"),
            note="18 位，含校验位；没有可不填。请保持“文本”格式。",
            example="91520281MA6DLPXW4T",
            width=20,
        ),
        Column(
            "township",
            "乡(镇、街道)",
            TEXT,
            aliases=("乡镇", "乡(镇)", "所在乡镇", "乡镇(街道)", "镇(乡、街道)"),
            choices=townships,
            note="单位所在的乡镇；协管员只能填本乡镇。",
            example="柏果镇",
        ),
        Column(
            "village",
            "村(社区)",
            TEXT,
            aliases=("村", "社区", "村(居)委会", "所在村", "村(居)"),
            choices=villages,
            note="单位所在的村或社区，可不填（视为乡镇直属）。",
            example="柏果社区",
        ),
        Column(
            "region_code",
            "区划代码",
            CODE,
            aliases=("行政区划代码", "区划编码"),
            width=14,
            note="可选：12 位村(社区)代码或 9 位乡镇代码；填写后以代码为准。",
        ),
        Column(
            "address",
            "地址",
            TEXT,
            max_length=300,
            aliases=("单位地址", "详细地址", "地  址"),
            note="乡镇、村(社区)、组或门牌号。",
            example="柏果镇柏果社区 3 组",
            width=24,
        ),
        Column(
            "legal_representative",
            "法定代表人",
            TEXT,
            max_length=50,
            aliases=("法人", "法人代表", "负责人", "法定代表人(负责人)"),
            example="张三",
        ),
        Column(
            "phone",
            "联系电话",
            CODE,
            aliases=("电话", "联系方式", "手机", "手机号码", "电话号码"),
            note="手机 11 位；固定电话带区号，如 0858-3221234。",
            example="13908581126",
            width=14,
        ),
        Column(
            "industry",
            "行业类别",
            CHOICE,
            choices=tuple(str(label) for _, label in Industry.choices),
            aliases=("行业", "重点行业", "行业分类"),
            note="填写行业代码时可不填，按代码对应关系确定。",
            example="煤矿",
        ),
        Column(
            "industry_code",
            "国民经济行业代码",
            TEXT,
            aliases=("行业代码", "国民经济行业分类代码", "行业大类代码"),
            choices=codes,
            note="GB/T 4754-2017 大类代码（两位），可不填。",
            example="06 煤炭开采和洗选业",
            width=22,
        ),
        Column(
            "hazard_categories",
            "职业病危害因素类别",
            MULTI,
            choices=categories,
            aliases=("危害因素类别", "危害类别", "职业病危害因素种类"),
            note="至少填一类；填了具体危害因素时可不填。",
            example="粉尘、物理因素",
            width=18,
        ),
        Column(
            "hazard_factors",
            "职业病危害因素",
            MULTI,
            choices=factors,
            dropdown=False,
            aliases=("主要职业病危害因素", "危害因素", "危害因素名称"),
            note="可选，名称与代码表一致。",
            example="煤尘、矽尘、噪声",
            width=20,
        ),
        Column(
            "radiation_work",
            "从事放射工作",
            BOOL,
            choices=yes_no,
            aliases=("放射工作", "是否从事放射工作"),
            note="是/否，不填为否。",
            example="否",
        ),
        Column(
            "construction_project",
            "有在建建设项目",
            BOOL,
            choices=yes_no,
            aliases=("在建建设项目", "建设项目", "是否有在建项目"),
            note="是/否，不填为否。",
            example="否",
        ),
        Column(
            "workers",
            "劳动者人数",
            INTEGER,
            aliases=("职工人数", "从业人数", "职工总数", "劳动者总数"),
            example=120,
        ),
        Column(
            "exposed_workers",
            "接触职业病危害因素人数",
            INTEGER,
            aliases=("接害人数", "接触人数", "接触危害人数", "接触职业病危害人数"),
            note="不能多于劳动者人数。",
            example=80,
            width=12,
        ),
        Column(
            "status",
            "生产状态",
            CHOICE,
            choices=tuple(str(label) for _, label in OperatingStatus.choices),
            aliases=("状态", "经营状态", "生产经营状态"),
            choice_aliases={
                "正常": "在产",
                "生产": "在产",
                "营业": "在产",
                "在营": "在产",
                "停业": "停产",
                "歇业": "停产",
                "注销": "关闭",
                "已关闭": "关闭",
                "关停": "关闭",
            },
            note="不填为在产。",
            example="在产",
        ),
        Column("closed_reason", "关闭原因", TEXT, max_length=200, note="生产状态为关闭时必填。"),
        Column(
            "serious_hazard",
            "职业病危害严重",
            BOOL,
            choices=yes_no,
            aliases=("是否危害严重", "危害严重"),
            note="是/否，不填为否。",
            example="否",
        ),
        Column(
            "declaration_date",
            "最近申报日期",
            DATE,
            aliases=("申报日期", "职业病危害项目申报日期"),
            note="职业病危害项目申报日期，如 2024-05-01。",
            example="2024-05-01",
            width=12,
        ),
        Column(
            "declaration_receipt",
            "申报回执编号",
            TEXT,
            max_length=50,
            aliases=("回执编号", "申报回执号"),
            example="GZ2024001",
        ),
    )
    return TableSpec(
        title=TITLE,
        columns=columns,
        sheet_name="台账",
        notes=(
            "1. 第 2 行是表头，请勿修改列名；第 3 行是示例（以“（示例）”开头的行不会导入），可删除。",
            "2. 红色列名为必填。其余各列可不填；已登记的单位再次导入时，空白单元格不会清除已有内容。",
            "3. 已登记的单位按统一社会信用代码，或同一乡镇内的单位名称识别，不会重复新增。",
            "4. 导入前系统先逐行检查，只要有一行有问题就不写入，并给出问题清单；"
            "也可以选择只导入没有问题的行。",
            "5. 号码类的列（信用代码、电话、区划代码）请保持“文本”格式，"
            "避免 Excel 去掉开头的 0 或改动长号码。",
        ),
    )


# --- checking -------------------------------------------------------------------------


@dataclass
class RowPlan:
    action: str  # "create", "update", "unchanged"
    data: dict[str, Any]
    name: str
    employer_id: int | None = None
    changes: list[str] = field(default_factory=list)


@dataclass
class ImportCheck:
    table: Table
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
        }

    def plans(self) -> list[tuple[int, RowPlan]]:
        return [(row.number, row.payload) for row in self.table.rows if row.ok and row.payload is not None]

    def changed_rows(self) -> list[dict[str, Any]]:
        return [
            {"row": n, "name": p.name, "action": p.action, "changes": [label(f) for f in p.changes]}
            for n, p in self.plans()
            if p.action == "update"
        ]


class _Context:
    """Everything a row check needs, loaded once for the whole file."""

    def __init__(self, user: User, table: Table) -> None:
        self.user = user
        scope = Region.objects.visible_to(user).filter(level__in=(Level.TOWNSHIP, Level.VILLAGE))
        self.regions: dict[str, Region] = {}
        self.townships_by_name: dict[str, list[Region]] = {}
        self.villages: dict[str, dict[str, Region]] = {}
        for region in scope.only("code", "name", "level", "parent"):
            self.regions[region.code] = region
            if region.level == Level.TOWNSHIP:
                self.townships_by_name.setdefault(name_key(region.name), []).append(region)
            else:
                self.villages.setdefault(region.code[:9], {})[_region_key(region.name)] = region
        self.own_township = user.region if user.region.level == Level.TOWNSHIP else None
        self.categories = {c.name: c for c in HazardCategory.objects.all()}
        self.factors: dict[str, HazardFactor] = {}
        for factor in HazardFactor.objects.select_related("category"):
            self.factors.setdefault(factor.name, factor)
        self.codes = {c.code: c for c in IndustryCode.objects.all()}
        self.industry_by_label = {str(label): value for value, label in Industry.choices}
        self.status_by_label = {str(label): value for value, label in OperatingStatus.choices}
        # Existing employers the file may refer to: by credit code (anywhere) and by name in the scope.
        codes = set()
        for row in table.rows:
            try:
                code = clean_credit_code(row.values.get("credit_code"))
            except ValidationError:
                continue
            if code:
                codes.add(code)
        self.by_code: dict[str, tuple[int, str]] = {}
        code_list = sorted(codes)
        for start in range(0, len(code_list), CHUNK):
            for pk, code, region_id in Employer.objects.filter(
                credit_code__in=code_list[start : start + CHUNK]
            ).values_list("pk", "credit_code", "region_id"):
                self.by_code[str(code)] = (pk, region_id)
        self.by_name: dict[tuple[str, str], int] = {
            (township, key): pk
            for pk, township, key in Employer.objects.visible_to(user).values_list(
                "pk", "township_id", "name_key"
            )
        }
        self.seen_codes: dict[str, int] = {}
        self.seen_names: dict[tuple[str, str], int] = {}


def check_import(table: Table, user: User) -> ImportCheck:
    """Validate every row and plan it (create / update / unchanged). Writes nothing."""
    ctx = _Context(user, table)
    with policies_remembered():  # the province's industry mapping: read once, not per row
        for row in table.rows:
            _check_row(row, ctx)
        _plan_updates(table, ctx)
    check = ImportCheck(table, read=len(table.rows))
    for row in table.rows:
        if not row.ok:
            check.failed += 1
        elif row.payload.action == "create":
            check.created += 1
        elif row.payload.action == "update":
            check.updated += 1
        else:
            check.unchanged += 1
    return check


def _region(row: Row, ctx: _Context) -> Region | None:
    code = row.values.get("region_code")
    if code:
        region = ctx.regions.get(code)
        if region is None:
            row.add_issue(
                "region_code", _("区划代码不存在，或不在您的辖区内（应为 9 位乡镇或 12 位村(社区)代码）。")
            )
        return region
    township_name = row.values.get("township")
    if township_name:
        found = ctx.townships_by_name.get(name_key(township_name))
        if not found:
            # "柏果" for "柏果镇": a unique prefix match
            key = name_key(township_name)
            found = [r for k, rs in ctx.townships_by_name.items() if k.startswith(key) for r in rs]
        if not found:
            row.add_issue("township", _("您的辖区内没有这个乡(镇、街道)。"))
            return None
        if len(found) > 1:
            row.add_issue("township", _("辖区内有多个同名乡镇，请在“区划代码”列填写代码。"))
            return None
        township = found[0]
    elif ctx.own_township is not None:
        township = ctx.own_township
    else:
        row.add_issue("township", _("请填写乡(镇、街道)，或填写区划代码。"), value="")
        return None
    village_name = row.values.get("village")
    if not village_name:
        return township
    villages = ctx.villages.get(township.code, {})
    key = _region_key(village_name)
    village = villages.get(key)
    if village is None:
        # "云中" for 云中社区居民委员会: a unique prefix match
        found = [r for k, r in villages.items() if k.startswith(key)]
        if len(found) == 1:
            return found[0]
        if found:
            row.add_issue("village", _("在%(t)s有多个村(社区)以此开头，请写全称。") % {"t": township.name})
        else:
            row.add_issue("village", _("在%(t)s没有找到这个村(社区)。") % {"t": township.name})
    return village


def _check_row(row: Row, ctx: _Context) -> None:
    v = row.values
    data: dict[str, Any] = {}
    provided: set[str] = set()  # fields the row gives (empty cells keep what is on record)

    def rule(key: str, check: Any) -> None:
        try:
            check()
        except ValidationError as exc:
            row.add_issue(key, " ".join(exc.messages))

    name = v.get("name") or ""
    data["name"] = name
    provided.add("name")
    for key, clean in (("credit_code", clean_credit_code), ("phone", clean_phone)):
        if v.get(key):
            try:
                data[key] = clean(v[key])
                provided.add(key)
            except ValidationError as exc:
                row.add_issue(key, " ".join(exc.messages))
    region = _region(row, ctx)
    if region is not None:
        data["region"] = region
        provided.add("region")
    for key in ("address", "legal_representative", "declaration_receipt", "closed_reason"):
        if v.get(key):
            data[key] = v[key]
            provided.add(key)
    code = None
    if v.get("industry_code"):
        match = re.match(r"^(\d{1,4})", v["industry_code"])
        digits = match.group(1) if match else ""
        digits = digits.zfill(2) if len(digits) < 2 else digits[:2] if len(digits) == 4 else digits
        code = ctx.codes.get(digits)
        if code is None:
            row.add_issue("industry_code", _("不是 GB/T 4754-2017 的行业大类代码（两位数字，如 06）。"))
        else:
            data["industry_code"] = code
            provided.add("industry_code")
    industry = ctx.industry_by_label.get(v.get("industry") or "", "")
    if industry or code is not None:
        rule(
            "industry",
            lambda: data.__setitem__("industry", reconcile_industry(industry, code, ctx.user.region_id)),
        )
        provided.add("industry")
    categories = {ctx.categories[n].pk: ctx.categories[n] for n in v.get("hazard_categories") or ()}
    factors = []
    for factor_name in v.get("hazard_factors") or ():
        factor = ctx.factors.get(factor_name)
        if factor is not None:
            factors.append(factor)
            categories.setdefault(factor.category_id, factor.category)
    if categories:
        data["hazard_categories"] = list(categories.values())
        provided.add("hazard_categories")
    if factors:
        data["hazard_factors"] = factors
        provided.add("hazard_factors")
    for key in ("radiation_work", "construction_project", "serious_hazard"):
        if v.get(key) is not None:
            data[key] = v[key]
            provided.add(key)
    for key in ("workers", "exposed_workers", "declaration_date"):
        if v.get(key) is not None:
            data[key] = v[key]
            provided.add(key)
    if v.get("status"):
        data["status"] = ctx.status_by_label[v["status"]]
        provided.add("status")
    rule("exposed_workers", lambda: check_workers(data.get("workers"), data.get("exposed_workers")))
    if categories:  # without categories in the row, the category rule below (or the record) decides
        rule("radiation_work", lambda: check_radiation(bool(data.get("radiation_work")), set(categories)))
    rule(
        "declaration_date",
        lambda: check_declaration(data.get("declaration_date"), data.get("declaration_receipt", "")),
    )
    rule("closed_reason", lambda: check_closed(data.get("status", ""), data.get("closed_reason", "")))

    # Which employer the row is about, and duplicates within the file.
    existing_id = None
    credit_code = data.get("credit_code")
    if credit_code:
        first = ctx.seen_codes.setdefault(credit_code, row.number)
        if first != row.number:
            row.add_issue("credit_code", _("与第 %(n)s 行的统一社会信用代码重复。") % {"n": first})
        if credit_code in ctx.by_code:
            pk, region_id = ctx.by_code[credit_code]
            if not region_id.startswith(ctx.user.region_id):
                row.add_issue(
                    "credit_code",
                    _("该统一社会信用代码已在其他辖区登记，不能重复登记；请与县(区)卫生健康行政部门核实。"),
                )
            else:
                existing_id = pk
    if region is not None and name:
        township = region.code[:9]
        first = ctx.seen_names.setdefault((township, name_key(name)), row.number)
        if first != row.number:
            row.add_issue("name", _("与第 %(n)s 行是同一乡镇的同名单位。") % {"n": first})
        by_name = ctx.by_name.get((township, name_key(name)))
        if by_name is not None:
            if existing_id is not None and by_name != existing_id:
                row.add_issue(
                    "name", _("该名称在本乡镇已登记为另一家单位，与统一社会信用代码对应的单位不一致。")
                )
            existing_id = existing_id or by_name
    if existing_id is None:
        if (
            region is None
            and not row.failed("township")
            and not row.failed("village")
            and not row.failed("region_code")
        ):
            row.add_issue("township", _("请填写乡(镇、街道)，或填写区划代码。"), value="")
        if not categories and not row.failed("hazard_categories"):
            row.add_issue(
                "hazard_categories", _("请至少填写一类职业病危害因素（或具体危害因素）。"), value=""
            )
        if "industry" not in data and not row.failed("industry") and not row.failed("industry_code"):
            row.add_issue("industry", _("请填写行业类别，或国民经济行业代码。"), value="")
    if row.ok:
        if existing_id is None:
            data.setdefault("status", OperatingStatus.OPERATING)
            row.payload = RowPlan("create", data, name)
        else:
            row.payload = RowPlan("update", {k: data[k] for k in provided if k in data}, name, existing_id)


def _plan_updates(table: Table, ctx: _Context) -> None:
    """For rows about existing employers: the changed fields, or unchanged."""
    rows = [row for row in table.rows if row.ok and row.payload.action == "update"]
    ids = [row.payload.employer_id for row in rows]
    employers: dict[int, Employer] = {}
    for start in range(0, len(ids), CHUNK):
        employers.update(
            Employer.objects.filter(pk__in=ids[start : start + CHUNK])
            .prefetch_related("hazard_categories", "hazard_factors")
            .in_bulk()
        )
    for row in rows:
        plan = row.payload
        employer = employers[plan.employer_id]
        data = dict(plan.data)
        # Exposed workers must stay within the workers on record when only one of them is given.
        rule_workers = (
            data.get("workers", employer.workers),
            data.get("exposed_workers", employer.exposed_workers),
        )
        try:
            check_workers(*rule_workers)
        except ValidationError as exc:
            row.add_issue("exposed_workers", " ".join(exc.messages))
            row.payload = None
            continue
        if (
            data.get("status") == OperatingStatus.CLOSED
            and not data.get("closed_reason")
            and employer.closed_reason
        ):
            data["closed_reason"] = employer.closed_reason
        plan.data = data
        plan.changes = changed_fields(employer, data)
        plan.action = "update" if plan.changes else "unchanged"


# --- applying -------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


@transaction.atomic
def apply_import(
    check: ImportCheck, user: User, *, only_clean: bool = False, source: str = ""
) -> ImportResult:
    """Write a checked file: all rows, or (when asked) the clean rows only. All or nothing."""
    with policies_remembered():  # policies read once for the whole file, not per row
        return _apply_import(check, user, only_clean=only_clean, source=source)


def _apply_import(check: ImportCheck, user: User, *, only_clean: bool, source: str) -> ImportResult:
    if check.failed and not only_clean:
        raise LedgerError(
            f"有 {check.failed} 行未通过检查，没有写入任何数据。请改正后重新导入，或选择只导入没有问题的行。"
        )
    result = ImportResult(skipped=check.failed)
    reason = f"Excel 导入：{source}" if source else "Excel 导入"
    plans = check.plans()
    for number, plan in plans:
        try:
            if plan.action == "update":
                employer = Employer.objects.get(pk=int(plan.employer_id or 0))
                update_employer(
                    employer, plan.data, by=user, expected_version=employer.version, reason=reason
                )
                result.updated += 1
            elif plan.action == "unchanged":
                result.unchanged += 1
        except LedgerError as exc:
            raise LedgerError(
                _("第 %(n)s 行：%(m)s（没有写入任何数据）") % {"n": number, "m": exc.message}
            ) from exc
    new = [plan.data for _, plan in plans if plan.action == "create"]
    try:
        result.created = len(create_employers(new, by=user, reason=reason)) if new else 0
    except LedgerError as exc:
        raise LedgerError(_("%(m)s（没有写入任何数据）") % {"m": exc.message}) from exc
    return result


def read_ledger_file(source: bytes | IO[bytes], user: User, filename: str = "") -> ImportCheck:
    return check_import(tabular.read_table(source, ledger_spec(user), filename=filename), user)


# --- template and export -----------------------------------------------------------------


def template_bytes(user: User) -> bytes:
    spec = ledger_spec(user)
    example = {c.key: c.example for c in spec.columns}
    if user.region.level == Level.TOWNSHIP:
        example["township"] = user.region.name
        example["village"] = ""
    return tabular.template_workbook(spec, example)


EXPORT_EXTRA = (
    Column("registered", "已登记", BOOL, width=6),
    Column("missing", "缺少的登记项", TEXT, width=24),
    Column("is_key", "重点巡查单位", BOOL, width=6),
    Column("declaration_overdue", "申报超期", BOOL, width=6),
    Column("last_inspected_on", "最近巡查日期", DATE, width=12),
    Column("updated_at", "最近修改", DATETIME),
)


def export_columns() -> tuple[Column, ...]:
    return tuple(c for c in ledger_spec().columns) + EXPORT_EXTRA


# A ledger of several counties (a prefecture's, the province's) says each employer's county,
# before its township: printed, 柏果镇 of 盘州市 and 岩脚镇 of 六枝特区 read the same otherwise.
# Not read on import (an extra column is passed over; the township and 区划代码 place the row).
COUNTY_COLUMN = Column("county", "县(市、区)", TEXT, width=12)
COUNTY_AT = 2  # before 乡(镇、街道)
REGION_AT = 4  # the 区划代码 value of an ``export_rows`` row (a village's or township's code)


EXPORT_FIELDS = (
    "pk",
    "name",
    "credit_code",
    "township__name",
    "region_id",
    "township_id",
    "region__name",
    "address",
    "legal_representative",
    "phone",
    "industry",
    "industry_code__code",
    "industry_code__name",
    "radiation_work",
    "construction_project",
    "workers",
    "exposed_workers",
    "status",
    "closed_reason",
    "serious_hazard",
    "declaration_date",
    "declaration_receipt",
    "registered",
    "missing_json",  # missing_fields as text (``export_rows``)
    "is_key",
    "last_inspected_on",
    "updated_at",
)


def export_rows(query: LedgerQuery, chunk_size: int = 2000) -> Iterator[list[Any]]:
    """One list of cell values per employer, streamed from the database.

    Plain values, not model instances (a province's 30,000 rows), from three statements read
    side by side: the employers with their township, village and industry code, and their
    hazard categories and factors (each in its model's order) sorted in the employers' order,
    so that each employer's names are the next ones of each stream (``_NamesInOrder``): no
    list of ids sent per chunk, memory that does not grow with the rows. The streams agree only
    if they read the same data: read them inside ``one_snapshot`` (``write_export`` does)."""
    industry = {key: str(label) for key, label in Industry.choices}
    status = {key: str(label) for key, label in OperatingStatus.choices}
    # 缺少的登记项 of each list of keys, translated once: read as the JSON's text (no converter
    # per row) and decoded the first time that text comes.
    missing: dict[str, str] = {}

    def missing_text(raw: str) -> str:
        text = missing.get(raw)
        if text is None:
            text = missing[raw] = "、".join(missing_labels(json.loads(raw)))
        return text

    employers = query.employers
    order = tuple(f for f in employers.query.order_by if isinstance(f, str))
    if len(order) != len(employers.query.order_by):
        raise ValueError("the ledger export sorts by fields only")
    if not order or order[-1] not in ("pk", "id"):
        order = (*order, "pk")  # a total order: the streams must agree on every employer's place
        employers = employers.order_by(*order)
    in_scope = employers.order_by().values("pk")
    # The ledger's region stated again on the employer each name row is joined to (for the sort):
    # the rows are the same (``in_scope`` lies in it, ``ledger_for``), but PostgreSQL then reads
    # that region's employers by the region index instead of every employer of the database to
    # join them to ``in_scope`` (the largest county's categories: 32-70 → 10-14 ms under load).
    in_region = {"employer__region__code__startswith": query.region.code}
    categories = _NamesInOrder(
        Employer.hazard_categories.through.objects.filter(employer__in=in_scope, **in_region)
        .order_by(*_through_order(order), "hazardcategory__order")
        .values_list("employer_id", "hazardcategory__name")
        .iterator(chunk_size=chunk_size)
    )
    factors = _NamesInOrder(
        Employer.hazard_factors.through.objects.filter(employer__in=in_scope, **in_region)
        .order_by(*_through_order(order), "hazardfactor__category__order", "hazardfactor__name")
        .values_list("employer_id", "hazardfactor__name")
        .iterator(chunk_size=chunk_size)
    )
    for (
        pk,
        name,
        credit_code,
        township_name,
        region_id,
        township_id,
        region_name,
        address,
        legal_representative,
        phone,
        industry_key,
        code,
        code_name,
        radiation_work,
        construction_project,
        workers,
        exposed_workers,
        status_key,
        closed_reason,
        serious_hazard,
        declaration_date,
        declaration_receipt,
        registered,
        missing_json,
        is_key,
        last_inspected_on,
        updated_at,
    ) in (
        employers.annotate(missing_json=Cast("missing_fields", TextField()))
        .values_list(*EXPORT_FIELDS)
        .iterator(chunk_size=chunk_size)
    ):
        yield [
            name,
            credit_code or "",
            township_name,
            short_village(region_name) if region_id != township_id else "",
            region_id,
            address,
            legal_representative,
            phone,
            industry.get(industry_key, ""),
            f"{code} {code_name}" if code else "",
            categories.take(pk),
            factors.take(pk),
            radiation_work,
            construction_project,
            workers,
            exposed_workers,
            status.get(status_key, ""),
            closed_reason,
            serious_hazard,
            declaration_date,
            declaration_receipt,
            registered,
            missing_text(missing_json),
            is_key,
            declaration_date is None or declaration_date < query.cutoff,
            last_inspected_on,
            updated_at,  # a date-time in local time (``xlsx.save_rows``)
        ]
    categories.finish()
    factors.finish()


def _through_order(order: tuple[str, ...]) -> list[str]:
    """The employers' ``order_by`` as the order of rows of a table pointing to them."""
    out = []
    for field_name in order:
        descending, bare = field_name.startswith("-"), field_name.lstrip("-")
        path = "employer_id" if bare in ("pk", "id") else f"employer__{bare}"
        out.append(f"-{path}" if descending else path)
    return out


class _NamesInOrder:
    """``(employer_id, name)`` pairs sorted in the employers' order, taken employer by employer."""

    def __init__(self, pairs: Iterator[tuple[int, str]]) -> None:
        self.pairs = pairs
        self.head = next(pairs, None)

    def take(self, employer_id: int) -> list[str]:
        names = []
        while self.head is not None and self.head[0] == employer_id:
            names.append(self.head[1])
            self.head = next(self.pairs, None)
        return names

    def finish(self) -> None:
        """Every pair was taken: a pair left over came out of the employers' order (its names
        would be missing from a row), which is a fault of this module, not of the data."""
        if self.head is not None:
            raise RuntimeError(f"ledger export: names of employer {self.head[0]} out of the employers' order")


def export_title(query: LedgerQuery, today: dt.date | None = None) -> str:
    day = today or timezone.localdate()
    return f"{query.region.path_name()}{TITLE}（导出日期：{day:%Y-%m-%d}）"


# The printable version's columns (打印版): what a clerk reads on paper, 13 of the 27, with
# their widths on paper (characters; about 150 across, so a landscape A4 prints at ~95 %).
PRINT_COLUMNS = {
    "name": 24,
    "county": 12,  # a ledger of several counties only (``COUNTY_COLUMN``)
    "township": 10,
    "village": 10,
    "address": 22,
    "legal_representative": 9,
    "phone": 13,
    "industry": 9,
    "hazard_categories": 16,
    "exposed_workers": 7,
    "status": 7,
    "declaration_date": 11,
    "is_key": 7,
    "last_inspected_on": 11,
}


def write_export(target: IO[bytes], query: LedgerQuery, *, printable: bool = False) -> int:
    """The ledger as .xlsx: all 27 columns (the data file, which imports back), or with
    ``printable`` the 打印版 — ``PRINT_COLUMNS`` only, cells boxed and wrapped, each row as high
    as its text, A4 landscape fitted to the width (``tabular.write_table``). A ledger of several
    counties (``spans_counties``) has ``COUNTY_COLUMN`` before the township in both. Its three statements
    (``export_rows``) read one snapshot: an employer closed, renamed or edited by another user
    while they are read would otherwise leave its hazard names out of the employers' order."""
    with one_snapshot(query.employers.db):
        return _write_export(target, query, printable=printable)


def _with_county(query: LedgerQuery, rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    """``rows`` with each employer's county name at ``COUNTY_AT`` (from its region code). The
    counties are those within the ledger's region (``ledger_for`` found it in the user's scope)."""
    counties = Region.objects.within(query.region.code).filter(level=Level.COUNTY)
    names = dict(counties.values_list("code", "name"))
    county_length = CODE_LENGTH[Level.COUNTY]
    for row in rows:
        row.insert(COUNTY_AT, names.get(row[REGION_AT][:county_length], ""))
        yield row


def _write_export(target: IO[bytes], query: LedgerQuery, *, printable: bool) -> int:
    columns = export_columns()
    rows: Iterator[list[Any]] = export_rows(query)
    title = export_title(query)
    if spans_counties(query):
        columns = (*columns[:COUNTY_AT], COUNTY_COLUMN, *columns[COUNTY_AT:])
        rows = _with_county(query, rows)
    if printable:
        keep = [i for i, c in enumerate(columns) if c.key in PRINT_COLUMNS]
        columns = tuple(replace(columns[i], width=PRINT_COLUMNS[columns[i].key]) for i in keep)
        rows = ([row[i] for i in keep] for row in rows)
        title = title.replace(TITLE, f"{TITLE}（打印版）", 1)
    return tabular.write_table(
        target,
        title=title,
        columns=columns,
        rows=rows,
        sheet_name="台账",
        # "&" starts a code in a page footer (&P, &B …): a name's own "&" is doubled to print as one
        footer=f"{query.region.name.replace('&', '&&')} {TITLE} 第 &P 页，共 &N 页",
        printable=printable,
    )
