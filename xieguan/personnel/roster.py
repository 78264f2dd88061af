"""The county's roster (协管员花名册) in Excel: import with a per-row report, all or nothing; export.

Reading, the per-row report, the template and the export writing are the generic engine's
(xieguan.lib.tabular); this module says what the roster's columns are and what a valid row
means. A row is a person: new ID numbers become candidates (待聘), known ones in the county are
updated. Terms are not imported: an appointment needs passed pre-job training and the four
conditions, recorded through the appointment page (personnel.actions).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from xieguan.lib import tabular
from xieguan.lib.tabular import CHOICE, CODE, DATE, TEXT, Column, Row, Table, TableSpec
from xieguan.lib.text import fold, name_key
from xieguan.lib.validators import clean_id_number, clean_phone
from xieguan.personnel import actions
from xieguan.personnel.models import Assistant, AssistantStatus, Education, Gender, Origin
from xieguan.personnel.privacy import id_number_for
from xieguan.regions.models import Level, Region

VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会")
FIELDS = ("name", "gender", "phone", "education", "specialty", "origin", "township_id")


def _labels(choices: Any) -> tuple[str, ...]:
    return tuple(str(label) for _, label in choices)


def _short(name: str) -> str:
    for suffix in VILLAGE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return name


def _stem(name: str) -> str:
    """柏果社区居民委员会 → 柏果: what people write for a village or community."""
    short = _short(name)
    for suffix in ("社区", "村"):
        if short.endswith(suffix) and len(short) > len(suffix):
            return short.removesuffix(suffix)
    return short


def roster_spec(townships: Sequence[str] = ()) -> TableSpec:
    return TableSpec(
        title="职业健康监督协管员花名册",
        sheet_name="协管员",
        columns=(
            Column("name", "姓名", TEXT, required=True, max_length=50, example="张丽"),
            Column("gender", "性别", CHOICE, required=True, choices=_labels(Gender.choices), example="女"),
            Column(
                "id_number",
                "身份证号",
                CODE,
                required=True,
                aliases=("身份证号码", "公民身份号码"),
                example="520203199002141230",
                width=20,
            ),
            Column(
                "phone", "联系电话", CODE, required=True, aliases=("手机", "手机号码"), example="13908581111"
            ),
            Column(
                "education",
                "文化程度",
                CHOICE,
                required=True,
                choices=_labels(Education.choices),
                choice_aliases={"高中": "高中/中专", "中专": "高中/中专", "初中": "初中及以下"},
                example="大专",
            ),
            Column("specialty", "专业", TEXT, max_length=50, example="临床医学"),
            Column(
                "origin", "人员来源", CHOICE, required=True, choices=_labels(Origin.choices), example="村医"
            ),
            Column(
                "township",
                "所在乡(镇、街道)",
                CHOICE if townships else TEXT,
                required=True,
                aliases=("乡镇", "乡(镇)", "所在乡镇"),
                choices=tuple(townships),
                example=townships[0] if townships else "",
            ),
            Column(
                "villages",
                "负责的村(社区)",
                TEXT,
                aliases=("村(社区)", "负责村"),
                note="乡聘村用时填写，多个用顿号分隔；不填表示负责全乡镇。",
            ),
        ),
        notes=(
            "每行一名协管员；身份证号已登记的，按本表更新其信息；新的身份证号登记为待聘人员。",
            "聘任须在系统中办理（须通过岗前培训并确认四项条件），本表不导入聘期。",
            "有任何一行未通过检查时，整个文件都不导入。",
        ),
    )


def _choice_value(choices: Any, label: str) -> str:
    return next(value for value, text in choices if str(text) == label)


@dataclass
class Plan:
    action: str  # "create" | "update" | "unchanged"
    data: dict[str, Any]
    villages: list[Region]
    assistant_id: int | None = None
    changes: list[str] = field(default_factory=list)


@dataclass
class RosterCheck:
    table: Table
    plans: dict[int, Plan] = field(default_factory=dict)  # by Excel row number

    @property
    def failed(self) -> int:
        return len(self.table.failed_rows)

    def counts(self) -> dict[str, int]:
        actions_ = [p.action for p in self.plans.values()]
        return {
            "read": len(self.table.rows),
            "failed": self.failed,
            "issues": len(self.table.issues),
            "create": actions_.count("create"),
            "update": actions_.count("update"),
            "unchanged": actions_.count("unchanged"),
        }


def _townships(user: Any) -> dict[str, Region]:
    return {
        name_key(r.name): r
        for r in Region.objects.visible_to(user).filter(level=Level.TOWNSHIP).order_by("code")
    }


def check_roster(table: Table, user: Any) -> RosterCheck:
    """Validate every row (messages per cell) and plan what would be written."""
    check = RosterCheck(table)
    townships = _townships(user)
    seen: dict[str, int] = {}
    numbers = []
    for row in table.rows:
        _check_row(row, townships, seen)
        if row.payload:
            numbers.append(row.payload["id_number"])
    # ID numbers are unique in the whole system: look beyond the user's scope to refuse a
    # duplicate, without telling anything about the other record.
    existing = {a.id_number: a for a in Assistant.objects.filter(id_number__in=numbers)}
    visible = set(
        Assistant.objects.visible_to(user).filter(id_number__in=numbers).values_list("pk", flat=True)
    )
    village_cache: dict[str, dict[str, Region]] = {}
    for row in table.rows:
        if not row.ok or not row.payload:
            continue
        data = row.payload
        township: Region = data.pop("township")
        data["township_id"] = township.code
        villages = _villages(row, township, village_cache)
        if not row.ok:
            continue
        known = existing.get(data["id_number"])
        if known is not None and known.pk not in visible:
            row.add_issue("id_number", actions.ID_NUMBER_TAKEN)
            continue
        if known is not None and known.status == AssistantStatus.DISMISSED:
            row.add_issue("id_number", "该人员已解聘，不能通过花名册更新。")
            continue
        if known is None:
            check.plans[row.number] = Plan("create", data, villages)
            continue
        changes = [f for f in FIELDS if getattr(known, f) != data[f]]
        current_villages = set(known.villages.values_list("code", flat=True))
        if {v.code for v in villages} != current_villages:
            changes.append("villages")
        check.plans[row.number] = Plan(
            "update" if changes else "unchanged", data, villages, known.pk, changes
        )
    return check


def _check_row(row: Row, townships: dict[str, Region], seen: dict[str, int]) -> None:
    values = row.values
    data: dict[str, Any] = {}
    try:
        data["id_number"] = clean_id_number(values.get("id_number"))
    except ValidationError as exc:
        row.add_issue("id_number", " ".join(exc.messages))
    else:
        if data["id_number"] in seen:
            row.add_issue("id_number", f"与第 {seen[data['id_number']]} 行的身份证号重复。")
        seen.setdefault(data["id_number"], row.number)
    try:
        data["phone"] = clean_phone(values.get("phone"))
    except ValidationError as exc:
        row.add_issue("phone", " ".join(exc.messages))
    township = townships.get(name_key(fold(values.get("township") or "")))
    if township is None and not row.failed("township"):
        row.add_issue("township", "不是本辖区的乡(镇、街道)名称。")
    data["township"] = township
    if row.ok:
        data["name"] = values["name"]
        data["gender"] = _choice_value(Gender.choices, values["gender"])
        data["education"] = _choice_value(Education.choices, values["education"])
        data["origin"] = _choice_value(Origin.choices, values["origin"])
        data["specialty"] = values.get("specialty") or ""
        row.payload = data


def _villages(row: Row, township: Region, cache: dict[str, dict[str, Region]]) -> list[Region]:
    text = row.values.get("villages") or ""
    if not text:
        return []
    if township.code not in cache:
        villages = list(Region.objects.filter(parent=township).only("code", "name"))
        lookup = {name_key(_stem(v.name)): v for v in villages}
        lookup.update({name_key(_short(v.name)): v for v in villages})  # the fuller name wins
        cache[township.code] = lookup
    found: list[Region] = []
    unknown: list[str] = []
    for part in tabular.MULTI_SEPARATORS.split(text):
        if not part:
            continue
        lookup = cache[township.code]
        village = lookup.get(name_key(_short(fold(part)))) or lookup.get(name_key(_stem(fold(part))))
        if village is None:
            unknown.append(part)
        else:
            found.append(village)
    if unknown:
        row.add_issue("villages", f"这些村(社区)不属于{township.name}：{'、'.join(unknown)}。")
    return found


def read_roster(source: bytes | IO[bytes], user: Any, filename: str = "") -> RosterCheck:
    names = [r.name for r in _townships(user).values()]
    return check_roster(tabular.read_table(source, roster_spec(names), filename=filename), user)


@transaction.atomic
def apply_roster(check: RosterCheck) -> dict[str, int]:
    """Write a checked roster: every row or none (a refusal by an action rolls all back)."""
    if check.failed:
        raise ValidationError(f"有 {check.failed} 行未通过检查，没有写入任何数据。请改正后重新导入。")
    done = {"create": 0, "update": 0, "unchanged": 0}
    for number, plan in sorted(check.plans.items()):
        if plan.action == "unchanged":
            done["unchanged"] += 1
            continue
        if plan.assistant_id is not None:
            assistant = Assistant.objects.get(pk=plan.assistant_id)
            for key, value in plan.data.items():
                setattr(assistant, key, value)
        else:
            assistant = Assistant(**plan.data)
        try:
            actions.save_assistant(assistant, plan.villages)
        except ValidationError as exc:
            raise ValidationError(f"第 {number} 行：{' '.join(exc.messages)}（没有写入任何数据）") from exc
        done[plan.action] += 1
    return done


def template_bytes(user: Any) -> bytes:
    names = [r.name for r in _townships(user).values()]
    spec = roster_spec(names)
    return tabular.template_workbook(spec, {c.key: c.example for c in spec.columns})


EXPORT_COLUMNS = (
    Column("name", "姓名", TEXT, width=8),
    Column("gender", "性别", TEXT, width=4),
    Column("id_number", "身份证号", TEXT, width=20),
    Column("phone", "联系电话", TEXT, width=14),
    Column("education", "文化程度", TEXT, width=10),
    Column("specialty", "专业", TEXT, width=12),
    Column("origin", "人员来源", TEXT, width=10),
    Column("township", "所在乡(镇、街道)", TEXT, width=14),
    Column("villages", "负责的村(社区)", TEXT, width=20),
    Column("status", "状态", TEXT, width=8),
    Column("term_end", "聘期至", DATE, width=12),
)


def export_rows(assistants: Iterable[Assistant], user: Any) -> Iterator[list[Any]]:
    """``assistants`` carry ``with_term()`` annotations and prefetched villages."""
    for a in assistants:
        status = getattr(a, "derived_status", a.status)
        yield [
            a.name,
            a.get_gender_display(),
            id_number_for(user, a),
            a.phone,
            a.get_education_display(),
            a.specialty,
            a.get_origin_display(),
            a.township.name,
            "、".join(_short(v.name) for v in a.villages.all()),
            str(AssistantStatus(status).label),
            getattr(a, "term_end", None),
        ]


def write_roster(target: IO[bytes], assistants: Iterable[Assistant], user: Any, region_name: str) -> int:
    return tabular.write_table(
        target,
        title=f"职业健康监督协管员花名册（{region_name}）",
        columns=EXPORT_COLUMNS,
        rows=export_rows(assistants, user),
        sheet_name="协管员",
    )
