"""The directory's one web service: search, and the static site, from a single address.

Every page a person browses is still a static file; this adds only what a static host
cannot do. If it is down, the static site in ``output/`` is still fully browsable.
"""

from service.app import create_app

__all__ = ["create_app"]
