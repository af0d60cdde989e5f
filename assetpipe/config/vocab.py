"""The value vocabularies of ``pipeline.yaml``: formats, levels, budget groups and metrics that
keys accept (``model`` declares the keys; the audit reads the same names)."""

IMAGE_FORMATS = ("webp", "avif", "original")
SOURCEMAPS = ("linked", "hidden", "inline", "none")
LEGAL_COMMENTS = ("none", "inline", "eof", "linked", "external")
#: the levels esbuild's ``logOverride`` can give a message (``scripts.log_override``)
ESBUILD_LOG_LEVELS = ("silent", "info", "warning", "error")
PROFILES = ("mobile", "desktop")
#: ``audit.metrics`` (``--metrics``): how TBT is measured (``audit.policy.MODES``).
AUDIT_MODES = ("observed", "cpu", "simulate")
LEVELS = ("error", "warn", "off")
RESOURCE_TYPES = (
    "total",
    "document",
    "script",
    "stylesheet",
    "image",
    "font",
    "media",
    "other",
    "third-party",
)
TIMINGS = ("fcp", "si", "lcp", "cls", "tbt", "ttfb", "server", "load")
SCORES = ("performance", "accessibility", "best-practices", "seo")
LEVEL_GROUPS = (
    "timings",
    "resource_sizes",
    "resource_counts",
    "repeat_view",
    "min_score",
    "images_distorted",
    "images_oversized",
    "images_unsized",
    "images_grown",
    "insights_render_blocking",
    "insights_unused_javascript",
    "insights_unused_css",
    "insights_total_byte_weight",
    "insights_third_party",
)
FLOW_METRICS = ("inp", "cls")
INSIGHTS = (
    "render_blocking",
    "unused_javascript",
    "unused_css",
    "total_byte_weight",
    "third_party",
)
