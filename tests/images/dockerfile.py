"""Read a Dockerfile and lay its image out under a temporary root, so a test can run the image's own command the way
the container would, without Docker.

What is real: the files the image COPYs (and nothing else), the project installed from that copy as the image's
`pip install` does, the image's ENV, ENTRYPOINT/CMD, working directory and HEALTHCHECK command. What stands in: the
third-party packages come from the test virtualenv, and absolute image paths (`/opt/...`) live under the temp root.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
# The project alone, built with what is installed here: no download, dependencies already in the test venv.
OFFLINE_LOCAL_INSTALL = ("--no-deps", "--no-build-isolation", "--no-index")


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


class Dockerfile:
    """The instructions of one Dockerfile (continuations joined, comments dropped)."""

    def __init__(self, path: Path):
        self.path = path
        self.instructions = parse(path.read_text(encoding="utf-8"))

    def all(self, keyword: str) -> list[str]:
        return [i.arguments for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> str | None:
        found = self.all(keyword)
        return found[-1] if found else None

    @property
    def base(self) -> str:
        return self.all("FROM")[0]

    @property
    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for arguments in self.all("ENV"):
            for pair in shlex.split(arguments):
                key, sep, value = pair.partition("=")
                if not sep:
                    raise ValueError(f"{self.path.name}: use ENV key=value, not the legacy `ENV key value`")
                values[key] = value
        return values

    @property
    def user(self) -> str | None:
        return self.last("USER")

    @property
    def workdir(self) -> str:
        return self.last("WORKDIR") or "/"

    @property
    def command(self) -> list[str]:
        """What `docker run IMAGE` runs: ENTRYPOINT followed by CMD."""
        entrypoint = command_form(self.last("ENTRYPOINT") or "[]")
        return entrypoint + command_form(self.last("CMD") or "[]")

    def command_with(self, *args: str) -> list[str]:
        """What `docker run IMAGE ARGS` runs (the arguments replace CMD, as SageMaker's `IMAGE train|serve`)."""
        return command_form(self.last("ENTRYPOINT") or "[]") + list(args)

    @property
    def healthcheck(self) -> list[str] | None:
        text = self.last("HEALTHCHECK")
        if text is None or text.strip().upper() == "NONE":
            return None
        _options, _, command = text.partition("CMD ")
        return command_form(command)

    def pip_installs(self) -> list[list[str]]:
        """The arguments of every `pip install` the RUN instructions make (flags dropped)."""
        return [words for run in self.all("RUN") for words in self.pip_installs_of(run)]

    @staticmethod
    def pip_installs_of(run: str) -> list[list[str]]:
        """Requirements of each `pip install`; a `-r FILE` counts as the pinned requirements that file lists (the
        image copies the repository's requirements/ to the same relative path)."""
        installs = []
        for part in re.split(r"&&|;", run):
            words = shlex.split(part)
            if "pip" in words and "install" in words:
                args = words[words.index("install") + 1 :]
                files = [args[i + 1] for i, word in enumerate(args) if word in ("-r", "--requirement")]
                installs.append(without_flags(args) + [pin for file in files for pin in locked(REPO / file)])
        return installs

    def hash_checked(self) -> bool:
        """Every `pip install` that names requirements from a file checks their hashes, and none resolves more."""
        for run in self.all("RUN"):
            for part in re.split(r"&&|;", run):
                words = shlex.split(part)
                locks = "pip" in words and "install" in words and "-r" in words
                if locks and ("--require-hashes" not in words or "--no-deps" not in words):
                    return False
        return True


def parse(text: str) -> list[Instruction]:
    instructions, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # Docker drops comment lines, even inside a continued instruction
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, arguments = full.partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip()))
    return instructions


def command_form(text: str) -> list[str]:
    """Exec form (a JSON array) as is; shell form runs under `/bin/sh -c` as Docker does."""
    text = text.strip()
    if text.startswith("["):
        return list(json.loads(text))
    return ["/bin/sh", "-c", text] if text else []


def locked(path: Path) -> list[str]:
    """`name==version` of every requirement a lock file pins (hashes and comments dropped)."""
    pins = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip().rstrip("\\").strip()
        if line and not line.startswith(("#", "--")) and "==" in line:
            pins.append(line.split(";")[0].strip())
    return pins


def without_flags(words: list[str]) -> list[str]:
    kept, skip_next = [], False
    for word in words:
        if skip_next:
            skip_next = False
        elif word in ("--index-url", "--extra-index-url", "-i", "-r", "-c"):
            skip_next = True
        elif not word.startswith("-"):
            kept.append(word)
    return kept


def project_extras(requirement: str) -> set[str] | None:
    """`.[a,b]` -> {"a", "b"}; `.` -> set(); anything else (a named package) -> None."""
    match = re.fullmatch(r"\.(?:\[([^\]]*)\])?", requirement)
    if match is None:
        return None
    return {e.strip() for e in (match.group(1) or "").split(",") if e.strip()}


class ImageRoot:
    """The image's file system under `root`: image path `/opt/x` is `root/opt/x`; `root/site` plays site-packages."""

    def __init__(self, dockerfile: Dockerfile, root: Path, context: Path = REPO):
        self.dockerfile, self.root, self.context = dockerfile, root, context
        self.site = root / "site"
        self.project_installed = False

    def path(self, image_path: str) -> Path:
        return self.root / image_path.lstrip("/")

    def stage(self) -> ImageRoot:
        """Replay WORKDIR, COPY and the project's `pip install` in order, as the build would."""
        workdir = "/"
        for instruction in self.dockerfile.instructions:
            if instruction.keyword == "WORKDIR":
                workdir = instruction.arguments
                self.path(workdir).mkdir(parents=True, exist_ok=True)
            elif instruction.keyword == "COPY":
                self._copy(shlex.split(instruction.arguments), workdir)
            elif instruction.keyword == "RUN":
                for words in self.dockerfile.pip_installs_of(instruction.arguments):
                    if any(project_extras(w) is not None for w in words):
                        self._install_project(workdir)
        return self

    def _copy(self, words: list[str], workdir: str) -> None:
        if any(w.startswith("--") for w in words):
            raise ValueError(f"COPY flags are not emulated: {words}")
        *sources, dest = words
        target = self.path(dest if dest.startswith("/") else f"{workdir}/{dest}")
        matches = [Path(m) for s in sources for m in sorted(glob.glob(str(self.context / s)))]
        if len(matches) < len(sources):
            raise FileNotFoundError(f"COPY {sources}: not all sources exist in the build context")
        into_dir = dest.endswith("/") or len(matches) > 1
        for src in matches:
            if src.is_dir():
                shutil.copytree(src, target, dirs_exist_ok=True)
            else:
                destination = target / src.name if into_dir else target
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, destination)

    def _install_project(self, workdir: str) -> None:
        """`pip install .[extras]` from the image's own copy of the sources (dependencies: the test venv's).

        The last install replaces earlier ones, as in the image (dependencies first, then the project itself)."""
        shutil.rmtree(self.site, ignore_errors=True)
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run(
            [*pip, *OFFLINE_LOCAL_INSTALL, "--target", str(self.site), str(self.path(workdir))],
            check=True,
            capture_output=True,
        )
        self.project_installed = True

    def rebase(self, value: str) -> str:
        return str(self.path(value)) if value.startswith("/") else value

    def environment(self, **overrides: str) -> dict[str, str]:
        """The image's ENV (paths rebased) over a clean copy of ours: no AIDETECTOR_/SAGEMAKER_ settings leak in."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AIDETECTOR_", "SAGEMAKER_", "STREAMLIT_")) and k != "PYTHONPATH"
        }
        env.update({k: self.rebase(v) for k, v in self.dockerfile.env.items()})
        paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        if self.project_installed:
            paths.append(str(self.site))  # after the image's PYTHONPATH, like site-packages
        if paths:
            env["PYTHONPATH"] = os.pathsep.join(paths)
        env["PATH"] = os.pathsep.join([str(VENV_BIN), env.get("PATH", "")])
        env["HOME"] = str(self.root / "home" / "nobody")  # the non-root user's home: absent, not writable
        env.update(overrides)
        return env

    def argv(self, command: list[str]) -> list[str]:
        """The image's command for this machine: `python` is the test interpreter, image paths are rebased."""
        out = []
        for i, word in enumerate(command):
            if i == 0 and word in ("python", "python3"):
                out.append(sys.executable)
            elif word.startswith("/") and word != "/bin/sh":
                out.append(self.rebase(word))
            else:
                out.append(word)
        return out

    def files(self) -> set[Path]:
        """Every file under the root except site-packages, to prove a process wrote nothing where it may not."""
        return {p for p in self.root.rglob("*") if p.is_file() and self.site not in p.parents}
