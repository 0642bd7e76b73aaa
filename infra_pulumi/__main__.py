"""The aidetector stack: storage, model hosting, public API, web UI and operations, wired together.

Thin on purpose: every resource lives in a component under `aidetector_infra/`, every number in the stack's
`Pulumi.<stack>.yaml` (read by `StackSettings.load`). Outputs are the names the release workflow and the CLI use.
"""

import pulumi
from aidetector_infra.model_hosting import ModelHosting, ModelHostingArgs, image_uri
from aidetector_infra.operations import Operations, OperationsArgs
from aidetector_infra.policies import AwsContext
from aidetector_infra.public_api import PublicApi, PublicApiArgs
from aidetector_infra.settings import StackSettings
from aidetector_infra.storage import IMAGES, Storage, StorageArgs
from aidetector_infra.web_service import WebService, WebServiceArgs

# The usage plans and request limits are the installed `aidetector` package's (the same numbers the local gateway
# enforces): the Pulumi virtualenv installs the repository with its `infra` extra.
from aidetector.plans import lambda_environment, load_plans

settings = StackSettings.load()
plans = load_plans()
context = AwsContext.current(settings.region, settings.permissions_boundary)
prefix = settings.prefix

storage = Storage("storage", StorageArgs(prefix=prefix, settings=settings.storage, images=IMAGES))
hosting = ModelHosting(
    "hosting",
    ModelHostingArgs(
        prefix=prefix,
        context=context,
        settings=settings.hosting,
        bucket_name=storage.bucket.bucket,
        bucket_arn=storage.bucket.arn,
        serve_repository_url=storage.repositories["serve"].repository_url,
        serve_repository_arn=storage.repositories["serve"].arn,
        train_repository_arn=storage.repositories["train"].arn,
        image_tag=settings.image_tag,
        model_version=settings.model_version,
        endpoint_name=settings.endpoint_name,
        model_version_parameter=settings.parameter_name("model-version"),
        variant_parameter=settings.parameter_name("endpoint-variant"),
        slack_parameter=settings.parameter_name("slack-webhook-url"),
        deploy_endpoint=not settings.bootstrap,
    ),
)
api = PublicApi(
    "api",
    PublicApiArgs(
        prefix=prefix,
        context=context,
        settings=settings.api,
        endpoint_name=hosting.endpoint_name,
        plans=plans,
        limits_environment=lambda_environment(plans),
        waf=settings.waf,
    ),
)
web = WebService(
    "web",
    WebServiceArgs(
        prefix=prefix,
        context=context,
        settings=settings.web,
        image=image_uri(storage.repositories["web"].repository_url, settings.image_tag),
        repository_arn=storage.repositories["web"].arn,
        api_url=api.url,
        api_key=api.web_key.value,
        api_key_parameter=settings.parameter_name("web-api-key"),
        log_retention_days=settings.ops.log_retention_days,
        waf=settings.waf,
        deploy_service=not settings.bootstrap,
    ),
)
ops = Operations(
    "ops",
    OperationsArgs(
        prefix=prefix,
        context=context,
        settings=settings.ops,
        parameter_prefix=settings.parameter_name(""),
        images=IMAGES,
        image_tag=settings.image_tag,
        model_version=settings.model_version,
        slack_webhook_url=settings.slack_webhook_url,
        bucket_name=storage.bucket.bucket,
        bucket_arn=storage.bucket.arn,
        endpoint_name=hosting.endpoint_name,
        batch_role_arn=hosting.batch_role.arn,
        pipeline_name=settings.pipeline_name,
        api_name=api.name,
        api_function_name=api.function_name,
    ),
)

pulumi.export("api_url", api.url)
pulumi.export("web_url", web.url)
pulumi.export("bucket_name", storage.bucket.bucket)
pulumi.export("repository_urls", storage.repository_urls)
pulumi.export("endpoint_name", hosting.endpoint_name)
pulumi.export("endpoint_role_arn", hosting.endpoint_role.arn)
pulumi.export("pipeline_role_arn", hosting.pipeline_role.arn)
pulumi.export("pipeline_name", settings.pipeline_name)
pulumi.export("alarm_topic_arn", ops.topic.arn)
# The release associates this ACL with the web service's load balancer (ECS Express Mode owns that ALB).
pulumi.export("web_waf_acl_arn", web.waf.arn)
