"""``manage.py runserver`` with the build in front of the handler of the ``runserver`` it
takes the place of (the package doc)."""

from __future__ import annotations

import os
from typing import Any

from django.apps import apps
from django.contrib.staticfiles.management.commands.runserver import (
    Command as StaticfilesRunserver,
)
from django.core.management import find_commands, load_command_class
from django.core.management.commands.runserver import Command as CoreRunserver

from assetpipe.django import build_in_front

#: this app's name in ``INSTALLED_APPS``
APP = "assetpipe.djangorunserver"


def replaced_runserver() -> type[CoreRunserver]:
    """The ``runserver`` command Django would take without this app: that of the first app
    after it in ``INSTALLED_APPS`` (as they stand once the settings ran) that has one, when it
    is a ``runserver`` (Mezzanine's ``mezzanine.core``, whose settings move staticfiles to the
    end of the apps so that its own serves ``MEDIA_URL`` in development), else staticfiles'.
    Subclassing staticfiles' alone, the app's took Mezzanine's place and every uploaded photo
    of an adopted site 404ed."""
    configs = list(apps.get_app_configs())
    names = [c.name for c in configs]
    after = configs[names.index(APP) + 1 :] if APP in names else []
    for config in after:
        if "runserver" in find_commands(os.path.join(config.path, "management")):
            found: type[CoreRunserver] = type(load_command_class(config.name, "runserver"))
            if issubclass(found, CoreRunserver):
                return found
            break
    staticfiles: type[CoreRunserver] = StaticfilesRunserver
    return staticfiles


class Command(replaced_runserver()):  # type: ignore[misc]
    """The replaced ``runserver`` (``replaced_runserver``), its handler behind the build
    (``build_in_front``)."""

    help = (
        "Starts a lightweight web server for development that serves the assetpipe build"
        " (precompressed, hashed names immutable) and, as staticfiles does, every other"
        " static file."
    )

    def get_handler(self, *args: Any, **options: Any) -> Any:
        """The replaced command's handler (the project's application, ``STATIC_URL`` from the
        finders unless ``--nostatic``; Mezzanine's also ``MEDIA_URL``), the build's files
        answered in front of it."""
        return build_in_front(super().get_handler(*args, **options))
