"""One suite, two stores: the local directory and S3 (moto's server over real HTTP)."""

from __future__ import annotations

import uuid
from pathlib import Path

import boto3
import pytest

from adapters.object_store import LocalDirectoryStore, ObjectStore, ObjectStoreError, S3Store


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "local":
        return LocalDirectoryStore(tmp_path)
    endpoint: str = request.getfixturevalue("moto_endpoint")
    bucket = f"mado-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", region_name="ap-northeast-1", endpoint_url=endpoint).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
    )
    return S3Store(bucket, prefix="city37201", endpoint_url=endpoint)


def test_put_get_list_and_overwrite_is_one_object(store: ObjectStore) -> None:
    first = store.put("visits/v1/forms.pdf", b"one")
    second = store.put("visits/v1/forms.pdf", b"one")
    store.put("outbound/applications/idou/v1.csv", "渡邉\U000e0110".encode())
    assert first == second and first.size == 3
    assert store.list("visits/") == ["visits/v1/forms.pdf"]
    assert store.list() == ["outbound/applications/idou/v1.csv", "visits/v1/forms.pdf"]
    # A prefix is a prefix of the key, not only a folder.
    assert store.list("visits/v") == ["visits/v1/forms.pdf"]
    assert store.list("outbound/applications/idou/v1") == ["outbound/applications/idou/v1.csv"]
    assert store.list("vis") == ["visits/v1/forms.pdf"]
    assert store.list("inbound/") == [] and store.list("visits/v2/") == []
    assert store.get("visits/v1/forms.pdf") == b"one"
    assert store.get("outbound/applications/idou/v1.csv").decode() == "渡邉\U000e0110"
    assert store.exists("visits/v1/forms.pdf") and not store.exists("visits/v2/forms.pdf")


def test_a_missing_object_is_a_key_error(store: ObjectStore) -> None:
    with pytest.raises(KeyError):
        store.get("nowhere/x.csv")


@pytest.mark.parametrize("key", ["", "/abs", "a/../b", "a//b", "./a"])
def test_keys_cannot_escape_the_store(store: ObjectStore, key: str) -> None:
    with pytest.raises(ObjectStoreError):
        store.put(key, b"x")


def test_local_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    LocalDirectoryStore(tmp_path).put("a/b.txt", b"x")
    assert not list(tmp_path.rglob(".tmp-*"))


def test_s3_objects_are_encrypted_with_kms(moto_endpoint: str) -> None:
    kms = boto3.client("kms", region_name="ap-northeast-1", endpoint_url=moto_endpoint)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    s3 = boto3.client("s3", region_name="ap-northeast-1", endpoint_url=moto_endpoint)
    s3.create_bucket(
        Bucket="mado-kms", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
    )
    store = S3Store("mado-kms", endpoint_url=moto_endpoint, sse_kms_key_id=key_id)
    store.put("inbound/juki/full.csv", b"data")
    head = s3.head_object(Bucket="mado-kms", Key="inbound/juki/full.csv")
    assert head["ServerSideEncryption"] == "aws:kms" and key_id in head["SSEKMSKeyId"]
