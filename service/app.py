"""The Flask application: configuration, security headers, the theme and the static site."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, render_template, send_from_directory
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2 import FileSystemLoader
from markupsafe import Markup

from healthdir import theme
from healthdir.entries.directory import load_domains
from healthdir.entries.model import Site
from healthdir.settings import index_path, site_settings, unmet_need_path
from search import SearchIndex
from search.unmet_need import UnmetNeed

MAX_REQUEST_BYTES = 64 * 1024


def create_app(
    root: Path,
    output: Path | None = None,
    *,
    index: Path | None = None,
    unmet_need: Path | None = None,
) -> Flask:
    """The service for the site in ``root``, serving the built site from ``output``.

    ``index`` and ``unmet_need`` override where the settings say those files live.
    """
    root = Path(root).resolve()
    settings = site_settings(root)
    app = Flask(__name__, static_folder=None, template_folder=None)
    app.config.update(
        SECRET_KEY=os.environ.get("HEALTHDIR_SECRET_KEY") or secrets.token_hex(32),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("HEALTHDIR_SECURE_COOKIES") == "1",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the browser session
    )
    CSRFProtect(app)
    app.extensions["healthdir"] = {
        "output": Path(output or root / "output").resolve(),
        "search": SearchIndex(index or index_path(root, settings)),
        "unmet_need": UnmetNeed(unmet_need or unmet_need_path(root, settings)),
    }
    _configure_theme(app, root, settings)

    from service.search_pages import blueprint as search_pages

    app.register_blueprint(search_pages)
    app.add_url_rule("/", "site", _static_page, defaults={"path": ""})
    app.add_url_rule("/<path:path>", "site", _static_page)
    app.after_request(_security_headers)
    app.register_error_handler(404, _error_page(404, "Page not found"))
    app.register_error_handler(413, _error_page(413, "That was too much to send"))
    app.register_error_handler(CSRFError, _error_page(400, "Your form has expired"))
    return app


def _configure_theme(app: Flask, root: Path, settings: dict[str, Any]) -> None:
    theme.configure(app.jinja_env, FileSystemLoader(Path(settings["THEME"]) / "templates"))
    domains, _ = load_domains(Path(settings["PATH"]) / "domains")
    app.jinja_env.globals.update(
        SITENAME=settings["SITENAME"],
        SITEURL=settings.get("SITEURL", ""),
        SEARCH_URL=settings.get("SEARCH_URL", "/search"),
        site=Site.from_settings(settings),
        domains=domains,
    )
    with app.app_context():
        footer = app.jinja_env.get_template("partials/footer.html").render()
    app.jinja_env.globals["footer_html"] = Markup(footer)


def _static_page(path: str) -> Response:
    """The built site, exactly as a static host would serve it (folders -> index.html)."""
    output = Path(services()["output"])
    target = output / path
    if path and not path.endswith("/") and target.is_dir():
        return Response(status=308, headers={"Location": f"/{path}/"})
    if path == "" or path.endswith("/"):
        path += "index.html"
    return send_from_directory(output, path)


def services() -> dict[str, Any]:
    """The output folder, search index and unmet-need store of the running app."""
    return current_app.extensions["healthdir"]


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _error_page(status: int, title: str) -> Any:
    def handler(error: Exception) -> tuple[str, int]:
        return render_template("error.html", status=status, title=title), status

    return handler
