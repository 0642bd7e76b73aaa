"""The servers: serve (model server), gateway (local API Gateway), web (Streamlit UI), up (all of them)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from aidetector.settings import AppSettings


def cmd_serve(args: argparse.Namespace) -> int:
    from aidetector.local.runtime import runtime_routes
    from aidetector.serving.app import serve
    from aidetector.serving.settings import ServerSettings

    chosen = {
        "host": args.host,
        "port": args.port,
        "model_dir": args.model,
        "registry_uri": args.registry,
        "watch_s": args.watch,
    }
    serve(ServerSettings(**{k: v for k, v in chosen.items() if v}), [runtime_routes])
    return 0


def cmd_gateway(args: argparse.Namespace) -> int:
    from aidetector.local.gateway.app import serve
    from aidetector.local.gateway.settings import GatewaySettings

    overrides = {k: v for k, v in {"host": args.host, "port": args.port, "model_url": args.model_url}.items() if v}
    serve(GatewaySettings(**overrides))
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    """Run the Streamlit UI; it reads AIDETECTOR_WEB_API_URL and AIDETECTOR_WEB_API_KEY.

    The process becomes Streamlit (exec), so a signal sent to it (`aidetector up` stopping its children) reaches
    the server itself; a child process would be orphaned and keep its port.
    """
    from importlib.resources import files

    app = files("aidetector.web").joinpath("app.py")
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        args.host,
        "--server.port",
        str(args.port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "viewer",
    ]
    sys.stdout.flush()
    os.execv(sys.executable, command)
    return 0  # not reached: exec replaces this process


def cmd_up(args: argparse.Namespace) -> int:
    from aidetector.local.up import StackOptions, up

    settings = AppSettings()
    return up(
        StackOptions(
            home=settings.home,
            model_dir=Path(args.model) if args.model else None,
            api_port=args.api_port,
            model_port=args.model_port,
            web_port=args.web_port,
            web=not args.no_web,
        )
    )


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("serve", help="run the model server (the SageMaker inference contract)")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--model", help="artifact folder (default: $AIDETECTOR_MODEL_DIR, /opt/ml/model, shipped)")
    p.add_argument("--registry", help="serve this registry's latest instead (a folder or s3://bucket/prefix)")
    p.add_argument("--watch", type=float, help="with --registry: reload when latest changes, checking every N s")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("gateway", help="run the local API gateway in front of the Lambda handler")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--model-url", help="model server URL (default http://127.0.0.1:8080)")
    p.set_defaults(func=cmd_gateway)

    p = sub.add_parser("web", help="run the web UI (a client of the public API)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=cmd_web)

    p = sub.add_parser("up", help="start model server, gateway and web UI on loopback")
    p.add_argument("--api-port", type=int, default=8000)
    p.add_argument("--model-port", type=int, default=8080)
    p.add_argument("--web-port", type=int, default=8501)
    p.add_argument("--no-web", action="store_true")
    p.add_argument("--model", help="serve this artifact folder (default: the local registry's latest)")
    p.set_defaults(func=cmd_up)
