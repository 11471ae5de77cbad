"""The directory's data for other systems and for people offline.

- :mod:`.oruk`: an Open Referral UK-shaped feed (services, organisations, taxonomy);
- :mod:`.tables`: CSV of activities and of provision (domain × locality);
- :mod:`.web`: sitemap, Atom feed and schema.org JSON-LD for activity pages;
- :mod:`.cards`: the few facts about an activity a printed list needs.

All of it is built from the same loaded :class:`~entries.Directory` as the site,
so hidden (overdue) and closed activities never appear in it.
"""
