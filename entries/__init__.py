"""The entry model: one schema, one loader and one set of checks used by everything.

The command line, the Pelican plugin, the search index and the registration form all go
through :func:`load_directory` (or :func:`check_provider_data` for a single entry), so a
provider file means the same thing everywhere.
"""

from entries.directory import Directory, load_directory
from entries.model import Activity, Domain, Provider, Site
from entries.problems import Problem

__all__ = [
    "Activity",
    "Directory",
    "Domain",
    "Problem",
    "Provider",
    "Site",
    "load_directory",
]
