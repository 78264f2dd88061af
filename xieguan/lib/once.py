"""``{% once %}…{% endonce %}``: a template fragment that is the same for every request, rendered
once per process (per language, URL configuration and script prefix) and kept.

The base layout's stylesheet and script tags, icons and dialogs are mostly ``{% static %}``,
``{% url %}`` and ``{% translate %}``: about 0.4 ms of every page, identical for every user
(docs/performance.md, "Issue 16, round 4"). The fragment is rendered with an **empty** context
(``Context.new()``): a variable of the request (``user``, ``csrf_token``, ``messages``) inside it
renders empty on the first request and stays empty, so a mistake shows on the page at once and
nothing of one user can be kept and shown to another.

What a fragment may depend on, and so what the kept copy is keyed on: the active language, the
URL configuration and the script prefix (``{% url %}``), and the settings (``{% static %}``'s
storage, ``STATIC_URL``): every kept copy is dropped when a setting changes (tests override
settings). The kept copies live on the parsed template's node, so a template loader that
re-parses (DEBUG's non-cached loader) simply renders every time.
"""

from __future__ import annotations

import weakref
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

_NODES: weakref.WeakSet[OnceNode] = weakref.WeakSet()


class OnceNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist
        self.kept: dict[tuple[Any, ...], SafeString] = {}
        _NODES.add(self)

    def render(self, context: template.Context) -> SafeString:
        key = (get_language(), get_urlconf(), get_script_prefix())
        html = self.kept.get(key)
        if html is None:
            if len(self.kept) >= 64:  # languages × URL configurations: a handful in practice
                self.kept.clear()
            html = self.kept[key] = mark_safe(self.nodelist.render(context.new()))  # noqa: S308 -- rendered by the template engine, escaped there
        return html


@register.tag
def once(parser: template.base.Parser, token: template.base.Token) -> OnceNode:
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% once %} takes no arguments")
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return OnceNode(nodelist)


def forget(**_: Any) -> None:
    """Drop every kept fragment (on any change of settings)."""
    for node in list(_NODES):
        node.kept.clear()


setting_changed.connect(forget, dispatch_uid="xieguan.lib.once.forget")
