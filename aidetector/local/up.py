"""`aidetector up`: the whole local stack (model server, gateway, web UI) as child processes on loopback."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aidetector.local.gateway.keys import KeyStore
from aidetector.model.artifact import read_manifest
from aidetector.plans import load_plans
from aidetector.settings import SHIPPED_MODEL_DIR


@dataclass(frozen=True)
class StackOptions:
    home: Path
    model_dir: Path | None = None  # None: serve the local registry's latest (seeded with the shipped model)
    api_port: int = 8000
    model_port: int = 8080
    web_port: int = 8501
    web: bool = True
    host: str = "127.0.0.1"
    ready_timeout_s: float = 300.0


def wait_http(url: str, timeout_s: float, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{' '.join(proc.args)} exited with {proc.returncode}")  # type: ignore[arg-type]
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} not ready after {timeout_s:.0f} s")


def kept_key(home: Path, store: KeyStore, file: str, plan: str) -> str:
    """Reuse the key kept in `$AIDETECTOR_HOME/<file>` (mode 600) while it is valid and on `plan`, else issue one."""
    path = home / file
    if path.is_file():
        raw = path.read_text(encoding="utf-8").strip()
        found = store.lookup(raw)
        if found is not None and found.plan == plan:
            return raw
    raw = store.create(f"{file.removesuffix('_key')}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}", plan)
    path.write_text(raw + "\n", encoding="utf-8")
    path.chmod(0o600)
    return raw


def demo_key(home: Path, store: KeyStore) -> str:
    """The developer's demo key (plan `free`), printed with the curl line."""
    return kept_key(home, store, "demo_key", "free")


WEB_PLAN = "web"


def web_key(home: Path, store: KeyStore) -> str:
    """The web page's own key, on its own plan (`web` in plans.toml): never printed, never shown by the page."""
    return kept_key(home, store, "web_key", WEB_PLAN if WEB_PLAN in store.plans else "free")


def served_card(home: Path, model_dir: Path | None) -> Path:
    """The model card of the model the stack serves at start (the page links and shows it)."""
    if model_dir is not None:
        return model_dir / "MODEL_CARD.md"
    marker = home / SEEDED_MARKER
    version = marker.read_text(encoding="utf-8").strip() if marker.is_file() else ""
    candidate = home / "models" / version / "MODEL_CARD.md"
    return candidate if version and candidate.is_file() else SHIPPED_MODEL_DIR / "MODEL_CARD.md"


SEEDED_MARKER = "shipped_model_version"  # under $AIDETECTOR_HOME: the shipped version the registry was seeded with


def seed_registry(home: Path, shipped_dir: Path = SHIPPED_MODEL_DIR) -> str:
    """The local registry under `$AIDETECTOR_HOME/models`, with the checkout's shipped model as latest on first use.

    A checkout that ships a newer model moves latest to it, as long as latest is still the model seeded last time:
    otherwise someone chose another model (`aidetector models promote`, the pipeline) and that choice stands. The
    previous model stays registered, so `aidetector models rollback` goes back to it."""
    from aidetector.registry.registry import Registry
    from aidetector.registry.settings import RegistrySettings

    registry = Registry.from_settings(RegistrySettings(uri=str(home / "models")))
    shipped = str(read_manifest(shipped_dir)["version"])
    latest = registry.latest()
    versions = {info.version for info in registry.versions()}
    marker = home / SEEDED_MARKER
    seeded = marker.read_text(encoding="utf-8").strip() if marker.is_file() else None
    if seeded is None and versions == {latest}:
        seeded = latest  # a registry seeded before the marker existed holds the seed alone
    if latest is None or (latest == seeded and latest != shipped):
        if shipped not in versions:
            registry.add(shipped_dir)
        registry.promote(shipped, force=True)  # the shipped model has no gate to pass: it is the baseline
        marker.write_text(shipped + "\n", encoding="utf-8")
    return registry.uri


def child_env(home: Path) -> dict[str, str]:
    return {**os.environ, "AIDETECTOR_HOME": str(home), "PYTHONUNBUFFERED": "1"}


STACK_FILE = "stack.json"  # under $AIDETECTOR_HOME: the supervisor's report, which the gateway adds to /v1/health
FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 30.0
STABLE_AFTER_S = 60.0  # a child up this long has its backoff reset


@dataclass
class Child:
    """One supervised process: how to start it, where it answers when ready, and its history."""

    name: str
    args: list[str]
    env: dict[str, str]
    ready_url: str
    proc: subprocess.Popen[bytes] | None = None
    state: str = "starting"  # starting | up | restarting
    restarts: int = 0
    last_exit: int | None = None
    backoff_s: float = FIRST_BACKOFF_S
    started_at: float = 0.0
    down_since: float | None = None
    restart_at: float | None = None

    def report(self) -> dict[str, object]:
        return {
            "state": self.state,
            "pid": self.proc.pid if self.proc and self.proc.poll() is None else None,
            "restarts": self.restarts,
            "last_exit": self.last_exit,
        }


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=0.5) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


class Supervisor:
    """Starts the children, restarts one that dies (backoff 1, 2, 4 ... 30 s; reset after a minute up) while the
    others keep serving, and writes what it sees to `$AIDETECTOR_HOME/stack.json` and to the log."""

    def __init__(self, stack_file: Path):
        self.stack_file = stack_file
        self.children: list[Child] = []
        self.stopping = False

    def add(self, child: Child) -> Child:
        self.children.append(child)
        self.launch(child)
        return child

    def launch(self, child: Child) -> None:
        child.proc = subprocess.Popen(child.args, env=child.env)
        child.started_at = time.monotonic()
        child.restart_at = None
        self.write()

    def write(self) -> None:
        report = {
            "updated": datetime.now(UTC).isoformat(timespec="seconds"),
            "supervisor_pid": os.getpid(),
            "processes": {c.name: c.report() for c in self.children},
        }
        tmp = self.stack_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        tmp.replace(self.stack_file)

    def poll(self) -> None:
        """One supervision step: note deaths, restart what is due, mark restarted children up when they answer."""
        now = time.monotonic()
        changed = False
        for child in self.children:
            proc = child.proc
            if proc is not None and child.restart_at is None and proc.poll() is not None:
                child.last_exit = proc.returncode
                child.state = "restarting"
                child.down_since = child.down_since or now
                if now - child.started_at >= STABLE_AFTER_S:
                    child.backoff_s = FIRST_BACKOFF_S
                child.restart_at = now + child.backoff_s
                print(
                    f"aidetector up: {child.name} exited with {proc.returncode}; restarting it in "
                    f"{child.backoff_s:g} s (restart {child.restarts + 1}); the other processes keep serving",
                    file=sys.stderr,
                    flush=True,
                )
                child.backoff_s = min(MAX_BACKOFF_S, child.backoff_s * 2)
                changed = True
            elif child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                self.launch(child)
            elif child.state in ("starting", "restarting") and child.restart_at is None and _answers(child.ready_url):
                if child.down_since is not None:
                    print(
                        f"aidetector up: {child.name} is back (pid {child.proc.pid if child.proc else '?'}) "
                        f"{time.monotonic() - child.down_since:.1f} s after it stopped",
                        file=sys.stderr,
                        flush=True,
                    )
                child.state, child.down_since = "up", None
                changed = True
        if changed:
            self.write()

    def stop_all(self) -> None:
        self.stopping = True
        for child in reversed(self.children):
            if child.proc is not None and child.proc.poll() is None:
                child.proc.send_signal(signal.SIGTERM)
        for child in self.children:
            if child.proc is None:
                continue
            try:
                child.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.proc.kill()
        with contextlib.suppress(FileNotFoundError):
            self.stack_file.unlink()


SAMPLE_TEXT = (
    "Paste a paragraph of your own here. The detector needs at least thirty words of running text before it gives a "
    "verdict, so this sample is long enough on purpose: it explains what to send, why the length matters, and that "
    "the answer is one signal for a human reviewer rather than a final judgement about anybody."
)


def up(opts: StackOptions) -> int:
    opts.home.mkdir(parents=True, exist_ok=True)
    env = child_env(opts.home)
    cli = [sys.executable, "-m", "aidetector.cli"]
    api_url = f"http://{opts.host}:{opts.api_port}"
    model_url = f"http://{opts.host}:{opts.model_port}"
    supervisor = Supervisor(opts.home / STACK_FILE)

    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        serve = [*cli, "serve", "--host", opts.host, "--port", str(opts.model_port)]
        if opts.model_dir is not None:
            source = str(opts.model_dir)
            serve += ["--model", source]
        else:  # `aidetector pipeline run` promotes into this registry; the server picks the new latest up
            source = seed_registry(opts.home)
            serve += ["--registry", source, "--watch", "2"]
        print(f"starting the model server on {model_url} (model {source}) ...", flush=True)
        model = supervisor.add(Child("model server", serve, env, f"{model_url}/ping"))
        gateway_env = {**env, "AIDETECTOR_GATEWAY_STACK_FILE": str(supervisor.stack_file)}
        gateway_args = [*cli, "gateway", "--host", opts.host, "--port", str(opts.api_port), "--model-url", model_url]
        gateway = supervisor.add(Child("gateway", gateway_args, gateway_env, f"{api_url}/openapi.json"))
        assert model.proc is not None and gateway.proc is not None
        wait_http(model.ready_url, opts.ready_timeout_s, model.proc)
        wait_http(gateway.ready_url, opts.ready_timeout_s, gateway.proc)
        store = KeyStore(opts.home / "keys.sqlite3", load_plans().plans)
        key = demo_key(opts.home, store)
        web_line = ""
        if opts.web:
            web_url = f"http://{opts.host}:{opts.web_port}"
            page_key = web_key(opts.home, store)
            plan = store.plans[store.lookup(page_key).plan]  # type: ignore[union-attr]
            web_env = {
                **env,
                "AIDETECTOR_WEB_API_URL": api_url,
                "AIDETECTOR_WEB_API_KEY": page_key,
                "AIDETECTOR_WEB_RATE": str(plan.rate),
                "AIDETECTOR_WEB_BURST": str(plan.burst),
                "AIDETECTOR_WEB_BATCH_CHUNK": str(min(32, load_plans().limits.max_batch_items)),
                "AIDETECTOR_WEB_MODEL_CARD": str(served_card(opts.home, opts.model_dir)),
            }
            web_args = [*cli, "web", "--host", opts.host, "--port", str(opts.web_port)]
            web = supervisor.add(Child("web page", web_args, web_env, f"{web_url}/_stcore/health"))
            assert web.proc is not None
            wait_http(web.ready_url, opts.ready_timeout_s, web.proc)
            web_line = f"  web UI:        {web_url}\n"
        supervisor.poll()
        sample = json.dumps({"input_text": SAMPLE_TEXT})
        curl = (
            f"curl -s -X POST {api_url}/v1/detect -H 'Content-Type: application/json' "
            f"-H 'x-api-key: {key}' -d {shlex.quote(sample)}"
        )
        print(
            "\naidetector is running (Ctrl-C stops it; a process that stops is restarted)\n"
            f"{web_line}"
            f"  public API:    {api_url}  (OpenAPI: {api_url}/openapi.json, docs: {api_url}/docs)\n"
            f"  model server:  {model_url}/ping\n"
            f"  demo API key:  {key}\n"
            f"  state:         {opts.home}\n\n"
            f"try:\n  {curl}\n",
            flush=True,
        )
        while True:
            time.sleep(0.5)
            supervisor.poll()
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
        return 0
    except (RuntimeError, TimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        supervisor.stop_all()


@contextlib.contextmanager
def launched(args: Sequence[str], env: Mapping[str, str], timeout_s: float = 300.0) -> Iterator[str]:
    """Run `aidetector up ARGS` in a child process (as a user would) and yield what it printed up to its curl line.

    For the integration test, the browser test and the screenshot script; on exit it sends Ctrl-C and waits.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "aidetector.cli", "up", *args],
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Ctrl-C must reach it as it would from a terminal: a caller started in the background (`cmd &`) ignores
        # SIGINT, children inherit that, and the stack would then outlive the Ctrl-C this sends.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            line = proc.stdout.readline() if proc.stdout else ""
            if not line:
                break
            lines.append(line)
            if line.strip().startswith("curl "):
                break
        # Keep reading what the stack prints (the children write to the same pipe): a full pipe would block them.
        drain = threading.Thread(target=lambda: [None for _ in proc.stdout or ()], name="up-output", daemon=True)
        drain.start()
        yield "".join(lines)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
