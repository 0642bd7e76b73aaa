"""Which installed distributions an image gets from its `pip install` line, and which ones its code really imports.

Used to prove each image installs only the extras it needs, and that those are enough: a module the running process
imports from a distribution outside the image's requirement closure would be missing in the real image.
"""

from __future__ import annotations

import ast
import re
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

OWN_DISTRIBUTION = "aidetector"


def closure(requirements: list[str]) -> set[str]:
    """Canonical names of the distributions that installing `requirements` brings in (as installed here)."""
    seen: set[str] = set()
    pending = [Requirement(r) for r in requirements]
    while pending:
        req = pending.pop()
        name = canonicalize_name(req.name)
        key = name + "[" + ",".join(sorted(req.extras)) + "]"
        if key in seen:
            continue
        seen.add(key)
        seen.add(name)
        try:
            declared = metadata.requires(req.name) or []
        except metadata.PackageNotFoundError:
            continue  # not installed here: the name alone still counts
        for line in declared:
            dep = Requirement(line)
            wanted = dep.marker is None or any(dep.marker.evaluate({"extra": e}) for e in ["", *sorted(req.extras)])
            if wanted:
                pending.append(dep)
    return {s for s in seen if "[" not in s}


def project_dependencies(extras: set[str]) -> list[str]:
    """The requirement strings pyproject.toml declares for the core and `extras` (what a lock must satisfy)."""
    import tomllib

    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *(r for extra in sorted(extras) for r in project["optional-dependencies"][extra])]


def project_requirement(extras: set[str]) -> str:
    return OWN_DISTRIBUTION + ("[" + ",".join(sorted(extras)) + "]" if extras else "")


@cache
def module_owners() -> dict[str, list[str]]:
    return {top: [canonicalize_name(d) for d in dists] for top, dists in metadata.packages_distributions().items()}


def third_party(modules: set[str], own: set[str]) -> dict[str, list[str]]:
    """Module name -> distributions owning its top-level package, for modules that are neither stdlib nor ours."""
    owners = module_owners()
    found = {}
    for name in modules:
        top = name.split(".")[0]
        if not top or top in sys.stdlib_module_names or top in own or top.startswith("_"):
            continue
        if top in owners:
            found[name] = owners[top]
    return found


def outside(modules: set[str], allowed: set[str], own: set[str]) -> dict[str, list[str]]:
    """Imported modules whose distributions are all outside `allowed`: they would be missing in the image."""
    return {m: d for m, d in third_party(modules, own).items() if not set(d) & allowed}


IMPORT_TIME_LINE = re.compile(r"^import time:\s+\d+\s+\|\s+\d+\s+\|\s+(\S+)\s*$")


def loaded_from_import_time_log(text: str) -> set[str]:
    """Every module a process imported, from its `PYTHONPROFILEIMPORTTIME=1` stderr."""
    return {m.group(1) for line in text.splitlines() if (m := IMPORT_TIME_LINE.match(line))}


def missing_in_image(loaded: set[str], allowed: set[str], our_imports: set[str], own: set[str]) -> dict[str, list[str]]:
    """Packages the run loaded because our code imports them, from distributions the image does not install.

    Only names our code imports count: a third-party package's optional imports (uvicorn tries `websockets`,
    transformers `psutil`) are loaded here because this venv has them, and in the image they are simply absent."""
    ours = {name.split(".")[0] for name in our_imports}
    return {m.split(".")[0]: d for m, d in outside(loaded, allowed, own).items() if m.split(".")[0] in ours}


def imported_by_source(*folders: Path) -> set[str]:
    """Absolute imports in every .py file under `folders` (including lazy ones inside functions)."""
    names: set[str] = set()
    for path in (p for folder in folders for p in folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
    return names
