"""The Flask application: configuration, security headers, the theme and the static site."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, render_template, send_from_directory
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2 import FileSystemLoader
from werkzeug.security import safe_join

import theme
from entries.directory import load_domains
from entries.i18n import N_, gettext
from entries.model import Site
from entries.site_settings import public_url, site_path, site_settings
from registration.queue import SubmissionQueue
from search import SearchIndex
from search.unmet_need import UnmetNeed
from service.confirm_pages import blueprint as confirm_pages
from service.languages import serve_in_languages
from service.oruk_api import blueprint as oruk_api
from service.rate_counts import IN_THIS_PROCESS
from service.register_pages import blueprint as register_pages
from service.search_pages import blueprint as search_pages
from service.shared import limiter, services
from upkeep.secret import secret_key

MAX_REQUEST_BYTES = 64 * 1024
CSP = theme.content_security_policy()


def create_app(
    root: Path,
    output: Path | None = None,
    *,
    index: Path | None = None,
    unmet_need: Path | None = None,
    submissions: Path | None = None,
    form_rate_limit: str | None = None,
    preview: str = "",
    rate_counts: str = IN_THIS_PROCESS,
) -> Flask:
    """The service for the site in ``root``, serving the built site from ``output``.

    ``index``, ``unmet_need`` and ``submissions`` override where the settings say those
    live; ``form_rate_limit`` how many forms one client may send (default 10 an hour);
    ``preview`` is a local preview's address, used instead of the site's ``PUBLIC_URL``;
    ``rate_counts`` where the forms' rate limit is counted (this process's memory, or the
    counting process several workers share, :mod:`service.rate_counts`).
    """
    root = Path(root).resolve()
    settings = site_settings(root, **({"PUBLIC_URL": preview} if preview else {}))
    app = Flask(__name__, static_folder=None, template_folder=None)
    app.config.update(
        SECRET_KEY=secret_key(root),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("HEALTHDIR_SECURE_COOKIES") == "1",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the browser session
        FORM_RATE_LIMIT=form_rate_limit or settings.get("FORM_RATE_LIMIT", "10 per hour"),
        RATELIMIT_STORAGE_URI=rate_counts,
    )
    CSRFProtect(app)
    limiter.init_app(app)
    queue = SubmissionQueue(submissions or site_path(root, settings, "SUBMISSIONS_PATH"))
    queue.clear_leftovers()
    app.extensions["healthdir"] = {
        "root": root,
        "settings": settings,
        "output": Path(output or root / "output").resolve(),
        "providers": Path(settings["PATH"]) / "providers",
        "search": SearchIndex(index or site_path(root, settings, "SEARCH_INDEX"), preload=True),
        "unmet_need": UnmetNeed(unmet_need or site_path(root, settings, "UNMET_NEED_DB")),
        "queue": queue,
        "directory": None,
    }
    _configure_theme(app, root, settings)

    serve_in_languages(app, settings, [search_pages, register_pages, confirm_pages])
    app.register_blueprint(oruk_api)
    app.add_url_rule("/", "site", _static_page, defaults={"path": ""})
    app.add_url_rule("/<path:path>", "site", _static_page)
    app.after_request(_security_headers)
    app.register_error_handler(404, _error_page(404, N_("Page not found")))
    app.register_error_handler(413, _error_page(413, N_("That was too much to send")))
    app.register_error_handler(429, _error_page(429, N_("Please wait before sending another form")))
    app.register_error_handler(CSRFError, _error_page(400, N_("Your form has expired")))
    return app


def _configure_theme(app: Flask, root: Path, settings: dict[str, Any]) -> None:
    theme.configure(app.jinja_env, FileSystemLoader(Path(settings["THEME"]) / "templates"))
    domains, _ = load_domains(Path(settings["PATH"]) / "domains")
    app.jinja_env.globals.update(
        SITENAME=settings["SITENAME"],
        SITEURL=settings.get("SITEURL", ""),
        PUBLIC_URL=public_url(settings),
        SEARCH_URL=settings.get("SEARCH_URL", "/search"),
        site=Site.from_settings(settings),
        domains=domains,
    )


def _static_page(path: str) -> Response:
    """The built site, exactly as a static host would serve it (folders -> index.html)."""
    output = Path(services()["output"])
    inside = safe_join(str(output), path)
    if inside is None:  # "..", an absolute path or a drive: never leave the site folder
        abort(404)
    target = Path(inside)
    if path and not path.endswith("/") and target.is_dir():
        return Response(status=308, headers={"Location": f"/{path}/"})
    if path == "" or path.endswith("/"):
        path += "index.html"
    return send_from_directory(output, path)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", CSP)
    return response


def _error_page(status: int, title: str) -> Any:
    def handler(error: Exception) -> tuple[str, int]:
        return render_template("error.html", status=status, title=gettext(title)), status

    return handler
