"""The authentication backend: Django's ModelBackend, with a cheaper session user.

Every page loads the session's user, names their region in the header and shows the bell's
count of unread notifications. ``get_user`` loads all three in one statement (the region joined,
the count as a subquery) instead of three; the bell (accounts.context_processors.bell) reads
``unread_notifications_count``, counted when the request loaded its user. The statement is
compiled once per process (``lib.prepared``): every request pays only for running it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from xieguan.accounts.models import Notification, User
from xieguan.lib.prepared import Prepared


def _unread() -> Subquery:
    return Subquery(
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def _session_user(user_id: Any) -> Any:
    """The user with their region and the bell's count (``.first()``: ordered by the model)."""
    return (
        User._default_manager.select_related("region")
        .annotate(unread_notifications_count=Coalesce(_unread(), 0))
        .filter(pk=user_id)[:1]
    )


SESSION_USER = Prepared(User, _session_user)


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        # the session's id is an int (Django converts it with the primary key's to_python)
        found = (
            SESSION_USER.list(user_id=user_id) if isinstance(user_id, int) else list(_session_user(user_id))
        )
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None
