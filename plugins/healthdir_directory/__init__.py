"""Pelican plugin: publishes the directory's pages from the entry model.

A thin adapter: entries are loaded and checked by :mod:`healthdir.entries`; this plugin
only makes the NHS.UK frontend macros available to the theme and writes one page per
domain, locality, provider and activity, plus the lists that tie them together.
"""

from pelican import signals

from .generator import DirectoryGenerator, configure_jinja


def get_generators(pelican_object):
    return DirectoryGenerator


def register():
    signals.generator_init.connect(configure_jinja)
    signals.get_generators.connect(get_generators)
