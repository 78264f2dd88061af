"""``{% once %}``: a fragment the same for every request, rendered once per process and kept."""

from __future__ import annotations

import re
from typing import Any
from unittest import mock

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import reverse, set_script_prefix
from django.utils import translation

from xieguan.lib import once

pytestmark = pytest.mark.django_db


def _template(text: str) -> Any:
    return engines["django"].from_string("{% load once static i18n %}" + text)


def test_the_fragment_is_rendered_once_and_then_kept() -> None:
    page = _template(
        "{% once %}<a href=\"{% url 'accounts:home' %}\">{% translate '通知' %}</a>{% endonce %}"
    )
    first = page.render({})
    [node] = page.template.nodelist.get_nodes_by_type(once.OnceNode)
    with mock.patch.object(node, "nodelist") as inner:
        assert page.render({}) == first
    inner.render.assert_not_called()
    assert first == f'<a href="{reverse("accounts:home")}">通知</a>'


def test_nothing_of_the_request_enters_the_kept_fragment() -> None:
    """The fragment sees an empty context: a user's name written inside it by mistake renders
    empty for everyone, instead of the first user's name being kept and shown to the others."""
    page = _template("[{% once %}{{ secret }}|{{ user }}{% endonce %}]{{ secret }}")
    assert page.render({"secret": "甲的数据", "user": "甲"}) == "[|]甲的数据"
    assert page.render({"secret": "乙的数据", "user": "乙"}) == "[|]乙的数据"


def test_a_fragment_is_kept_per_language_and_script_prefix() -> None:
    page = _template(
        "{% once %}{% url 'accounts:home' %}{% get_current_language as lang %}{{ lang }}{% endonce %}"
    )
    assert page.render({}) == reverse("accounts:home") + "zh-hans"
    try:
        set_script_prefix("/xieguan/")
        assert page.render({}).startswith("/xieguan/")
    finally:
        set_script_prefix("/")
    with translation.override("en"):
        assert page.render({}).endswith("en")
    assert page.render({}) == reverse("accounts:home") + "zh-hans"


def test_a_change_of_settings_drops_every_kept_fragment() -> None:
    page = _template("{% once %}{% static 'xieguan/app.css' %}{% endonce %}")
    before = page.render({})
    with override_settings(STATIC_URL="/elsewhere/"):
        assert page.render({}).startswith("/elsewhere/")
    assert page.render({}) == before


def test_once_takes_no_arguments() -> None:
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        _template("{% once 'x' %}{% endonce %}")


@pytest.mark.parametrize("persona", ["panzhou", "sheng", "xieguan"])
def test_pages_are_what_a_fresh_render_gives(client_for: Any, persona: str) -> None:
    """The base layout's kept head and scripts equal a fresh render, for three roles: a page read
    after the kept copies are dropped is the same page."""
    client = client_for(persona)
    kept = client.get(reverse("accounts:home")).content.decode()
    once.forget()
    fresh = client.get(reverse("accounts:home")).content.decode()

    def without_tokens(html: str) -> str:  # the CSRF token is new on every response
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert without_tokens(kept) == without_tokens(fresh)
    assert "bootstrap.bundle.min" in kept and 'rel="manifest"' in kept and "confirm-dialog" in kept
