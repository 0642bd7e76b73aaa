"""Runs the Pulumi program (`infra_pulumi/__main__.py`) under Pulumi's mocks and records what it declares.

No CLI, no AWS: the mocks stand in for the engine and the provider only. They answer each resource with its inputs
plus the fields AWS would compute (ARNs, URLs, ids), so the program's own wiring - which output feeds which input -
runs for real. Tests then read the recorded resources (type, name, inputs, ignore_changes) and stack outputs.
"""

from __future__ import annotations

import asyncio
import contextvars
import importlib
import json
import runpy
import subprocess
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

REPO_ROOT = Path(__file__).resolve().parents[2]
INFRA_DIR = REPO_ROOT / "infra_pulumi"
PROGRAM = INFRA_DIR / "__main__.py"
PROJECT = "aidetector"
ACCOUNT = "123456789012"
STACKS = ("dev", "prod-ap-southeast-2", "prod-eu-west-1")
# The committed stack files say `imageTag: unset` (the release sets it); runs use this tag unless a test says otherwise.
RELEASED_TAG = "3f2c1d0"
# What SSM /aidetector/<stack>/model-version holds in AWS (the seeded, promoted model), unless a test says otherwise.
RECORDED_VERSION = "20261129T102241Z"
# What API Gateway's account settings hold in a region (its CloudWatch role), for stacks that do not manage it.
ACCOUNT_LOG_ROLE = f"arn:aws:iam::{ACCOUNT}:role/apigateway-cloudwatch"
# How Pulumi marks a secret value on the wire (pulumi.runtime.rpc); the mocks see inputs in that form.
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_SIG_KEY = "4dabf18193072939515e22adb298388d"

for path in (str(INFRA_DIR),):
    if path not in sys.path:
        sys.path.insert(0, path)

# pulumi_aws warns at import about classes it deprecated (BucketV2, ...) whether or not a program uses them; import
# those modules quietly here so that the test output only shows warnings about what the program itself declares.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    for module in ("s3", "lambda_"):
        getattr(importlib.import_module(f"pulumi_aws.{module}"), "__all__", None)  # loads the lazy module


@dataclass(frozen=True)
class Secret:
    """A value the program marked secret (kept out of plain text in the state)."""

    value: Any


@dataclass
class Declared:
    type: str
    name: str
    inputs: dict[str, Any]
    custom: bool
    ignore_changes: list[str] = field(default_factory=list)
    retain_on_delete: bool = False
    read: bool = False  # looked up with `Resource.get` (a read of something the stack does not manage)

    def get(self, *keys: str) -> Any:
        """A nested input, secrets unwrapped: `get("primaryContainer", "image")`."""
        value: Any = self.inputs
        for key in keys:
            value = reveal(value)[key]
        return reveal(value)


def reveal(value: Any) -> Any:
    return value.value if isinstance(value, Secret) else value


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            return Secret(_unwrap(value.get("value")))
        return {key: _unwrap(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unwrap(item) for item in value]
    return value


@dataclass
class ProgramRun:
    stack: str
    region: str
    resources: list[Declared]
    outputs: dict[str, Any]

    @property
    def types(self) -> set[str]:
        return {resource.type for resource in self.resources}

    def of_type(self, type_: str) -> list[Declared]:
        return [resource for resource in self.resources if resource.type == type_]

    def named(self, type_: str, name: str) -> Declared:
        matches = [resource for resource in self.of_type(type_) if resource.name == name]
        assert len(matches) == 1, f"{len(matches)} resources {type_} named {name}"
        return matches[0]

    def by_id(self, resource_id: str) -> Declared:
        """The resource a mock id points back to (inputs hold ids and ARNs of other resources)."""
        return next(resource for resource in self.resources if mock_id(resource.name) == resource_id)


def mock_id(name: str) -> str:
    return f"{name}-id"


class RecordingMocks(pulumi.runtime.Mocks):
    """Answers like AWS would (computed ARNs, URLs, names) and records every declared resource."""

    def __init__(self, region: str, recorded_version: str, account_log_role: str) -> None:
        self.region = region
        self.recorded_version = recorded_version
        self.account_log_role = account_log_role
        self.declared: list[Declared] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = _unwrap(args.inputs)
        if args.resource_id:  # a read (`Resource.get`): AWS's current state of something outside the stack
            self.declared.append(Declared(args.typ, args.name, inputs, True, read=True))
            return args.resource_id, self.read(args.typ, args.resource_id)
        self.declared.append(Declared(args.typ, args.name, inputs, bool(args.custom)))
        if not args.custom:
            return "", {}
        return mock_id(args.name), self.computed(args.typ, args.name, dict(args.inputs))

    def read(self, type_: str, resource_id: str) -> dict[str, Any]:
        if type_ == "aws:apigateway/account:Account":
            return {"cloudwatchRoleArn": self.account_log_role, "id": resource_id}
        raise NotImplementedError(f"the program reads {type_} {resource_id}: add it to the mocks")

    def computed(self, type_: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        region, state = self.region, dict(inputs)
        service = type_.split(":")[1].split("/")[0]
        state.setdefault("name", name)
        state["arn"] = f"arn:aws:{service}:{region}:{ACCOUNT}:{name}"
        if type_ == "aws:s3/bucket:Bucket":
            state.setdefault("bucket", f"{name}-0a1b2c3")
            state["arn"] = f"arn:aws:s3:::{state['bucket']}"
        elif type_ == "aws:ecr/repository:Repository":
            state["arn"] = f"arn:aws:ecr:{region}:{ACCOUNT}:repository/{inputs['name']}"
            state["repositoryUrl"] = f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{inputs['name']}"
        elif type_ == "aws:apigateway/restApi:RestApi":
            state["rootResourceId"] = f"{name}-root"
            state["executionArn"] = f"arn:aws:execute-api:{region}:{ACCOUNT}:{mock_id(name)}"
        elif type_ == "aws:apigateway/stage:Stage":
            state["invokeUrl"] = f"https://{inputs['restApi']}.execute-api.{region}.amazonaws.com/{inputs['stageName']}"
            state["arn"] = f"arn:aws:apigateway:{region}::/restapis/{inputs['restApi']}/stages/{inputs['stageName']}"
        elif type_ == "aws:apigateway/apiKey:ApiKey":
            state["value"] = f"{name}-value"
        elif type_ == "aws:lambda/function:Function":
            state["arn"] = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{inputs['name']}"
            functions = f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions"
            state["invokeArn"] = f"{functions}/{state['arn']}/invocations"
        elif type_ == "aws:cloudwatch/logGroup:LogGroup":
            state["arn"] = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{inputs['name']}"
        elif type_ == "aws:ssm/parameter:Parameter":
            state["arn"] = f"arn:aws:ssm:{region}:{ACCOUNT}:parameter{inputs['name']}"
        elif type_ == "aws:iam/role:Role":
            state["arn"] = f"arn:aws:iam::{ACCOUNT}:role/{name}"
        elif type_ == "aws:apigateway/stage:Stage":
            pass
        elif type_ == "aws:wafv2/webAcl:WebAcl":
            state["arn"] = f"arn:aws:wafv2:{region}:{ACCOUNT}:regional/webacl/{inputs['name']}/{mock_id(name)}"
        elif type_ == "aws:ecs/expressGatewayService:ExpressGatewayService":
            host = f"{inputs['serviceName']}.ecs.{region}.on.aws"
            state["ingressPaths"] = [{"accessType": "PUBLIC", "endpoint": host}]
        return state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            identity = {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/ci", "id": ACCOUNT, "userId": "ci"}
            return identity, []
        if args.token == "aws:index/getPartition:getPartition":
            partition = {"partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws"}
            return {**partition, "id": "aws"}, []
        if args.token == "aws:ssm/getParameter:getParameter":
            name = args.args["name"]
            if not name.endswith("/model-version"):
                raise NotImplementedError(f"the program reads SSM {name}: add it to the mocks")
            value = self.recorded_version
            return {"name": name, "value": value, "insecureValue": value, "type": "String", "id": name, "arn": ""}, []
        raise NotImplementedError(f"the program calls {args.token}: add it to the mocks")


class RecordingMonitor(MockMonitor):
    """The mock engine, also keeping each resource's `ignore_changes` (the mocks' arguments do not carry it)."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.ignore_changes: dict[tuple[str, str], list[str]] = {}
        self.retain_on_delete: dict[tuple[str, str], bool] = {}

    def RegisterResource(self, request: Any) -> Any:
        self.ignore_changes[(request.type, request.name)] = list(request.ignoreChanges)
        self.retain_on_delete[(request.type, request.name)] = bool(request.retainOnDelete)
        return super().RegisterResource(request)


def stack_file(stack: str) -> Path:
    return INFRA_DIR / f"Pulumi.{stack}.yaml"


def stack_config(stack: str) -> dict[str, str]:
    """The stack file's config as the Pulumi CLI hands it to a program: strings, objects as JSON."""
    config = yaml.safe_load(stack_file(stack).read_text(encoding="utf-8"))["config"]
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}


def _execute(
    stack: str, config: dict[str, str], secret_keys: list[str], recorded_version: str, account_log_role: str
) -> ProgramRun:
    # Pulumi's runtime asks for the thread's current event loop; an earlier test's `asyncio.run` leaves none.
    asyncio.set_event_loop(asyncio.new_event_loop())
    region = config["aws:region"]
    mocks = RecordingMocks(region, recorded_version, account_log_role)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_all_config(config, secret_keys)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
    outputs: dict[str, Any] = {}

    def program() -> pulumi.Output[Any]:
        runpy.run_path(str(PROGRAM), run_name="__main__")
        root = pulumi.runtime.get_root_resource()
        exported = getattr(root, "outputs", {})
        return pulumi.Output.from_input(exported).apply(outputs.update)

    _sync_await(run_pulumi_func(lambda: _sync_await(program().future())))
    for resource in mocks.declared:
        resource.ignore_changes = monitor.ignore_changes.get((resource.type, resource.name), [])
        resource.retain_on_delete = monitor.retain_on_delete.get((resource.type, resource.name), False)
    return ProgramRun(stack=stack, region=region, resources=mocks.declared, outputs=outputs)


@lru_cache(maxsize=16)
def run_program(
    stack: str,
    overrides: tuple[tuple[str, str], ...] = (),
    secrets: tuple[tuple[str, str], ...] = (),
    recorded_version: str = RECORDED_VERSION,
    account_log_role: str = ACCOUNT_LOG_ROLE,
) -> ProgramRun:
    """One run per stack and config (cached): the stack file's config with the release's image tag, plus
    `overrides` and secret `secrets`; AWS holds `recorded_version` in SSM and `account_log_role` in API Gateway."""
    config = {**stack_config(stack), "aidetector:imageTag": RELEASED_TAG, **dict(overrides), **dict(secrets)}
    # A fresh context: Pulumi keeps its settings, config and root stack in context variables.
    return contextvars.Context().run(
        _execute, stack, config, [key for key, _ in secrets], recorded_version, account_log_role
    )


def statements_of(document: Any) -> Iterable[dict[str, Any]]:
    """The statements of an IAM policy document given as JSON text or a dict."""
    parsed = json.loads(reveal(document)) if isinstance(reveal(document), str) else reveal(document)
    found = parsed["Statement"]
    return found if isinstance(found, list) else [found]


def program_failure(stack: str, **run_args: Any) -> str:
    """The error a run stops with, for programs that fail inside an `apply` (a value only AWS knows).

    Such a failure leaves Pulumi's runtime waiting on the dead run's outputs, and the next run in the same process
    would hang: so it runs in a process of its own. Returns what that run printed (it must fail)."""
    code = f"import sys; from tests.infra_pulumi.program import run_program; run_program({stack!r}, **{run_args!r})"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0, "the program was expected to fail"
    return result.stdout + result.stderr


def allows(statements: Iterable[dict[str, Any]], action: str, resource: str) -> bool:
    """Whether an Allow statement names `action` on `resource` (IAM's wildcards; conditions not evaluated)."""
    from fnmatch import fnmatchcase

    def listed(value: Any) -> list[str]:
        return [value] if isinstance(value, str) else list(value)

    return any(
        statement["Effect"] == "Allow"
        and any(fnmatchcase(action.lower(), pattern.lower()) for pattern in listed(statement["Action"]))
        and any(fnmatchcase(resource, pattern) for pattern in listed(statement["Resource"]))
        for statement in statements
    )


def role_statements(run: ProgramRun, role: str) -> list[dict[str, Any]]:
    """The inline policy of the role named `role` (its RolePolicy is `<role>-policy`)."""
    return list(statements_of(run.named("aws:iam/rolePolicy:RolePolicy", f"{role}-policy").get("policy")))
