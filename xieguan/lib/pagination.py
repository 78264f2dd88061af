"""The API's pagination with bounded parameters.

Django Ninja's own classes accept any integer for ``page``, ``limit`` and ``offset``; a huge one
reaches the database as an out-of-range LIMIT/OFFSET and fails there (500). These subclasses
refuse it as an invalid parameter instead (422, in Chinese, by the API's validation handler).
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, PageNumberPagination

MAX_PAGE = 1_000_000
MAX_LIMIT = 500
MAX_OFFSET = 100_000_000


class BoundedPageNumberPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)  # capped by max_page_size, as in Ninja


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
