from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from xieguan.documents.official import BLANK_FORMS
from xieguan.documents.render import FORMATS, file_response
from xieguan.lib.access import AuthedRequest, login_only


@login_only
def index(request: AuthedRequest) -> HttpResponse:
    """The blank official forms, to print for paper use."""
    return render(request, "documents/index.html", {"forms": BLANK_FORMS.values(), "formats": FORMATS})


@login_only
def blank(request: AuthedRequest, slug: str, fmt: str) -> HttpResponse:
    form = BLANK_FORMS.get(slug)
    if form is None or fmt not in FORMATS:
        raise Http404
    return file_response(form.build(), fmt, inline=fmt == "pdf")
