"""`aidetector keys`: API keys of the local gateway."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from aidetector.cli.output import fail
from aidetector.settings import AppSettings

EXIT_EXISTS = 3  # `keys create` with a name in use: a script sees a non-zero status and an empty stdout


def _key_store() -> Any:
    from aidetector.local.gateway.keys import KeyStore
    from aidetector.plans import load_plans

    return KeyStore(AppSettings().home / "keys.sqlite3", load_plans().plans)


def cmd_keys(args: argparse.Namespace) -> int:
    from aidetector.local.gateway.keys import KeyStoreError

    store = _key_store()
    try:
        if args.keys_command == "create":
            raw = store.create(args.name, args.plan)
            print(f"created key '{args.name}' on plan '{args.plan}'; it is shown only now:", file=sys.stderr)
            print(raw)
        elif args.keys_command == "list":
            for key in store.list():
                state = f"revoked {key.revoked_at}" if key.revoked_at else "active"
                print(f"{key.name}\t{key.plan}\t{key.created_at}\t{state}")
        elif args.keys_command == "revoke":
            store.revoke(args.name)
            print(f"revoked '{args.name}'")
        else:
            print(json.dumps(store.usage(args.name), indent=2))
    except KeyStoreError as exc:
        if args.keys_command == "create" and store.get(args.name) is not None:
            return fail(
                f"a key named '{args.name}' exists already (a key is shown only when it is created, and names of "
                "revoked keys stay taken): choose another name; nothing was printed on stdout",
                EXIT_EXISTS,
            )
        return fail(str(exc))
    return 0


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("keys", help="manage API keys of the local gateway")
    keys = p.add_subparsers(dest="keys_command", required=True)
    k = keys.add_parser("create", help="issue a key: printed alone on stdout (only now), notes on stderr")
    k.add_argument("--name", required=True)
    k.add_argument("--plan", default="free")
    keys.add_parser("list", help="list keys (never the keys themselves)")
    k = keys.add_parser("revoke")
    k.add_argument("name")
    k = keys.add_parser("usage", help="quota used in the current period")
    k.add_argument("name")
    p.set_defaults(func=cmd_keys)
