"""The one region-scoping mechanism of xieguan.

Every record belongs to a region, and a region's code starts with the codes of all its
ancestors (GB/T 2260 and the statistics bureau's 12-digit codes). Region's primary key is
its code, so a foreign key column to Region holds the code itself, and "inside the subtree
of X" is one indexed prefix comparison: ``region_id LIKE 'X%'``.

Models declare where their region is with ``scope_lookup`` (default ``"region"``, the
foreign key; ``"code"`` for Region itself; ``"inspection__region"`` for child rows) and use
``ScopedQuerySet``. Views reach records only through ``visible_to(user)`` or
``get_visible_or_404``; see docs/scoping.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from xieguan.accounts.models import User

M = TypeVar("M", bound=models.Model)


def _prefix_lookup(model: type[models.Model]) -> str:
    lookup = getattr(model, "scope_lookup", "region")
    # "region" -> "region__code__startswith": Django trims the join because code is the
    # primary key of Region, so the SQL compares the foreign key column directly.
    if lookup == "code" or lookup.endswith("__code"):
        return f"{lookup}__startswith"
    return f"{lookup}__code__startswith"


def scope_code(user: User | AnonymousUser | None) -> str | None:
    """The region code whose subtree the user sees, or None for no access at all."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    code = getattr(user, "region_id", None)
    return code or None


class ScopedQuerySet(models.QuerySet[M]):
    def within(self, code: str) -> ScopedQuerySet[M]:
        """Rows in the subtree of the region with this code (the region included)."""
        return self.filter(**{_prefix_lookup(self.model): code})

    def visible_to(self, user: User | AnonymousUser | None) -> ScopedQuerySet[M]:
        """Rows the user may see: those in the subtree of the user's region. Deny by default."""
        code = scope_code(user)
        if code is None:
            return self.none()
        return self.within(code)

    def visible_within(self, user: User | AnonymousUser | None, code: str | None) -> ScopedQuerySet[M]:
        """``visible_to(user).within(code)`` as one prefix condition: the narrower of the user's
        scope and ``code`` (one subtree contains the other, or they share nothing and so does the
        result). Two conditions on the same column make PostgreSQL multiply their selectivities:
        a county admin's ledger of their own county was estimated at 116 rows instead of 1,600,
        and its cursors took nested loops (docs/performance.md). An empty ``code`` (a list's
        region filter left blank) is the user's whole scope, ``visible_to(user)``."""
        scope = scope_code(user)
        if scope is None:
            return self.none()
        if not code:
            return self.within(scope)
        if code.startswith(scope):
            return self.within(code)
        if scope.startswith(code):
            return self.within(scope)
        return self.none()


def get_visible_or_404(
    queryset: models.QuerySet[M] | type[M], user: User | AnonymousUser | None, **lookup: Any
) -> M:
    """The one record matching ``lookup`` that the user may see; 404 otherwise.

    A record outside the user's region answers exactly like a record that does not exist.
    """
    qs = queryset if isinstance(queryset, models.QuerySet) else queryset._default_manager.all()
    visible = getattr(qs, "visible_to", None)
    if visible is None:
        raise TypeError(f"{qs.model.__name__} is not region-scoped: give it a ScopedQuerySet")
    try:
        found: M = visible(user).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError, OverflowError) as exc:
        raise Http404 from exc
    return found


def region_in_scope(user: User | AnonymousUser | None, code: str | None) -> bool:
    """Whether a region code lies inside the user's subtree (for form choices and input)."""
    scope = scope_code(user)
    return bool(scope and code and code.startswith(scope))
