"""What the app and its pages share: the rate limiter, the running app's services
(output folder, search index, queue, unmet-need store, the loaded directory) and the
JSON APIs' error reply, and the forms' shared words.

Its own module so that :mod:`service.app` can import the pages and the pages can use
these without importing the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, current_app, jsonify
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from entries import Directory, load_directory
from entries.i18n import ngettext

# Per client, counted in memory only (``RATELIMIT_STORAGE_URI``: this process's, or with
# several workers the counting process's, service.rate_counts): no IP address is ever
# written to disk.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def form_rate_limit() -> str:
    """How many forms one client may send (``FORM_RATE_LIMIT``): every form that writes
    anything uses it, so none can be used to flood the queue or the unmet-need store."""
    return current_app.config["FORM_RATE_LIMIT"]


def services() -> dict[str, Any]:
    """The output folder, search index and unmet-need store of the running app."""
    return current_app.extensions["healthdir"]


def current_directory() -> Directory:
    """The published providers, reloaded when a file in content/providers changes.

    Forms use it to check answers and spot likely duplicates.
    """
    cache = services()
    folder: Path = cache["providers"]
    stamp = max([folder.stat().st_mtime_ns] + [p.stat().st_mtime_ns for p in folder.glob("*.yaml")])
    if cache["directory"] is None or cache["directory"][0] != stamp:
        directory, _ = load_directory(cache["root"], cache["settings"])
        cache["directory"] = (stamp, directory)
    return cache["directory"][1]


def api_error(status: int, parameter: str, message: str) -> Response:
    """A JSON API's error: what went wrong and, when a query parameter is to blame, which,
    so that a program calling it (from any website) can say what to fix."""
    response = jsonify(error=message, **({"parameter": parameter} if parameter else {}))
    response.status_code = status
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def too_long(most: int) -> str:
    """What to say of an answer longer than ``most`` characters."""
    return ngettext(
        "Keep it to %(num)s character or fewer", "Keep it to %(num)s characters or fewer", most
    )
