"""The API's paginators, with upper bounds: a page or offset past any real list is a 422, not a
database error (an offset beyond 64 bits is a 500 on SQLite and PostgreSQL alike)."""

from __future__ import annotations

from typing import Optional

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, PageNumberPagination

MAX_PAGE = 1_000_000
MAX_OFFSET = 100_000_000
MAX_LIMIT = 1_000


class BoundedPageNumberPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: Optional[int] = Field(None, ge=1, le=MAX_LIMIT)  # noqa: UP045 - pydantic field as ninja declares it


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
