"""A Django app whose ``runserver`` serves the build as deployed.

``manage.py runserver`` with ``DEBUG`` on wraps the project's WSGI application in
``django.contrib.staticfiles``' handler, which answers every ``STATIC_URL`` request from the
staticfiles finders, ahead of the WSGI module's ``AssetMiddleware``. With
``assetpipe.django.BuildFinder`` the build's hashed files are found there, but sent as Django's
static view sends any file: uncompressed, revalidated on every visit. Adopted Spirit's pages
then weighed 1.03-1.05x the plain project's under ``runserver`` (its stylesheet's 2,025
``url()``\\ s name longer, hashed files; deployed, brotli made them 0.45x); linkding's
1.00-1.12x.

Listed in ``INSTALLED_APPS`` before ``django.contrib.staticfiles`` (Django takes a command from
the first app that has it, as ``whitenoise.runserver_nostatic`` does), this app's ``runserver``
is the one it takes the place of (staticfiles', or that of an app between them: Mezzanine's,
which also serves ``MEDIA_URL``) with the build in front (``assetpipe.django.build_in_front``):
the build's files answered brotli/gzip and hashed names ``immutable``; every other
``STATIC_URL`` file still from the finders, compressed on the way; a source file changed since the build from the finders as it now is; the
live-reload client in the pages while ``assetpipe watch --no-serve`` runs beside it. Its
options are staticfiles' ``runserver``'s (``--nostatic``, ``--insecure``).
"""
