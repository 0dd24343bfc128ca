"""Which master key protects what, from settings: the local key file or AWS KMS."""

from __future__ import annotations

from adapters.keys import KeyProvider, KmsKeyProvider, LocalKeyProvider
from adapters.payload_codec import load_or_create_key
from madoguchi.settings import Settings


def key_provider(settings: Settings) -> KeyProvider:
    if settings.key_provider == "kms":
        if not settings.kms_key_id:
            raise ValueError("MADO_KMS_KEY_ID is required with MADO_KEY_PROVIDER=kms")
        return KmsKeyProvider(
            settings.kms_key_id, region=settings.aws_region, endpoint_url=settings.aws_endpoint_url
        )
    return LocalKeyProvider(settings.data_dir / "keys" / "master.key")


def payload_key(settings: Settings) -> bytes:
    """The AES-256 key of Temporal payloads. Locally it is the key file itself; with KMS the
    file holds only the data key as KMS wrapped it, and KMS unwraps it at start-up."""
    if settings.key_provider != "kms":
        return load_or_create_key(settings.payload_key_path)
    provider = key_provider(settings)
    wrapped_file = settings.payload_key_path.with_suffix(".kms")
    if not wrapped_file.is_file():
        _plain, wrapped = provider.generate_data_key()
        wrapped_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        wrapped_file.write_bytes(wrapped)
    return provider.unwrap(wrapped_file.read_bytes())
