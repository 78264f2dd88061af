"""Forms of the ledger: the employer form (web and API), the list filter, close and upload.

The field rules that the Excel importer applies too (industry versus industry code,
exposed <= workers, radiation work needs the radioactive category, the declaration) are
module functions here, so the form, the API and the importer say the same thing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieguan.employers.models import (
    Employer,
    HazardCategory,
    HazardFactor,
    Industry,
    IndustryCode,
    IndustryMapping,
    OperatingStatus,
)
from xieguan.lib import tabular
from xieguan.lib.text import fold, tidy
from xieguan.lib.validators import clean_credit_code, clean_phone, refuse_control_characters
from xieguan.regions.models import Level, Region

if TYPE_CHECKING:
    from xieguan.accounts.models import User

RADIOACTIVE = "radioactive"
MAX_REGION_OPTIONS = 2000  # above this (prefecture and province scopes) the region is typed as a code


def label(field: str) -> str:
    return str(getattr(Employer._meta.get_field(field), "verbose_name", field))


def bootstrap(form: forms.Form) -> None:
    """Bootstrap 5 classes on the widgets (templates render ``{{ field }}``)."""
    for bound in form:
        widget = bound.field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = css


# --- rules shared with the importer ----------------------------------------------------


def reconcile_industry(industry: str | None, code: IndustryCode | None, region: Region | str | None) -> str:
    """The key-industry category: taken from the code's mapping in the region's province when
    only the code is given."""
    if code is not None:
        mapped = code.category_in(region)
        if industry and industry != mapped:
            raise ValidationError(
                _("行业类别“%(chosen)s”与行业代码 %(code)s（%(name)s，属%(mapped)s）不一致。")
                % {
                    "chosen": Industry(industry).label,
                    "code": code.code,
                    "name": code.name,
                    "mapped": Industry(mapped).label,
                },
                code="industry_mismatch",
            )
        return mapped
    if not industry:
        raise ValidationError(_("请选择行业类别，或填写国民经济行业代码。"), code="industry_required")
    return industry


def check_workers(workers: int | None, exposed: int | None) -> None:
    if workers is not None and exposed is not None and exposed > workers:
        raise ValidationError(
            _("接触职业病危害因素人数（%(e)s）不能多于劳动者人数（%(w)s）。") % {"e": exposed, "w": workers},
            code="exposed_gt_workers",
        )


def check_radiation(radiation_work: bool, category_codes: set[str]) -> None:
    if radiation_work and RADIOACTIVE not in category_codes:
        raise ValidationError(
            _("从事放射工作的单位，职业病危害因素类别应包括“放射性因素”。"), code="radiation_category"
        )


def check_declaration(date: dt.date | None, receipt: str) -> None:
    if date is not None and date > timezone.localdate():
        raise ValidationError(_("申报日期不能晚于今天。"), code="declaration_future")
    if receipt and date is None:
        raise ValidationError(_("填写了申报回执编号，请同时填写申报日期。"), code="declaration_date_missing")


def check_closed(status: str, reason: str) -> None:
    if status == OperatingStatus.CLOSED and not reason:
        raise ValidationError(_("生产状态为关闭时，请填写关闭原因。"), code="closed_reason")


# --- the employer form -------------------------------------------------------------------


class CreditCodeField(forms.CharField):
    def clean(self, value: Any) -> str | None:
        value = super().clean(value)
        return clean_credit_code(value)


class PhoneField(forms.CharField):
    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return clean_phone(value)


def region_choices(user: User) -> list[tuple[str, Any]] | None:
    """Townships and villages of the user's scope, grouped by township; None when too many."""
    qs = Region.objects.visible_to(user).filter(level__in=(Level.TOWNSHIP, Level.VILLAGE))
    if qs.count() > MAX_REGION_OPTIONS:
        return None
    groups: dict[str, list[tuple[str, str]]] = {}
    names: dict[str, str] = {}
    for region in qs.order_by("code").only("code", "name", "level"):
        township = region.code[:9]
        if region.level == Level.TOWNSHIP:
            names[township] = region.name
            groups.setdefault(township, []).insert(
                0, (region.code, _("%(name)s（镇/乡直属）") % {"name": region.name})
            )
        else:
            groups.setdefault(township, []).append((region.code, region.name))
    choices: list[tuple[str, Any]] = [("", _("—— 请选择村(社区) ——"))]
    choices += [(names.get(code, code), options) for code, options in groups.items()]
    return choices


class FactorCheckboxes(forms.CheckboxSelectMultiple):
    """Factor checkboxes carrying their category, so the page can tick the category too."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-category"] = instance.category_id
        return option


def industry_map(region: Region | str | None) -> dict[str, str]:
    """GB/T 4754 code -> key-industry category in the region's province (the national mapping
    with the province's own over it), for the form's script and the offline bundle."""
    mapping = dict(IndustryCode.objects.values_list("code", "category"))
    mapping.update({code: row.category for code, row in IndustryMapping.rows_for_region(region).items()})
    return mapping


class EmployerForm(forms.Form):
    """Create and edit one employer. The view passes ``cleaned_data`` to the actions."""

    name = forms.CharField(
        label=label("name"),
        max_length=200,
        help_text=gettext_lazy("与营业执照上的名称一致。全角半角、空格和括号的差异不影响查重。"),
    )
    credit_code = CreditCodeField(
        label=label("credit_code"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("18 位，含校验位（营业执照左上角）；没有可不填。"),
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    region = forms.CharField(
        label=label("region"),
        help_text=gettext_lazy("单位所在的村(社区)；不确定时选乡镇直属。"),
    )
    address = forms.CharField(
        label=label("address"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("乡镇、村(社区)、组或门牌号，巡查时据此找到单位。"),
    )
    legal_representative = forms.CharField(
        label=label("legal_representative"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("营业执照上的法定代表人（或负责人）。"),
    )
    phone = PhoneField(
        label=label("phone"),
        max_length=30,
        required=False,
        help_text=gettext_lazy("手机 11 位；固定电话带区号，如 0858-3221234。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    industry = forms.ChoiceField(
        label=label("industry"),
        required=False,
        choices=[("", gettext_lazy("—— 按行业代码确定 ——")), *Industry.choices],
        help_text=gettext_lazy("煤矿、非煤矿山、冶金、建材、化工为重点行业，每年须巡查覆盖。"),
    )
    industry_code = forms.ModelChoiceField(
        label=label("industry_code"),
        queryset=IndustryCode.objects.all(),
        required=False,
        empty_label=gettext_lazy("—— 不填 ——"),
        help_text=gettext_lazy("GB/T 4754-2017 行业大类，可不填；填写后行业类别按对应关系确定。"),
    )
    hazard_categories = forms.ModelMultipleChoiceField(
        label=label("hazard_categories"),
        queryset=HazardCategory.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=gettext_lazy("按《职业病危害因素分类目录》（2015）至少选一类。"),
    )
    hazard_factors = forms.ModelMultipleChoiceField(
        label=label("hazard_factors"),
        queryset=HazardFactor.objects.select_related("category"),
        required=False,
        widget=FactorCheckboxes(attrs={"class": "form-check-input"}),
        help_text=gettext_lazy("可选：具体的危害因素；所属类别会自动选上。"),
    )
    radiation_work = forms.BooleanField(
        label=label("radiation_work"),
        required=False,
        help_text=gettext_lazy("使用放射源、射线装置（如探伤机、X 射线机）等。"),
    )
    construction_project = forms.BooleanField(
        label=label("construction_project"),
        required=False,
        help_text=gettext_lazy("有新建、改建、扩建或技术改造项目正在进行；没有时巡查第 2 项可为合理缺项。"),
    )
    workers = forms.IntegerField(
        label=label("workers"),
        required=False,
        min_value=0,
        max_value=1_000_000,
        help_text=gettext_lazy("单位的劳动者总数（含劳务派遣人员）。"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    exposed_workers = forms.IntegerField(
        label=label("exposed_workers"),
        required=False,
        min_value=0,
        max_value=1_000_000,
        help_text=gettext_lazy("不能多于劳动者人数。"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    status = forms.ChoiceField(
        label=label("status"),
        choices=OperatingStatus.choices,
        help_text=gettext_lazy("停产的单位仍在台账中；注销或搬离请在详情页“关闭”，并写明原因。"),
    )
    closed_reason = forms.CharField(
        label=label("closed_reason"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("改为在产或停产即重新启用，关闭原因随之清除。"),
    )
    serious_hazard = forms.BooleanField(
        label=label("serious_hazard"),
        required=False,
        help_text=gettext_lazy("属于职业病危害严重的用人单位；严重单位每年须巡查覆盖。"),
    )
    declaration_date = forms.DateField(
        label=label("declaration_date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("最近一次职业病危害项目申报的日期（巡查第 1 项）。"),
    )
    declaration_receipt = forms.CharField(
        label=label("declaration_receipt"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("申报系统给出的回执编号。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: User, instance: Employer | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from(instance)
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance = instance
        choices = region_choices(user)
        if choices is not None:
            self.fields["region"] = forms.ChoiceField(
                label=self.fields["region"].label,
                help_text=self.fields["region"].help_text,
                choices=choices,
                error_messages={"invalid_choice": _("请选择您辖区内的乡(镇、街道)或村(社区)。")},
            )
        else:
            # The placeholder starts with the user's own region code (never another province's).
            example = (user.region_id or "")[:12].ljust(12, "0")
            self.fields["region"].widget.attrs.update({"inputmode": "numeric", "placeholder": example})
            self.fields["region"].help_text = gettext_lazy("填写 9 位乡镇代码或 12 位村(社区)代码。")
        if instance is None or instance.status != OperatingStatus.CLOSED:
            self.fields["status"].choices = [  # type: ignore[attr-defined]
                c for c in OperatingStatus.choices if c[0] != OperatingStatus.CLOSED
            ]
            del self.fields["closed_reason"]
        bootstrap(self)

    def clean_region(self) -> Region:
        code = fold(self.cleaned_data["region"]).replace(" ", "")
        region = Region.objects.visible_to(self.user).filter(code=code).first()
        if region is None or region.level not in (Level.TOWNSHIP, Level.VILLAGE):
            raise ValidationError(_("请选择您辖区内的乡(镇、街道)或村(社区)。"))
        return region

    def clean_name(self) -> str:
        return tidy(refuse_control_characters(self.cleaned_data["name"]))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field in ("address", "legal_representative", "declaration_receipt", "closed_reason"):
            if field in data:
                try:
                    data[field] = tidy(refuse_control_characters(data[field]))
                except ValidationError as exc:
                    self.add_error(field, exc)
        if "industry" in data and "industry_code" in data:
            try:
                region = data.get("region") or self.user.region_id
                data["industry"] = reconcile_industry(data["industry"], data["industry_code"], region)
            except ValidationError as exc:
                self.add_error("industry", exc)
        factors = list(data.get("hazard_factors") or [])
        categories = {c.pk: c for c in data.get("hazard_categories") or []}
        for factor in factors:
            categories.setdefault(factor.category_id, factor.category)
        data["hazard_categories"] = list(categories.values())
        if not categories and "hazard_categories" not in self.errors:
            self.add_error("hazard_categories", _("请至少选择一类职业病危害因素。"))
        rules = [
            ("exposed_workers", lambda: check_workers(data.get("workers"), data.get("exposed_workers"))),
            ("radiation_work", lambda: check_radiation(bool(data.get("radiation_work")), set(categories))),
            (
                "declaration_date",
                lambda: check_declaration(data.get("declaration_date"), data.get("declaration_receipt", "")),
            ),
        ]
        if "closed_reason" in self.fields:
            rules.append(
                ("closed_reason", lambda: check_closed(data.get("status", ""), data.get("closed_reason", "")))
            )
        for field, rule in rules:
            try:
                rule()
            except ValidationError as exc:
                self.add_error(field, exc)
        return data

    def ledger_data(self) -> dict[str, Any]:
        """cleaned_data as the actions take it."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data.setdefault("closed_reason", "")
        return data

    def factor_groups(self) -> list[tuple[str, list[Any]]]:
        """The factor checkboxes grouped by category, for the template."""
        category_of = {f.pk: f.category.name for f in self.fields["hazard_factors"].queryset}  # type: ignore[attr-defined]
        groups: dict[str, list[Any]] = {}
        for checkbox in self["hazard_factors"]:
            value = checkbox.data["value"]
            groups.setdefault(category_of.get(getattr(value, "value", value), ""), []).append(checkbox)
        return list(groups.items())


def initial_from(employer: Employer) -> dict[str, Any]:
    initial: dict[str, Any] = {
        field: getattr(employer, field)
        for field in (
            "name",
            "credit_code",
            "address",
            "legal_representative",
            "phone",
            "industry",
            "radiation_work",
            "construction_project",
            "workers",
            "exposed_workers",
            "status",
            "closed_reason",
            "serious_hazard",
            "declaration_date",
            "declaration_receipt",
            "version",
        )
    }
    initial["region"] = employer.region_id
    initial["industry_code"] = employer.industry_code_id
    initial["hazard_categories"] = [c.pk for c in employer.hazard_categories.all()]
    initial["hazard_factors"] = [f.pk for f in employer.hazard_factors.all()]
    return initial


# --- list filters, close, upload -----------------------------------------------------------


class LedgerFilterForm(forms.Form):
    """The filters of the list and of the export (GET)."""

    # Keys of xieguan.employers.ledger.SORTS, with their labels.
    SORT_LABELS = {
        "name": gettext_lazy("名称"),
        "region": gettext_lazy("所在区划"),
        "industry": gettext_lazy("行业"),
        "workers": gettext_lazy("劳动者人数（少到多）"),
        "-workers": gettext_lazy("劳动者人数（多到少）"),
        "-updated": gettext_lazy("最近修改"),
        "declaration": gettext_lazy("申报日期（早到晚）"),
        "unregistered": gettext_lazy("未登记在前"),
    }
    STATUS_ALL = "all"

    q = forms.CharField(
        label=gettext_lazy("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("单位名称、信用代码或地址"), "type": "search"}
        ),
    )
    region = forms.CharField(label=gettext_lazy("区划"), required=False, max_length=12)
    industry = forms.ChoiceField(
        label=gettext_lazy("行业"),
        required=False,
        choices=[("", gettext_lazy("全部行业")), ("key", gettext_lazy("重点巡查单位")), *Industry.choices],
    )
    hazard = forms.ModelChoiceField(
        label=gettext_lazy("危害因素类别"),
        queryset=HazardCategory.objects.all(),
        required=False,
        empty_label=gettext_lazy("全部类别"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("生产状态"),
        required=False,
        choices=[
            ("", gettext_lazy("在产和停产")),
            *OperatingStatus.choices,
            (STATUS_ALL, gettext_lazy("全部（含关闭）")),
        ],
    )
    registered = forms.ChoiceField(
        label=gettext_lazy("登记"),
        required=False,
        choices=[("", gettext_lazy("全部")), ("yes", gettext_lazy("已登记")), ("no", gettext_lazy("未登记"))],
    )
    serious = forms.BooleanField(label=gettext_lazy("仅职业病危害严重"), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("仅申报超期"), required=False)
    sort = forms.ChoiceField(
        label=gettext_lazy("排序"),
        required=False,
        choices=[("", gettext_lazy("按乡镇和名称")), *SORT_LABELS.items()],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("关闭原因"),
        max_length=200,
        help_text=gettext_lazy("如：已注销、已搬离本辖区、已转产无职业病危害。关闭后记录和历史都保留。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("台账文件（.xlsx）"),
        help_text=gettext_lazy(
            "请使用本系统的模板，或表头与模板一致的 Excel 文件；旧版 .xls 请先另存为 .xlsx。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"{self.fields['file'].help_text}{tabular.limits_text()}"
        bootstrap(self)
