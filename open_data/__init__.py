"""The directory's data for other systems and for people offline.

- :mod:`.oruk`: an Open Referral UK-shaped feed (services, organisations, taxonomy);
- :mod:`.tables`: CSV of activities and of provision (domain × locality);
- :mod:`.web`: sitemap, Atom feed and schema.org JSON-LD for activity pages;
- :mod:`.cards`: the few facts about an activity a printed list needs.
- :mod:`.oruk_import`: the other way round, another directory's ORUK feed as provider
  files (``healthdir import oruk``), with the team's rules in ``oruk_mapping.yaml``.

The exports are all built from the same loaded :class:`~entries.Directory` as the site,
so hidden (overdue) and closed activities never appear in it.
"""
