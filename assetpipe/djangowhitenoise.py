"""WhiteNoise's ``CompressedManifestStaticFilesStorage`` that also names the build's files.

WhiteNoise's manifest storage raises on the build's hashed names, as Django's does, with
``DEBUG`` off. ``init`` said to use WhiteNoise's unhashed ``CompressedStaticFilesStorage``
instead: on django-wiki (gunicorn, WhiteNoise as its deploy docs say) every file the build does
not rewrite lost the hash ``collectstatic`` gave it, the admin's stylesheets and scripts, the
wiki's colorbox and ``images.js`` named by ``{% static url %}``, and WhiteNoise, which answers a
hashed name for ten years ``immutable``, answered them ``max-age=60``: a warm visit a minute
later revalidated each. This one keeps WhiteNoise's hashing and compression for those files
and takes the build's names as they are (``assetpipe.django.BuildNames``). For
``STORAGES["staticfiles"]["BACKEND"]``: ``"assetpipe.djangowhitenoise.CompressedManifestStaticFilesStorage"``.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage as _WhiteNoiseManifest

from .django import BuildNames


class CompressedManifestStaticFilesStorage(BuildNames, _WhiteNoiseManifest):  # type: ignore[misc]
    """WhiteNoise's manifest storage (hashed, compressed copies; ``immutable`` from its
    middleware), a file of the build named by its own hashed name."""
