"""Settings for publishing: the same site, with its public address."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

# Set SITEURL to the directory's public address, e.g. https://directory.anytown.example.org
SITEURL = os.environ.get("HEALTHDIR_SITEURL", "")
RELATIVE_URLS = False
