"""Emptying the template caches of the app served in this process after a build, so its next
page renders the templates the build just wrote (``watch --app``; ``assetpipe.djangorunserver``
when a new build appears). Its own module: ``assetpipe.django`` uses it, and ``userapp``
imports ``assetpipe.django``."""

from __future__ import annotations

import logging
import sys

log = logging.getLogger("assetpipe")


def forget_templates() -> None:
    """Empty the template caches of a Django project imported in this process, so its next
    page renders the templates a build just wrote. Django caches compiled templates (its
    cached loader, the default even with ``DEBUG`` since 4.1) and empties them only on
    ``runserver``'s file-change signal; under ``watch --app`` a saved template of Wagtail's
    bakerydemo was rebuilt and the page reloaded, still showing the old one. So does a Jinja2
    environment made with ``auto_reload=False`` (Trac's ``Chrome.jenv``, by default): each of
    those in the process is emptied too (``jinjaenvs.forget_compiled``)."""
    from .jinjaenvs import forget_compiled

    forget_compiled()
    if "django.template" not in sys.modules:
        return
    try:
        from django.template.autoreload import reset_loaders

        reset_loaders()
    except Exception as exc:  # Django before 3.2, or django.template without settings
        log.debug("assetpipe: could not empty Django's template caches: %r", exc)
