"""The filters people combine, and how they read them from a form or the command line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from entries.text_safety import one_line

# Facet name -> the index field it counts. Shown, in this order, beside every result list.
FACETS = {
    "domain": "domains",
    "locality": "locality",
    "cost": "cost",
    "day": "days",
    "join": "join",
    "delivery": "delivery",
    "accessibility": "accessibility",
    "language": "languages",
}


@dataclass(frozen=True)
class Filters:
    """Filters that narrow a search. Empty means "any"; all given filters must hold."""

    domain: str = ""
    locality: str = ""
    free: bool = False
    day: str = ""
    join: str = ""
    delivery: str = ""
    accessibility: str = ""
    language: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        """From a query string: unknown keys are ignored, values are trimmed and capped."""
        values: dict[str, object] = {}
        for field in fields(cls):
            raw = one_line(args.get(field.name, ""))[:60]
            if field.name == "free":
                values["free"] = raw.lower() in ("1", "true", "yes", "on", "free")
            else:
                values[field.name] = raw.lower() if field.name != "language" else raw.casefold()
        return cls(**values)  # type: ignore[arg-type]

    def active(self) -> dict[str, str]:
        """The filters that are set, as query-string pairs (``free`` as ``"1"``)."""
        return {
            field.name: ("1" if value is True else str(value))
            for field in fields(self)
            if (value := getattr(self, field.name))
        }

    def __bool__(self) -> bool:
        return bool(self.active())
