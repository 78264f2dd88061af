from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def bell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    counted = getattr(user, "unread_notifications_count", None)  # loaded with the user (backends.py)
    if counted is None:
        counted = user.notifications.filter(read_at__isnull=True).count()
    return {"unread_notifications": counted}
