"""The object store the settings name: the local directory or an S3 bucket."""

from __future__ import annotations

from adapters.object_store import LocalDirectoryStore, ObjectStore, S3Store
from madoguchi.settings import Settings


def object_store(settings: Settings) -> ObjectStore:
    if settings.object_store == "s3":
        if not settings.s3_bucket:
            raise ValueError("MADO_S3_BUCKET is required with MADO_OBJECT_STORE=s3")
        return S3Store(
            settings.s3_bucket,
            prefix=settings.s3_prefix,
            region=settings.aws_region,
            endpoint_url=settings.s3_endpoint_url,
            sse_kms_key_id=settings.s3_sse_kms_key_id,
        )
    return LocalDirectoryStore(settings.objects_root)
