"""Pipeline fixtures: a bucket on moto S3, and a SageMaker client for botocore's Stubber and service model."""

from __future__ import annotations

import boto3
import pytest

BUCKET = "aidetector-dev-data"


@pytest.fixture
def bucket(aws: None) -> str:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    return BUCKET


@pytest.fixture
def sagemaker():  # type: ignore[no-untyped-def]
    """A real SageMaker client (never connected: tests stub its answers or read its service model)."""
    return boto3.client("sagemaker", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
