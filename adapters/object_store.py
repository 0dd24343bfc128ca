"""Object storage: one interface; a local directory (the embedded default) or S3.

Keys are relative, ``/``-separated paths such as ``visits/<id>/forms.pdf``. Writes are
atomic (temp file then rename), so a crash never leaves half a file under a real key.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from domain.visit import StoredObject


class ObjectStoreError(ValueError):
    pass


class ObjectStore(Protocol):
    def put(self, key: str, data: bytes) -> StoredObject: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def list(self, prefix: str = "") -> list[str]: ...


def _check_key(key: str) -> PurePosixPath:
    path = PurePosixPath(key)
    if not key or path.is_absolute() or any(part in ("", ".", "..") for part in key.split("/")):
        raise ObjectStoreError(f"invalid object key: {key!r}")
    return path


def describe(key: str, data: bytes) -> StoredObject:
    return StoredObject(key=key, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


class LocalDirectoryStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*_check_key(key).parts)

    def put(self, key: str, data: bytes) -> StoredObject:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return describe(key, data)

    def get(self, key: str) -> bytes:
        path = self._path(key)
        if not path.is_file():
            raise KeyError(key)
        return path.read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str = "") -> list[str]:
        # Walk only the prefix's folder: the inbound poller lists every few seconds, and the
        # store's other folders grow by a visit's files every visit.
        folder = prefix.rpartition("/")[0]
        base = self._path(folder) if folder else self.root
        if not base.is_dir():
            return []
        keys = []
        for path in base.rglob("*"):
            if path.is_file() and not path.name.startswith(".tmp-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    keys.append(key)
        return sorted(keys)


class S3Store:
    """AWS S3 (or any S3-compatible server). A PUT is atomic: readers see the whole object
    or none. With ``sse_kms_key_id`` every object is encrypted by KMS (SSE-KMS)."""

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        region: str = "ap-northeast-1",
        endpoint_url: str | None = None,
        sse_kms_key_id: str | None = None,
    ) -> None:
        import boto3

        self._s3: Any = boto3.client("s3", region_name=region, endpoint_url=endpoint_url)
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.sse_kms_key_id = sse_kms_key_id

    def _key(self, key: str) -> str:
        return self.prefix + _check_key(key).as_posix()

    def put(self, key: str, data: bytes) -> StoredObject:
        extra: dict[str, str] = {}
        if self.sse_kms_key_id:
            extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.sse_kms_key_id}
        described = describe(key, data)
        self._s3.put_object(
            Bucket=self.bucket,
            Key=self._key(key),
            Body=data,
            ChecksumSHA256=base64.b64encode(bytes.fromhex(described.sha256)).decode(),
            **extra,
        )
        return described

    def get(self, key: str) -> bytes:
        try:
            answer = self._s3.get_object(Bucket=self.bucket, Key=self._key(key))
        except self._s3.exceptions.NoSuchKey:
            raise KeyError(key) from None
        return bytes(answer["Body"].read())

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._s3.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def list(self, prefix: str = "") -> list[str]:
        keys: list[str] = []
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            keys += [obj["Key"][len(self.prefix) :] for obj in page.get("Contents", [])]
        return sorted(keys)
