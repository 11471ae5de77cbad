"""Pelican plugins: the adapter between the lower layers and Pelican's build."""
