"""Billing exports under an S3 prefix, downloaded to a local folder for ingestion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tools import progress
from tools.base import UserFacingError
from tools.cost.exports import EXPORT_SUFFIXES, SourceFile


def parse_s3_url(url: str) -> tuple[str, str]:
    if not url.startswith("s3://"):
        raise UserFacingError(f"Not an S3 URL: {url} (expected s3://bucket/prefix).")
    bucket, _, prefix = url[5:].partition("/")
    if not bucket:
        raise UserFacingError(f"No bucket in {url} (expected s3://bucket/prefix).")
    return bucket, prefix


def download(s3: Any, url: str, target: Path) -> list[SourceFile]:
    """Every export object (*.csv, *.csv.gz, *.parquet) under the prefix, in key order."""
    bucket, prefix = parse_s3_url(url)
    keys: list[str] = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys += [o["Key"] for o in page.get("Contents", []) if o["Key"].lower().endswith(EXPORT_SUFFIXES)]
    except Exception as exc:  # botocore: NoSuchBucket, AccessDenied, endpoint errors
        raise UserFacingError(f"Could not list {url}: {exc}") from exc
    if not keys:
        raise UserFacingError(f"No billing export files (*.csv, *.csv.gz, *.parquet) under {url}.")
    files = []
    for i, key in enumerate(sorted(keys)):
        progress.report("downloading billing exports", i, len(keys), f"s3://{bucket}/{key}")
        local = target / bucket / key
        local.parent.mkdir(parents=True, exist_ok=True)
        try:
            s3.download_file(bucket, key, str(local))
        except Exception as exc:
            raise UserFacingError(f"Could not download s3://{bucket}/{key}: {exc}") from exc
        files.append(SourceFile(local, f"s3://{bucket}/{key}"))
    return files
