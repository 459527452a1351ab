"""`python -m evals.bundle validate PATH`: check a bundle and say what it holds."""

from __future__ import annotations

import argparse
import sys

from evals.bundle.bundle import Bundle, BundleError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bundle", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("validate", help="validate a bundle directory or .tar.gz")
    check.add_argument("paths", nargs="+", metavar="PATH")
    args = parser.parse_args(argv)
    failed = 0
    for path in args.paths:
        try:
            bundle = Bundle.load(path, validate=False)
            counts = bundle.validate()
        except BundleError as exc:
            print(f"invalid: {exc}", file=sys.stderr)
            failed += 1
            continue
        held = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "no records"
        print(f"ok: {path}: {bundle.manifest.title!r} ({held})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
