"""Password validators whose messages Django does not translate.

Django 5.2 changed the "too short" message's text (``%d`` for ``%(min_length)d``) without its
Simplified Chinese catalogue following, so a user who chose a short password read an English
sentence among Chinese ones. Same rule, the message in Chinese.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return _("密码太短，至少须有 %(min_length)d 个字符。") % {"min_length": self.min_length}
