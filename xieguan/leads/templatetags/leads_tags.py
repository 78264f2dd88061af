"""Template helpers of the leads pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


def waited(since: dt.datetime, now: dt.datetime | None = None) -> str:
    """How long since ``since``, in words: '3 天 4 小时', '2 小时 5 分钟', '12 分钟'."""
    seconds = max(0, int(((now or timezone.now()) - since).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)s 天 %(h)s 小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s 小时 %(m)s 分钟") % {"h": hours, "m": minutes}
    return _("%(m)s 分钟") % {"m": minutes}


@register.filter(name="waited")
def waited_filter(since: dt.datetime | None) -> str:
    return waited(since) if since else ""
