"""Keeping entries up to date: one-click confirmation links, reminder emails, the key
that signs the links, and the monthly prize draw for groups that confirm."""
