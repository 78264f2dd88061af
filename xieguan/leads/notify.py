"""Notifications about leads: in-app (accounts.Notification, the bell) and e-mail.

Each event has a key (``lead-important:<id>``, ``assist-request:<id>``, ``lead-overdue:<id>``);
the unique constraint (recipient, key) makes each event notify each recipient exactly once, however
often the code path runs (a retried request, the overdue command every few minutes from cron).

E-mail goes to recipients with an address, after the transaction commits, when an SMTP server is
configured (``EMAIL_HOST``) or in development (``DEBUG``: the console backend prints it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.models import Notification, Role, User, can_work

if TYPE_CHECKING:
    import datetime as dt

    from xieguan.accounts.models import Agency
    from xieguan.leads.models import AssistRequest, Lead

log = logging.getLogger(__name__)

KIND_IMPORTANT = "lead_important"
KIND_ASSIST = "assist_request"
KIND_OVERDUE = "lead_overdue"
KIND_ADMINISTRATION = "lead_administration"


def email_enabled() -> bool:
    return bool(settings.EMAIL_HOST) or bool(settings.DEBUG)


def notify(
    recipients: Iterable[User],
    *,
    kind: str,
    key: str,
    region_id: str,
    title: str,
    body: str = "",
    url: str = "",
) -> list[Notification]:
    """Create the notification for each recipient that does not have this key yet; e-mail them."""
    created: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user.pk in seen or not user.can_work():
            continue
        seen.add(user.pk)
        note, is_new = Notification.objects.get_or_create(
            recipient=user,
            key=key,
            defaults={"kind": kind, "region_id": region_id, "title": title, "body": body, "url": url},
        )
        if is_new:
            created.append(note)
    addresses = [n.recipient.email for n in created if n.recipient.email]
    if addresses and email_enabled():
        transaction.on_commit(lambda: _send(title, body, url, addresses))
    return created


def _send(title: str, body: str, url: str, addresses: list[str]) -> None:
    text = "\n\n".join(
        part for part in (body, _("请登录职业健康监督协管信息系统查看：%(url)s") % {"url": url}) if part
    )
    for address in addresses:  # one message each: recipients do not see each other's address
        try:
            send_mail(f"[协管系统] {title}", text, settings.DEFAULT_FROM_EMAIL, [address])
        except Exception:  # a mail server outage must not undo or block the work itself
            log.exception("notification e-mail to %s failed", address)


def county_staff(region_code: str, roles: Iterable[str]) -> list[User]:
    """Users of ``roles`` who can work (accounts.models.can_work), placed at the county of ``region_code``."""
    return list(User.objects.filter(can_work(), role__in=list(roles), region_id=region_code[:6]))


def township_assistants(region_code: str) -> list[User]:
    return list(User.objects.filter(can_work(), role=Role.ASSISTANT, region_id=region_code[:9]))


def lead_url(lead: Lead) -> str:
    return reverse("leads:detail", args=[lead.pk])


def notify_important_lead(lead: Lead) -> list[Notification]:
    """A new important lead: to the county admins and officers of its county."""
    where = lead.employer.name if lead.employer else lead.place
    return notify(
        county_staff(lead.region_id, [Role.COUNTY_ADMIN, Role.OFFICER]),
        kind=KIND_IMPORTANT,
        key=f"lead-important:{lead.pk}",
        region_id=lead.region_id,
        title=_("重要线索：%(type)s（%(where)s）") % {"type": lead.get_lead_type_display(), "where": where},
        body=_("发现时间 %(at)s，须在 %(due)s 前报告。")
        % {"at": _local(lead.discovered_at), "due": _local(lead.report_due_at)},
        url=lead_url(lead),
    )


def notify_administration(lead: Lead, department: Agency) -> list[Notification]:
    """A suspected occupational-disease patient or poisoning accident reported to a health
    administration department as well: to that department's staff (users placed at its region)."""
    staff = User.objects.filter(
        can_work(),
        role__in=[Role.COUNTY_ADMIN, Role.PREFECTURE_VIEWER, Role.PROVINCE_ADMIN],
        region_id=department.region_id,
    )
    where = lead.employer.name if lead.employer else lead.place
    return notify(
        staff,
        kind=KIND_ADMINISTRATION,
        key=f"lead-administration:{lead.pk}",
        region_id=lead.region_id,
        title=_("%(type)s报告（%(where)s）") % {"type": lead.get_lead_type_display(), "where": where},
        body=_("已报告%(agency)s，同时报告%(dept)s。")
        % {"agency": lead.reported_to_agency or "", "dept": department},
        url=lead_url(lead),
    )


def notify_assist_request(assist: AssistRequest) -> list[Notification]:
    """A 协查 request: to the assistant asked to assist."""
    subject = assist.employer.name if assist.employer else (assist.lead.place if assist.lead else "")
    due = _("，请于 %(due)s 前完成") % {"due": assist.due_on} if assist.due_on else ""
    return notify(
        [assist.assistant],
        kind=KIND_ASSIST,
        key=f"assist-request:{assist.pk}",
        region_id=assist.region_id,
        title=_("协查请求：%(subject)s") % {"subject": subject},
        body=_("%(who)s 请您协助调查%(due)s。%(note)s")
        % {"who": assist.requested_by, "due": due, "note": assist.request_note},
        url=reverse("leads:assist", args=[assist.pk]),
    )


def notify_overdue_lead(lead: Lead) -> list[Notification]:
    """A lead not reported in time: to the township's assistants (and its finder) and the county admins."""
    recipients = [*township_assistants(lead.region_id), *county_staff(lead.region_id, [Role.COUNTY_ADMIN])]
    if lead.discovered_by.role == Role.ASSISTANT:
        recipients.append(lead.discovered_by)
    return notify(
        recipients,
        kind=KIND_OVERDUE,
        key=f"lead-overdue:{lead.pk}",
        region_id=lead.region_id,
        title=_("线索逾期未报告：%(lead)s") % {"lead": lead},
        body=_("%(importance)s线索，应于 %(due)s 前报告，至今未报告。")
        % {"importance": lead.get_importance_display(), "due": _local(lead.report_due_at)},
        url=lead_url(lead),
    )


def notify_overdue(now: dt.datetime | None = None) -> int:
    """Notify every lead overdue and not reported at ``now``; returns the notifications created."""
    from xieguan.leads.models import Lead

    # The event is the lead becoming overdue: the people in post then are told, once. Leads already
    # notified on an earlier run are excluded in the same query, so a run every few minutes is cheap.
    already = Notification.objects.filter(
        key=Concat(Value("lead-overdue:"), Cast(OuterRef("pk"), output_field=CharField()))
    )
    leads = (
        Lead.objects.overdue_unreported(now)
        .exclude(Exists(already))
        .select_related("discovered_by", "employer")
        .order_by("pk")
    )
    count = 0
    for lead in leads:
        with transaction.atomic():
            count += len(notify_overdue_lead(lead))
    return count


def _local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
