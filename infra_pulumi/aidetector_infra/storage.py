"""Storage: the S3 bucket for data, models and batch files, and the ECR repositories of the three images.

Why together: both hold the artifacts every other component reads (images, model.tar.gz, batch files), and both
outlive a release. The bucket layout is the registry's contract: `data/`, `models/<UTC version>/` (immutable),
`models/latest/` (the promoted model), `batch/input/`, `batch/output/<date>/`, `pipeline/`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .settings import DEPLOYED_TAG_PREFIX, StorageSettings

IMAGES = ("train", "serve", "web")


@dataclass(frozen=True)
class StorageArgs:
    prefix: str
    settings: StorageSettings
    images: Sequence[str] = IMAGES


# "Never" in a count rule: far more deployed images than a repository gathers in decades of weekly releases.
KEEP_DEPLOYED = 10_000


def lifecycle_policy(keep_images: int) -> str:
    """Images the release deployed (tag `deployed-<sha>`) never expire; of the others, ECR keeps the newest
    `keep_images`. ECR applies rules in priority order and an image that a higher-priority rule selects is never
    expired by a lower one, so the first rule shields every deployed image from the count rule."""
    protect = {
        "rulePriority": 1,
        "description": "never expire an image a release deployed (an endpoint or service may still run it)",
        "selection": {
            "tagStatus": "tagged",
            "tagPatternList": [f"{DEPLOYED_TAG_PREFIX}*"],
            "countType": "imageCountMoreThan",
            "countNumber": KEEP_DEPLOYED,
        },
        "action": {"type": "expire"},
    }
    rest = {
        "rulePriority": 2,
        "description": f"keep the last {keep_images} images that no release deployed",
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep_images},
        "action": {"type": "expire"},
    }
    return json.dumps({"rules": [protect, rest]})


class Storage(pulumi.ComponentResource):
    bucket: aws.s3.Bucket
    repositories: dict[str, aws.ecr.Repository]

    def __init__(self, name: str, args: StorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aidetector:index:Storage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings = args.settings

        # The bucket name gets Pulumi's random suffix: S3 names are global across all AWS accounts.
        self.bucket = aws.s3.Bucket(f"{args.prefix}-data", force_destroy=settings.force_destroy, opts=child)
        bucket_id = self.bucket.id
        aws.s3.BucketOwnershipControls(
            f"{args.prefix}-data-ownership",
            bucket=bucket_id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child,
        )
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{args.prefix}-data-public-access",
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        # Registry versions are written once; versioning keeps an overwritten `models/latest/` recoverable.
        aws.s3.BucketVersioning(
            f"{args.prefix}-data-versioning",
            bucket=bucket_id,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        # SSE-S3: encrypted at rest with no key policy for SageMaker, Lambda and CI to be granted.
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{args.prefix}-data-encryption",
            bucket=bucket_id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{args.prefix}-data-lifecycle",
            bucket=bucket_id,
            rules=[
                {
                    "id": "expire-noncurrent-versions",
                    "status": "Enabled",
                    "filter": {},
                    "noncurrent_version_expiration": {"noncurrent_days": settings.noncurrent_version_days},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                }
            ],
            opts=child,
        )
        aws.s3.BucketPolicy(
            f"{args.prefix}-data-tls-only",
            bucket=bucket_id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",  # a Deny: every request without TLS is refused
                            "Resource": [self.bucket.arn, pulumi.Output.concat(self.bucket.arn, "/*")],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ],
                }
            ),
            # S3 refuses a bucket policy while the public-access block is still being applied.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access]),
        )

        self.repositories = {
            image: aws.ecr.Repository(
                f"{args.prefix}-{image}",
                name=f"{args.prefix}/{image}",
                image_tag_mutability="IMMUTABLE",  # a tag (the git SHA) always means the same image
                image_scanning_configuration={"scan_on_push": True},
                encryption_configurations=[{"encryption_type": "AES256"}],
                force_delete=settings.force_destroy,
                opts=child,
            )
            for image in args.images
        }
        for image, repository in self.repositories.items():
            aws.ecr.LifecyclePolicy(
                f"{args.prefix}-{image}-lifecycle",
                repository=repository.name,
                policy=lifecycle_policy(settings.keep_images),
                opts=child,
            )

        self.register_outputs({"bucket_name": self.bucket.bucket, "repository_urls": self.repository_urls})

    @property
    def repository_urls(self) -> dict[str, pulumi.Output[str]]:
        return {image: repository.repository_url for image, repository in self.repositories.items()}

    @property
    def repository_arns(self) -> list[pulumi.Output[str]]:
        return [repository.arn for repository in self.repositories.values()]
