"""The service in each of the site's languages (issue 17): ``/search`` and ``/register``
in the first language, ``/bn/search`` and ``/bn/register`` in Bengali, and every page it
renders — the static site's error pages too — in the language of the path it answers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, Flask, g, request
from markupsafe import Markup

import theme
from entries import i18n


def serve_in_languages(
    app: Flask, settings: dict[str, Any], blueprints: Iterable[Blueprint]
) -> None:
    """Register ``blueprints`` at the root and under each other language's folder, and
    render every page in the language of its path."""
    languages = i18n.languages(settings)
    by_code = {language.code: language for language in languages}
    others = ", ".join(repr(language.code) for language in languages[1:])
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
        if others:
            app.register_blueprint(
                blueprint, url_prefix=f"/<any({others}):language>", name=f"{blueprint.name}_in"
            )
    footers = {}
    for language in languages:
        with app.app_context(), i18n.use(language):
            values = {**app.jinja_env.globals, **theme.language_values(settings, language)}
            footer = app.jinja_env.get_template("partials/footer.html").render(values)
        footers[language.code] = Markup(footer)

    @app.url_value_preprocessor
    def _drop_language(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values:
            values.pop("language", None)  # the views need not know: it is in i18n.current()

    @app.before_request
    def _speak() -> None:
        first = request.path.lstrip("/").split("/", 1)[0]
        g.language = by_code.get(first, languages[0])
        g.language_token = i18n.activate(g.language)

    @app.teardown_request
    def _stop(_: BaseException | None) -> None:
        token = g.pop("language_token", None)
        if token is not None:
            i18n.deactivate(token)

    @app.context_processor
    def _language_values() -> dict[str, Any]:
        language = g.get("language", languages[0])
        path = request.path.lstrip("/")
        if language.prefix and path.startswith(language.prefix):
            path = path[len(language.prefix) :]
        query = request.query_string.decode("utf-8", "replace")
        return {
            **theme.language_values(settings, language),
            "languages": languages,
            "page_url": f"{path}?{query}" if query else path,
            "footer_html": footers[language.code],
        }
