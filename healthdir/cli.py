"""The ``healthdir`` command: check and build the directory in the current folder."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from healthdir.entries import load_directory
from healthdir.publish import BuildFailed, build
from healthdir.settings import NotASite, site_settings


def main(argv: list[str] | None = None) -> int:
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
    build_cmd.set_defaults(run=_build)

    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except NotASite as exc:
        print(f"healthdir: {exc}", file=sys.stderr)
        return 2


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
        directory = build(Path.cwd(), args.output, today=date.today())
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
        f"{_count(len(directory.providers), 'provider')} to {args.output}."
    )
    return 0


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
