"""Stack settings: every size, schedule and threshold the components use, read once from `Pulumi.<stack>.yaml`.

Why one module: the stack files are the only place a person changes a number; components receive typed, validated
values and never read configuration themselves. Unknown keys and out-of-range values stop `pulumi up` with a clear
message instead of a half-applied stack. The names shared with the rest of the system (routes, Lambda bundles,
parameter names) are the contract in the repository README and live here too, once.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pulumi

from aidetector.api import routes as api_routes

PROJECT = "aidetector"
API_STAGE = "prod"
# API Gateway ends every integration after 29 s; a Lambda that runs longer only burns money.
MAX_INTEGRATION_TIMEOUT_S = 29
# The one production variant; the pipeline's deploy step must keep this name (autoscaling is registered on it).
VARIANT_NAME = "AllTraffic"
WEB_PORT = 8501
WEB_HEALTH_PATH = "/_stcore/health"
LAMBDA_RUNTIME = "python3.12"

# The public routes (method, path), from their one declaration in `aidetector.api.routes`; so are the CORS headers
# of the handler's own answers, repeated on preflights and on API Gateway's own errors.
ROUTES: tuple[tuple[str, str], ...] = tuple((route.method, route.path) for route in api_routes.ROUTES)
CORS_ALLOW_HEADERS = api_routes.CORS_ALLOW_HEADERS
CORS_ALLOW_METHODS = api_routes.CORS_ALLOW_METHODS

# Lambda deployment packages: path inside the zip -> path in the repository (boto3 is in the runtime already).
API_BUNDLE = {
    "handler.py": "lambda/handler.py",
    "aidetector/__init__.py": "aidetector/__init__.py",
    **{f"aidetector/api/{name}": f"aidetector/api/{name}" for name in api_routes.MODULES},
}
JOBS_BUNDLE = {"jobs.py": "lambda/jobs.py"}
ALARM_RELAY_BUNDLE = {
    "alarm_relay.py": "lambda/alarm_relay.py",
    "aidetector/__init__.py": "aidetector/__init__.py",
    "aidetector/notify.py": "aidetector/notify.py",
}
# The usage plan of the web UI's own API key: a plan of its own (aidetector/resources/plans.toml), so that the public
# page's traffic is limited apart from customers' keys, and a leaked page key is worth no more than the page.
WEB_KEY_PLAN = "web"
BATCH_INPUT_PREFIX = "batch/input/"
BATCH_OUTPUT_PREFIX = "batch/output/"
UNSET = "unset"  # value of a parameter nobody has written yet (SSM refuses empty strings)
# Images the release deployed carry this extra tag (`deployed-<git SHA>`); the ECR lifecycle policy never expires
# them, whatever its count rule says (an endpoint, a batch job or the web service may still run them).
DEPLOYED_TAG_PREFIX = "deployed-"
# The permissions boundary every role of the stack carries: a managed policy created once per account by the
# bootstrap (infra_pulumi/bootstrap/permissions-boundary.json), never by the program, which could then widen it.
PERMISSIONS_BOUNDARY = "aidetector-boundary"

_SERVERLESS_MEMORY_MB = (1024, 2048, 3072, 4096, 5120, 6144)
# ECS Express Mode task sizes: CPU units -> (lowest, highest, step) of memory in MiB. Fargate's combinations, capped
# at what an Express service accepts (CPU 256-4096, memory 512-8192: CreateExpressGatewayService).
EXPRESS_MAX_MEMORY = 8192
FARGATE_MEMORY = {
    256: (512, 2048, 512),
    512: (1024, 4096, 1024),
    1024: (2048, 8192, 1024),
    2048: (4096, EXPRESS_MAX_MEMORY, 1024),
    4096: (8192, EXPRESS_MAX_MEMORY, 1024),
}
_FARGATE_CPU = tuple(FARGATE_MEMORY)
_SCHEDULE = re.compile(r"^(cron|rate)\(.+\)$")
_IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


class SettingsError(ValueError):
    """A stack file asks for something the components cannot build."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise SettingsError(message)


@dataclass(frozen=True)
class StorageSettings:
    keep_images: int = 30  # ECR keeps this many images per repository (older ones expire)
    force_destroy: bool = False  # true only where `pulumi destroy` may delete data and images (dev)
    noncurrent_version_days: int = 90  # overwritten S3 objects stay recoverable this long

    def __post_init__(self) -> None:
        _require(1 <= self.keep_images <= 1000, "storage.keepImages must be between 1 and 1000")
        _require(self.noncurrent_version_days >= 1, "storage.noncurrentVersionDays must be at least 1")


@dataclass(frozen=True)
class ServerlessSettings:
    memory_mb: int = 3072
    max_concurrency: int = 5

    def __post_init__(self) -> None:
        _require(
            self.memory_mb in _SERVERLESS_MEMORY_MB,
            f"hosting.serverless.memoryMb must be one of {_SERVERLESS_MEMORY_MB}",
        )
        _require(1 <= self.max_concurrency <= 200, "hosting.serverless.maxConcurrency must be between 1 and 200")


@dataclass(frozen=True)
class AutoscalingSettings:
    min_instances: int = 1
    max_instances: int = 2
    target_invocations_per_instance: int = 600  # per minute; about half of what one 2-vCPU instance answers
    scale_in_cooldown_s: int = 300
    scale_out_cooldown_s: int = 60

    def __post_init__(self) -> None:
        _require(
            1 <= self.min_instances <= self.max_instances, "hosting.autoscaling needs 1 <= minInstances <= maxInstances"
        )
        _require(
            self.target_invocations_per_instance > 0, "hosting.autoscaling.targetInvocationsPerInstance must be > 0"
        )


@dataclass(frozen=True)
class HostingSettings:
    instance_type: str = "ml.c5.large"
    instance_count: int = 1
    serverless: ServerlessSettings | None = None  # set: a serverless endpoint instead of instances
    autoscaling: AutoscalingSettings = field(default_factory=AutoscalingSettings)

    def __post_init__(self) -> None:
        _require(self.instance_type.startswith("ml."), "hosting.instanceType must be a SageMaker type (ml.*)")
        if self.serverless is None:
            scaling = self.autoscaling
            _require(
                scaling.min_instances <= self.instance_count <= scaling.max_instances,
                "hosting.instanceCount must lie between autoscaling.minInstances and maxInstances",
            )


@dataclass(frozen=True)
class ApiSettings:
    timeout_s: int = MAX_INTEGRATION_TIMEOUT_S
    read_timeout_s: int = 25  # boto3's wait for the endpoint: under the Lambda timeout, so the handler answers 504
    connect_timeout_s: int = 2
    memory_mb: int = 256
    # Optional cap on the api Lambda's concurrency (and so on the endpoint's load). Lambda keeps 10 of the account's
    # concurrency unreserved, and new accounts start with a quota of 10: any reservation fails there until Service
    # Quotas raises "Concurrent executions" to at least the reservation + 10. Unset: no reservation.
    reserved_concurrency: int | None = None
    cors_origin: str = "*"
    stage_rate_limit: float = 100  # requests/s over all keys (a plan limits one key)
    stage_burst_limit: int = 200
    manage_account_role: bool = True  # API Gateway's CloudWatch role is one per account and region
    log_retention_days: int = 30

    def __post_init__(self) -> None:
        _require(
            1 <= self.timeout_s <= MAX_INTEGRATION_TIMEOUT_S,
            f"api.timeoutS must be between 1 and {MAX_INTEGRATION_TIMEOUT_S} (API Gateway's integration limit)",
        )
        _require(0 < self.read_timeout_s < self.timeout_s, "api.readTimeoutS must be below api.timeoutS")
        _require(
            self.reserved_concurrency is None or self.reserved_concurrency >= 1,
            "api.reservedConcurrency must be at least 1 (or left out: no reservation)",
        )
        _require(self.stage_rate_limit > 0 and self.stage_burst_limit > 0, "api stage limits must be positive")


@dataclass(frozen=True)
class WebSettings:
    cpu: int = 512
    memory: int = 1024
    min_tasks: int = 1
    max_tasks: int = 2
    cpu_target_percent: int = 60
    # Where the tasks and their load balancer run. Empty: ECS Express Mode uses the region's default VPC, its
    # subnets and default security group, which must then exist (accounts can delete it; some never had one).
    subnets: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require(self.cpu in _FARGATE_CPU, f"web.cpu must be one of {_FARGATE_CPU}")
        low, high, step = FARGATE_MEMORY[self.cpu]
        _require(
            low <= self.memory <= high and (self.memory - low) % step == 0,
            f"web.memory with cpu {self.cpu} must be {low}..{high} MiB in steps of {step} (Fargate's task sizes)",
        )
        _require(1 <= self.min_tasks <= self.max_tasks, "web needs 1 <= minTasks <= maxTasks")
        object.__setattr__(self, "subnets", tuple(self.subnets))
        object.__setattr__(self, "security_groups", tuple(self.security_groups))
        _require(not self.security_groups or bool(self.subnets), "web.securityGroups needs web.subnets too")


@dataclass(frozen=True)
class WafSettings:
    """AWS WAF rate rules in front of the API stage and the web UI's load balancer (requests per client IP)."""

    api_requests_per_window: int = 6000  # 20 requests/s on average: a pro key's rate, from one address
    web_requests_per_window: int = 3000  # Streamlit's page, assets and WebSocket reconnects
    window_s: int = 300

    def __post_init__(self) -> None:
        for name in ("api_requests_per_window", "web_requests_per_window"):
            _require(10 <= getattr(self, name) <= 2_000_000_000, f"waf.{name} must be between 10 and 2e9")
        _require(self.window_s in (60, 120, 300, 600), "waf.windowS must be 60, 120, 300 or 600")


@dataclass(frozen=True)
class ScheduleSettings:
    batch: str = "cron(0 3 ? * MON *)"  # weekly batch scoring of batch/input/
    retrain: str = "cron(0 4 1 * ? *)"  # monthly retraining pipeline
    timezone: str = "UTC"
    enabled: bool = True

    def __post_init__(self) -> None:
        for name in ("batch", "retrain"):
            _require(bool(_SCHEDULE.match(getattr(self, name))), f"schedules.{name} must be cron(...) or rate(...)")


@dataclass(frozen=True)
class AlarmSettings:
    api_error_rate: float = 0.05  # share of requests answered 5XX in one period
    api_latency_p90_ms: int = 10_000
    endpoint_errors: int = 5  # endpoint 5XX answers per period
    model_latency_p90_ms: int = 5_000
    lambda_errors: int = 5  # failed invocations per period (api and jobs functions)
    period_s: int = 300
    evaluation_periods: int = 1

    def __post_init__(self) -> None:
        _require(0 < self.api_error_rate < 1, "alarms.apiErrorRate is a fraction between 0 and 1")
        _require(self.period_s % 60 == 0 and self.period_s >= 60, "alarms.periodS must be a multiple of 60")


@dataclass(frozen=True)
class OpsSettings:
    schedules: ScheduleSettings = field(default_factory=ScheduleSettings)
    alarms: AlarmSettings = field(default_factory=AlarmSettings)
    transform_instance_type: str = "ml.m5.xlarge"
    log_retention_days: int = 30


@dataclass(frozen=True)
class StackSettings:
    """Everything one stack (one region) needs; `load()` reads it from the Pulumi stack configuration."""

    stack: str
    region: str
    image_tag: str  # tag (git SHA) or digest of the train/serve/web images that this deployment uses
    # The registry version a newly created endpoint starts with (models/<version>/). None: the version recorded in
    # SSM /aidetector/<stack>/model-version (what the seeding or the last deploy put there). Once the endpoint
    # exists, `aidetector models deploy` owns what it serves: this setting no longer changes it.
    model_version: str | None = None
    slack_webhook_url: pulumi.Output[str] | None = None
    # The first `pulumi up` of a new stack: everything except what runs the images (endpoint, web service), which
    # need pushed images and a promoted model first (docs/DEPLOY.md).
    bootstrap: bool = False
    permissions_boundary: str = PERMISSIONS_BOUNDARY  # name of the managed policy every role carries
    storage: StorageSettings = field(default_factory=StorageSettings)
    hosting: HostingSettings = field(default_factory=HostingSettings)
    api: ApiSettings = field(default_factory=ApiSettings)
    web: WebSettings = field(default_factory=WebSettings)
    waf: WafSettings = field(default_factory=WafSettings)
    ops: OpsSettings = field(default_factory=OpsSettings)

    def __post_init__(self) -> None:
        _require(
            bool(_IMAGE_TAG.match(self.image_tag)),
            f"imageTag {self.image_tag!r} is not an image tag (the git SHA the three images are tagged with; a digest"
            " names one image only)",
        )
        _require(
            self.bootstrap or self.image_tag != UNSET,
            "imageTag is 'unset': set it to the git SHA of pushed images (the release does), or run a new stack's"
            " first `pulumi up` with aidetector:bootstrap true (docs/DEPLOY.md 3.1)",
        )
        if self.model_version is not None:
            _require("/" not in self.model_version and self.model_version != "", "modelVersion must be a folder name")

    @property
    def prefix(self) -> str:
        """`aidetector-<stack>`: the start of every resource name, and what IAM scopes are written against."""
        return f"{PROJECT}-{self.stack}"

    @property
    def endpoint_name(self) -> str:
        return self.prefix

    @property
    def pipeline_name(self) -> str:
        return f"{self.prefix}-train"

    def parameter_name(self, suffix: str) -> str:
        """SSM parameter names: `/aidetector/<stack>/<suffix>`."""
        return f"/{PROJECT}/{self.stack}/{suffix}"

    @staticmethod
    def model_data_key(version: str) -> str:
        """The registry object of one version: immutable, unlike `models/latest/` (which moves on promotion)."""
        return f"models/{version}/model.tar.gz"

    @classmethod
    def load(cls) -> StackSettings:
        config = pulumi.Config(PROJECT)
        hosting = dict(config.get_object("hosting") or {})
        serverless = hosting.pop("serverless", None)
        autoscaling = hosting.pop("autoscaling", None) or {}
        schedules = config.get_object("schedules") or {}
        alarms = config.get_object("alarms") or {}
        ops = config.get_object("ops") or {}
        return cls(
            stack=pulumi.get_stack(),
            region=pulumi.Config("aws").require("region"),
            image_tag=config.require("imageTag"),
            model_version=config.get("modelVersion") or None,
            slack_webhook_url=config.get_secret("slackWebhookUrl"),
            bootstrap=config.get_bool("bootstrap") or False,
            permissions_boundary=config.get("permissionsBoundary") or PERMISSIONS_BOUNDARY,
            storage=build_settings(StorageSettings, config.get_object("storage") or {}, "storage"),
            hosting=build_settings(
                HostingSettings,
                hosting,
                "hosting",
                serverless=build_settings(ServerlessSettings, serverless, "hosting.serverless") if serverless else None,
                autoscaling=build_settings(AutoscalingSettings, autoscaling, "hosting.autoscaling"),
            ),
            api=build_settings(ApiSettings, config.get_object("api") or {}, "api"),
            web=build_settings(WebSettings, config.get_object("web") or {}, "web"),
            waf=build_settings(WafSettings, config.get_object("waf") or {}, "waf"),
            ops=build_settings(
                OpsSettings,
                ops,
                "ops",
                schedules=build_settings(ScheduleSettings, schedules, "schedules"),
                alarms=build_settings(AlarmSettings, alarms, "alarms"),
            ),
        )


T = TypeVar("T")


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def build_settings(cls: type[T], data: Any, section: str, **nested: Any) -> T:
    """A settings object from a camelCase config section; unknown keys are an error, not silently ignored."""
    _require(isinstance(data, dict), f"{PROJECT}:{section} must be an object")
    names = {f.name for f in dataclasses.fields(cls)} - set(nested)  # type: ignore[arg-type]
    values = {_snake(key): value for key, value in data.items()}
    unknown = sorted(key for key in data if _snake(key) not in names)
    _require(not unknown, f"{PROJECT}:{section}: unknown keys {unknown}")
    try:
        return cls(**values, **nested)
    except TypeError as exc:
        raise SettingsError(f"{PROJECT}:{section}: {exc}") from exc
