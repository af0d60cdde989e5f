"""``manage.py runserver`` with the build in front of staticfiles' handler (the package doc)."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles.management.commands.runserver import (
    Command as StaticfilesRunserver,
)

from assetpipe.django import build_in_front


class Command(StaticfilesRunserver):  # type: ignore[misc]
    """staticfiles' ``runserver``, its handler behind the build (``build_in_front``)."""

    help = (
        "Starts a lightweight web server for development that serves the assetpipe build"
        " (precompressed, hashed names immutable) and, as staticfiles does, every other"
        " static file."
    )

    def get_handler(self, *args: Any, **options: Any) -> Any:
        """staticfiles' handler (the project's application, ``STATIC_URL`` from the finders
        unless ``--nostatic``), the build's files answered in front of it."""
        return build_in_front(super().get_handler(*args, **options))
