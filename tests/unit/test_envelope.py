"""Sealing values with envelope encryption, locally and with AWS KMS (moto over HTTP)."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from adapters.envelope import SealError, open_sealed, seal
from adapters.keys import KmsKeyProvider, LocalKeyProvider
from domain import my_number
from madoguchi.crypto import payload_key
from madoguchi.settings import Settings

NUMBER = "123456789018"


def test_my_number_check_digit_and_mask() -> None:
    assert my_number.is_valid(NUMBER)
    assert not my_number.is_valid("123456789012")
    assert my_number.mask(NUMBER) == "********9018"


def test_local_seal_opens_only_in_its_context(tmp_path: Path) -> None:
    provider = LocalKeyProvider(tmp_path / "master.key")
    token = seal(NUMBER, provider, "kojin_bango:0000000001")
    assert NUMBER not in token
    assert open_sealed(token, provider, "kojin_bango:0000000001") == NUMBER
    with pytest.raises(SealError):
        open_sealed(token, provider, "kojin_bango:0000000002")  # copied onto another record
    tampered = token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")
    with pytest.raises(SealError):
        open_sealed(tampered, provider, "kojin_bango:0000000001")
    with pytest.raises(SealError):
        open_sealed(token, LocalKeyProvider(tmp_path / "other.key"), "kojin_bango:0000000001")


def test_kms_provider_over_http(moto_endpoint: str, tmp_path: Path) -> None:
    kms = boto3.client("kms", region_name="ap-northeast-1", endpoint_url=moto_endpoint)
    key_id = kms.create_key(Description="madoguchi test")["KeyMetadata"]["KeyId"]
    provider = KmsKeyProvider(key_id, region="ap-northeast-1", endpoint_url=moto_endpoint)
    token = seal(NUMBER, provider, "kojin_bango:0000000001")
    assert open_sealed(token, provider, "kojin_bango:0000000001") == NUMBER

    # The Temporal payload key under KMS: only the wrapped data key is on disk.
    settings = Settings(
        data_dir=tmp_path, key_provider="kms", kms_key_id=key_id, aws_endpoint_url=moto_endpoint
    )
    first = payload_key(settings)
    assert len(first) == 32 and payload_key(settings) == first
    on_disk = settings.payload_key_path.with_suffix(".kms").read_bytes()
    assert first not in on_disk and not settings.payload_key_path.exists()
