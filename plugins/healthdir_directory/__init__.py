"""Pelican plugin: publishes the directory's pages from the entry model.

A thin adapter: entries are loaded and checked by :mod:`entries`; this plugin
only makes the NHS.UK frontend macros available to the theme and writes one page per
domain, locality, provider and activity, plus the lists that tie them together.
"""

from pelican import signals

from .generator import (
    BUILD_DATE,
    FRAGMENTS,
    OPEN_DATA_WRITTEN,
    OUTPUTS,
    PRELOADED,
    DirectoryGenerator,
    configure_jinja,
)

__all__ = ["BUILD_DATE", "FRAGMENTS", "OPEN_DATA_WRITTEN", "OUTPUTS", "PRELOADED", "register"]


def get_generators(pelican_object):
    return DirectoryGenerator


def register():
    signals.generator_init.connect(configure_jinja)
    signals.get_generators.connect(get_generators)
