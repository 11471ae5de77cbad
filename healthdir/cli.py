"""The ``healthdir`` command: check and build the directory in the current folder."""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import secrets
import signal
import sys
from collections.abc import Callable
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from entries import Directory, Site, clock, load_directory, mail
from entries.directory import load_domains
from entries.formatting import long_date
from entries.freshness import (
    STATE_WORDS,
    STATES,
    check_overdue,
    confirmed_within,
    counts_by,
    oldest_first,
    review_and_hide_dates,
    without_contact,
)
from entries.site_settings import (
    NotASite,
    public_url,
    site_path,
    site_settings,
)
from entries.text_safety import SafeCsvWriter, TerminalSafe
from entries.yaml_writer import dump_entry
from healthdir.publish import BuildFailed, build
from open_data.oruk_feed import FeedError
from open_data.oruk_mapping import MappingError
from registration import replies
from registration.queue import QueueError, Submission, SubmissionQueue
from registration.review import approve, propose, reject
from search import FACETS, Filters, SearchIndex
from search.distance import DEFAULT_WITHIN, SORTS, WITHIN_CHOICES, UnknownPlace
from search.querying import MissingIndex
from search.unmet_need import UnmetNeed
from upkeep.confirmations import confirm_link
from upkeep.prize_draw import draw, entrants
from upkeep.reminders import load_state, reminders_due, send
from upkeep.secret import secret_key

DATE_HELP = "work as if today were this day (YYYY-MM-DD), to plan ahead or test"
PREVIEW_URL = "http://127.0.0.1:8000"  # where `healthdir serve` answers by default


def main(argv: list[str] | None = None) -> int:
    if hasattr(signal, "SIGPIPE"):  # `healthdir freshness | head` ends quietly, as Unix tools do
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    parser = argparse.ArgumentParser(
        prog="healthdir",
        description="Check and publish a community health directory. Run it in the "
        "folder that holds pelicanconf.py.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="check provider files and report every problem")
    check.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: all)"
    )
    check.set_defaults(run=_check)

    build_cmd = commands.add_parser("build", help="check, then build and publish the site")
    build_cmd.add_argument(
        "--output", type=Path, default=Path("output"), help="where to publish (default: output)"
    )
    build_cmd.add_argument("--date", type=date.fromisoformat, default=None, help=DATE_HELP)
    build_cmd.add_argument(
        "--preview",
        nargs="?",
        const=PREVIEW_URL,
        default="",
        metavar="ADDRESS",
        help="a local preview, not for publishing: links that leave the site use ADDRESS "
        f"(default {PREVIEW_URL}) instead of PUBLIC_URL",
    )
    build_cmd.add_argument(
        "--full",
        action="store_true",
        help="make every page again, even those no changed provider file reaches",
    )
    build_cmd.set_defaults(run=_build)

    link = commands.add_parser(
        "confirm-link", help="print a provider's one-click confirmation link"
    )
    link.add_argument("provider", help="the provider's file name without .yaml")
    link.set_defaults(run=_confirm_link)

    remind = commands.add_parser("remind", help="email providers whose details are due a check")
    remind.add_argument("--dry-run", action="store_true", help="print the emails; send nothing")
    remind.add_argument("--date", type=date.fromisoformat, default=None, help=DATE_HELP)
    remind.set_defaults(run=_remind)

    fresh = commands.add_parser("freshness", help="how up to date the directory is")
    fresh.add_argument("--csv", action="store_true", help="one row per provider, as CSV")
    fresh.add_argument("--date", type=date.fromisoformat, default=None, help=DATE_HELP)
    fresh.set_defaults(run=_freshness)

    prize = commands.add_parser(
        "prize-draw", help="draw the month's winner among groups that confirmed or updated"
    )
    prize.add_argument("month", help="YYYY-MM")
    prize.add_argument(
        "--seed", type=int, default=None, help="re-run an earlier draw with its seed"
    )
    prize.set_defaults(run=_prize_draw)

    search_cmd = commands.add_parser(
        "search", help="search the built directory, as a link worker would"
    )
    search_cmd.add_argument(
        "query", nargs="?", default="", help='words to search for, e.g. "lonely"'
    )
    for facet in FACETS:  # every filter the search page offers, from the one table
        values = list(facet.labels()) or None
        if facet.toggle:
            search_cmd.add_argument(f"--{facet.name}", action="store_true", help=facet.help)
        else:
            search_cmd.add_argument(
                f"--{facet.name}",
                action="append" if facet.multiple else "store",
                choices=values,
                metavar=(facet.name.upper() if values is None else None),
                help=facet.help + (" (may be given more than once)" if facet.multiple else ""),
            )
    search_cmd.add_argument(
        "--near", default="", metavar="POSTCODE_OR_PLACE", help="measure distances from here"
    )
    search_cmd.add_argument(
        "--within",
        type=float,
        choices=WITHIN_CHOICES,
        default=None,
        metavar="MILES",
        help=f"with --near: only this far ({', '.join(map(str, WITHIN_CHOICES))}; "
        f"default {DEFAULT_WITHIN})",
    )
    search_cmd.add_argument(
        "--sort", choices=SORTS, default="relevance", help="with --near: relevance or distance"
    )
    search_cmd.add_argument("--limit", type=int, default=10, help="how many results (default 10)")
    search_cmd.add_argument("--json", action="store_true", help="print JSON instead of text")
    search_cmd.set_defaults(run=_search)

    serve = commands.add_parser("serve", help="serve the built site with search at one address")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--output", type=Path, default=Path("output"), help="the built site (default output)"
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=0,
        help="processes answering at once (default: one per core)",
    )
    # Searches hold Python's global lock, so more threads only add waiting; a few cover I/O.
    serve.add_argument("--threads", type=int, default=4, help=argparse.SUPPRESS)
    serve.set_defaults(run=_serve)

    subs = commands.add_parser("submissions", help="list the moderation queue, or show one item")
    subs_actions = subs.add_subparsers(dest="action", metavar="show ID")
    show = subs_actions.add_parser("show", help="a submission exactly as it would be published")
    show.add_argument("id")
    subs.set_defaults(run=_submissions)

    approve_cmd = commands.add_parser("approve", help="publish a submission into content/providers")
    approve_cmd.add_argument("id")
    approve_cmd.add_argument("--by", required=True, help="who checked it (recorded in the entry)")
    approve_cmd.add_argument(
        "--slug", default="", help="file name for a new group, if not the suggested one"
    )
    approve_cmd.add_argument(
        "--not-duplicate",
        action="store_true",
        help="publish it although it looks like a group already listed",
    )
    approve_cmd.add_argument(
        "--as-update-of",
        default="",
        metavar="SLUG",
        help="it is that listed group: update its listing with what was sent",
    )
    approve_cmd.set_defaults(run=_approve)

    reject_cmd = commands.add_parser("reject", help="close a submission without publishing it")
    reject_cmd.add_argument("id")
    reject_cmd.add_argument("--reason", required=True, help="why (kept with the submission)")
    reject_cmd.set_defaults(run=_reject)

    report = commands.add_parser("report", help="reports for the directory team and commissioners")
    reports = report.add_subparsers(dest="report", required=True, metavar="REPORT")
    unmet = reports.add_parser(
        "unmet-need", help="searches that found nothing, most frequent first"
    )
    unmet.add_argument("--since", type=date.fromisoformat, help="only from this day (YYYY-MM-DD)")
    unmet.add_argument("--csv", action="store_true", help="print CSV instead of text")
    unmet.set_defaults(run=_unmet_need)

    import_cmd = commands.add_parser("import", help="add groups from another directory's data")
    formats = import_cmd.add_subparsers(dest="format", required=True, metavar="FORMAT")
    oruk = formats.add_parser("oruk", help="an Open Referral UK services feed (JSON)")
    oruk.add_argument("file", type=Path, help="the feed: a JSON list of services, or a page")
    oruk.add_argument(
        "--feed", default="", metavar="NAME", help="the feed's name (default: the file's name)"
    )
    oruk.add_argument(
        "--mapping", type=Path, metavar="PATH", help="the rules for topics, areas and so on"
    )
    oruk.set_defaults(run=_import_oruk)

    args = parser.parse_args(argv)
    # Entries, submissions and searches hold text from strangers: whatever is printed,
    # a control character in it is shown escaped, never sent to the terminal.
    real_out, real_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalSafe(real_out), TerminalSafe(real_err)
    try:
        return args.run(args)
    except (NotASite, MissingIndex, clock.BadClock) as exc:
        print(f"healthdir: {exc}", file=sys.stderr)
        return 2
    except QueueError as exc:
        print(f"healthdir {args.command}: {exc}", file=sys.stderr)
        return 1
    finally:
        sys.stdout, sys.stderr = real_out, real_err


def _check(args: argparse.Namespace) -> int:
    root = Path.cwd()
    directory, problems = load_directory(root, site_settings(root), paths=args.paths or None)
    for problem in problems:
        print(problem)
    if problems:
        print(
            f"\n{_count(len(problems), 'problem')} found. Nothing has been changed.",
            file=sys.stderr,
        )
        return 1
    activities = sum(len(p.activities) for p in directory.providers)
    print(
        f"All good: {_count(len(directory.providers), 'provider')}, {_count(activities, 'activity', 'activities')}."
    )
    return 0


def _build(args: argparse.Namespace) -> int:
    try:
        directory = build(
            Path.cwd(),
            args.output,
            today=args.date or clock.today(),
            preview=args.preview,
            full=args.full,
        )
    except BuildFailed as exc:
        for problem in exc.problems:
            print(problem)
        print(f"\nhealthdir build: {exc}", file=sys.stderr)
        if exc.problems:
            print(
                f"Fix the {_count(len(exc.problems), 'problem')} above and build again. "
                f"The published site in {args.output} has not been changed.",
                file=sys.stderr,
            )
        return 1
    listed = len(directory.listed_activities())
    print(
        f"Published {_count(listed, 'activity', 'activities')} from "
        f"{_count(len(directory.providers), 'provider')} to {args.output}"
        + (f", as a local preview for {args.preview}." if args.preview else ".")
    )
    # What the build loaded is left for the operating system to reclaim as the command
    # ends: Python's own collection at exit freed 10,000 providers one object at a time,
    # for two seconds.
    gc.freeze()
    return 0


def _import_oruk(args: argparse.Namespace) -> int:
    from open_data.oruk_import import import_oruk  # with its HTML parser: only this needs it

    try:
        report = import_oruk(Path.cwd(), args.file, feed=args.feed, mapping=args.mapping)
    except (FeedError, MappingError) as exc:
        print(f"healthdir import: {exc} Nothing has been changed.", file=sys.stderr)
        return 1
    for line in report.lines():
        print(line)
    return 0


def _search(args: argparse.Namespace) -> int:
    root = Path.cwd()
    settings = site_settings(root)
    if args.domain or args.locality:
        site, domains = (
            Site.from_settings(settings),
            load_domains(Path(settings["PATH"]) / "domains")[0],
        )
        for given, known, what in (
            (args.domain, domains, "domain"),
            (args.locality, site.localities, "locality"),
        ):
            if given and given not in known:
                print(
                    f'healthdir search: unknown {what} "{given}". Use one of: {", ".join(known)}',
                    file=sys.stderr,
                )
                return 2
    filters = Filters(**{facet.name: getattr(args, facet.name) for facet in FACETS})
    try:
        found = SearchIndex(site_path(root, settings, "SEARCH_INDEX")).search(
            args.query,
            filters,
            limit=max(1, args.limit),
            near=args.near,
            within=args.within,
            sort=args.sort,
        )
    except UnknownPlace as unknown:
        print(f"healthdir search: {unknown}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(found.as_json(), indent=2, ensure_ascii=False))
        return 0
    print(
        f"{_count(found.total, 'activity', 'activities')} found"
        + (f" for “{args.query}”" if args.query else "")
        + "."
    )
    if found.understood:
        shown = "; ".join(
            f"{name} {', '.join(values)}" for name, values in found.understood.items()
        )
        print(f"Understood as filters: {shown} (searching for “{found.query}”).")
    if found.suggestion:
        print(f"Did you mean: {found.suggestion}?")
    site_url = settings.get("SITEURL") or ""
    for number, result in enumerate(found.results, 1):
        item = result.item
        print(f"\n{number}. {item.name} — {item.provider}")
        print(f"   When:  {item.when}")
        print(f"   Where: {item.where}" + (f" ({result.distance_text})" if found.near else ""))
        print(f"   Page:  {site_url}{item.url}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from healthdir.serving import default_workers, serve
    from service import create_app

    root, address = Path.cwd(), f"http://{args.host}:{args.port}"
    # Without a public address this can only be a local preview: it uses its own.
    preview = "" if site_settings(root).get("PUBLIC_URL") else address

    def make_app(rate_counts: str) -> Any:
        app = create_app(root, args.output, preview=preview, rate_counts=rate_counts)
        print(f"Serving the directory at {address}/ (Ctrl+C to stop)", flush=True)
        return app

    serve(make_app, args.host, args.port, args.workers or default_workers(), args.threads)
    return 0


def _unmet_need(args: argparse.Namespace) -> int:
    root = Path.cwd()
    store = UnmetNeed(site_path(root, site_settings(root), "UNMET_NEED_DB"))
    needs, told = store.needs(args.since), store.told_us(args.since)
    if args.csv:
        writer = SafeCsvWriter(sys.stdout)
        writer.writerow(
            ["kind", "query", "filters", "searches", "first_day", "last_day", "message"]
        )
        for need in needs:
            writer.writerow(
                [
                    "no results",
                    need.query,
                    need.filters,
                    need.searches,
                    need.first_day,
                    need.last_day,
                    "",
                ]
            )
        for item in told:
            writer.writerow(
                ["told us", item.query, item.filters, "", item.day, item.day, item.message]
            )
        return 0
    since = f" since {long_date(args.since)}" if args.since else ""
    print(f"Searches that found nothing{since}, most frequent first:")
    for need in needs:
        filters = f"  [{need.filters}]" if need.filters else ""
        print(
            f"{need.searches:6}  {need.query or '(no words)'}{filters}  ({need.first_day} to {need.last_day})"
        )
    if not needs:
        print("  none")
    print(f"\nWhat people told us they were looking for{since}:")
    for item in told:
        print(
            f"  {item.day}  {item.message}"
            + (f"  (searched for: {item.query})" if item.query else "")
        )
    if not told:
        print("  none")
    return 0


def _review_context() -> tuple[SubmissionQueue, Path, Directory]:
    root = Path.cwd()
    settings = site_settings(root)
    directory, _ = load_directory(root, settings)
    providers = Path(settings["PATH"]) / "providers"
    return SubmissionQueue(site_path(root, settings, "SUBMISSIONS_PATH")), providers, directory


def _submissions(args: argparse.Namespace) -> int:
    queue, providers, directory = _review_context()
    today = clock.today()
    if args.action == "show":
        return _show_submission(queue.get(args.id), providers, directory, today)
    pending = queue.pending()
    if not pending:
        print("Nothing is waiting to be checked.")
        return 0
    print(f"{_count(len(pending), 'submission')} waiting, oldest first:")
    for sub in pending:
        name = (sub.entry or {}).get("name") or sub.target
        age = sub.age_days(today)
        when = "today" if age == 0 else f"{_count(age, 'day')} ago"
        print(f"\n{sub.id}  {sub.kind:<6}  {name}  (received {when})")
        if sub.kind == "report":
            print(f"    about {sub.target}/{sub.activity}: {sub.message}")
        elif sub.kind == "update":
            print(f"    updates {sub.target}")
        for flag in sub.duplicates:
            print(f"    possible duplicate of {flag}")
    print("\nSee one with `healthdir submissions show ID`.")
    return 0


def _show_submission(sub: Submission, providers: Path, directory: Directory, today: date) -> int:
    print(
        f"Submission {sub.id}: {sub.kind}, received {sub.received:%d %B %Y at %H:%M}, {sub.state}"
    )
    for flag in sub.duplicates:
        print(f"Possible duplicate of {flag}")
    if sub.decision:
        print("Decision: " + ", ".join(f"{k}: {v}" for k, v in sub.decision.items()))
    print(
        "\nFrom (private, never published): " + ", ".join(f"{v}" for v in sub.private.values() if v)
        or "-"
    )
    if sub.kind == "report":
        print(f"\nReport about {sub.target}/{sub.activity}:\n  {sub.message}")
        return 0
    if sub.state != "pending":
        return 0
    try:
        proposal = propose(sub, providers, directory, today, by="(you)")
    except QueueError as exc:
        print(f"\n{exc}\n\nAs it was sent:\n")
        print(dump_entry(sub.entry or {}))
        return 1
    if proposal.current:
        print(f"\nChanges to {proposal.path} if approved:\n")
        print(proposal.diff() or "(no changes)")
    else:
        print(f"\n{proposal.path} as it would be published:\n")
        print(proposal.text)
    return 0


def _approve(args: argparse.Namespace) -> int:
    queue, providers, directory = _review_context()
    sub = queue.get(args.id)
    root = Path.cwd()
    settings = site_settings(root)
    # The reply's links need the public address: without it, approve nothing.
    base_url, link = public_url(settings), _linker(root, settings)
    path = approve(
        queue, sub, providers, directory, clock.today(), args.by, slug=args.slug,
        not_duplicate=args.not_duplicate, as_update_of=args.as_update_of,
    )  # fmt: skip
    print(f"Approved {sub.id}: wrote {path}. Run `healthdir build` to publish it.")
    message = replies.approval(
        queue.get(sub.id),
        directory.site,
        mail.sender(directory.site.team_email),
        f"{base_url}/providers/{path.stem}/",
        link(path.stem),
    )
    _reply(message, f"approval of submission {sub.id}")
    return 0


def _reject(args: argparse.Namespace) -> int:
    queue, _, directory = _review_context()
    sub = queue.get(args.id)
    reject(queue, sub, args.reason, clock.today())
    print(f"Closed {sub.id} without publishing it.")
    message = replies.rejection(
        queue.get(sub.id), directory.site, mail.sender(directory.site.team_email)
    )
    _reply(message, f"rejection of submission {sub.id}")
    return 0


def _reply(message: EmailMessage | None, what: str) -> None:
    """Email the person who sent a submission, and say whether it went."""
    if message is None:
        print("No email sent: they left no email address.")
    elif mail.send_reply(message, what):
        print(f"Emailed {message['To']}.")
    else:
        print("No email was sent, so let them know yourself.")


def _loaded(today: date | None = None) -> tuple[Path, dict, Directory]:
    root = Path.cwd()
    settings = site_settings(root)
    directory, _ = load_directory(root, settings, today=today or clock.today())
    return root, settings, directory


def _linker(root: Path, settings: dict) -> Callable[[str], str]:
    """Signed confirmation links, at the directory's public address."""
    base_url, secret = public_url(settings), secret_key(root)
    return lambda slug: confirm_link(slug, base_url, secret)


def _confirm_link(args: argparse.Namespace) -> int:
    root, settings, directory = _loaded()
    if args.provider not in {p.slug for p in directory.all_providers}:
        print(
            f'healthdir confirm-link: there is no provider "{args.provider}" '
            "(use its file name in content/providers, without .yaml)",
            file=sys.stderr,
        )
        return 1
    print(_linker(root, settings)(args.provider))
    return 0


def _remind(args: argparse.Namespace) -> int:
    root, settings, directory = _loaded(args.date)
    state_path = site_path(root, settings, "REMINDER_STATE")
    state = load_state(state_path)
    sender = os.environ.get("HEALTHDIR_SMTP_FROM") or directory.site.team_email
    due = reminders_due(directory, state, _linker(root, settings), sender)
    if args.dry_run:
        for reminder in due:
            message = reminder.message
            print(
                f"{'=' * 70}\nTo: {message['To']}\nFrom: {message['From']}\nSubject: {message['Subject']}\n"
            )
            print(message.get_content())
        print(
            f"{_count(len(due), 'reminder')} would be sent (dry run: nothing sent, nothing recorded)."
        )
        return 0
    try:
        send(due, state_path, state)
    except (RuntimeError, OSError) as exc:
        print(f"healthdir remind: {exc}", file=sys.stderr)
        return 2
    for reminder in due:
        print(f"Sent “{reminder.step}” to {reminder.provider.name} ({reminder.to})")
    print(f"{_count(len(due), 'reminder')} sent.")
    return 0


def _freshness(args: argparse.Namespace) -> int:
    _, _, directory = _loaded(args.date)
    if args.csv:
        writer = SafeCsvWriter(sys.stdout)
        writer.writerow(
            [
                "provider",
                "name",
                "state",
                "last_confirmed",
                "review_from",
                "hidden_from",
                "checked_on",
            ]
        )
        for p in oldest_first(directory):
            review, hide = review_and_hide_dates(p, directory)
            writer.writerow(
                [p.slug, p.name, p.freshness, p.last_confirmed, review, hide, p.checked_on or ""]
            )
        return 0
    every = [p.freshness for p in directory.all_providers]
    print(
        f"Freshness on {long_date(directory.today)}: "
        + ", ".join(f"{every.count(state)} {STATE_WORDS[state]}" for state in STATES)
        + " (providers)"
    )
    for share in (confirmed_within(directory, 6), confirmed_within(directory, 12)):
        print(
            f"Activities confirmed in the last {share.months} months: {share.percent}% ({share.confirmed} of {share.total})"
        )
    for key, title in (("locality", "By area"), ("domain", "By topic")):
        print(f"\n{title} (activities: fresh / due / overdue):")
        for group, counts in sorted(counts_by(directory, key).items()):
            print(f"  {group:<20} {counts['fresh']:4} {counts['due']:4} {counts['overdue']:4}")
    print("\nProviders, oldest confirmation first:")
    for p in oldest_first(directory):
        print(f"  {p.last_confirmed}  {STATE_WORDS[p.freshness]:<17} {p.name} ({p.slug})")
    stale = check_overdue(directory)
    months = directory.site.check_after_months
    print(f"\nNot checked by the directory team in the last {months} months: {len(stale)}")
    for p in stale:
        print(f"  {p.checked_on or 'never'}  {p.name} ({p.slug})")
    missing = without_contact(directory)
    print(f"\nImported with no contact details (add a phone, email or website): {len(missing)}")
    for a in missing:
        print(f"  {a.provider.name} ({a.provider.slug}): {a.name}")
    return 0


def _prize_draw(args: argparse.Namespace) -> int:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        print("healthdir prize-draw: give the month as YYYY-MM, such as 2026-11", file=sys.stderr)
        return 2
    root, settings, directory = _loaded()
    names = {p.slug: p.name for p in directory.all_providers}
    found = entrants(
        args.month,
        site_path(root, settings, "CONFIRMATION_LOG"),
        SubmissionQueue(site_path(root, settings, "SUBMISSIONS_PATH")).approvals(),
    )
    seed = args.seed if args.seed is not None else secrets.randbelow(1_000_000)
    result = draw(args.month, seed, found)
    print(
        f"Prize draw for {args.month}: {_count(len(result.entrants), 'group')} confirmed or updated their details."
    )
    for slug in result.entrants:
        print(f"  {names.get(slug, slug)} ({slug})")
    if result.winner is None:
        print("Nobody to draw from this month.")
        return 0
    print(f"\nSeed: {seed}\nWinner: {names.get(result.winner, result.winner)} ({result.winner})")
    print(f"Anyone can check it: healthdir prize-draw {args.month} --seed {seed}")
    return 0


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
