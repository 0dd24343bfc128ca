"""Key providers for envelope encryption: a data key per use, wrapped by a master key.

``LocalKeyProvider`` keeps the master key in a file (the embedded stack); ``KmsKeyProvider``
asks AWS KMS, where the master key never leaves the service (production). Both give the
same interface, so the code that seals data does not know which one it has.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from adapters.payload_codec import load_or_create_key


class KeyProvider(Protocol):
    key_id: str

    def generate_data_key(self) -> tuple[bytes, bytes]:
        """A fresh 256-bit data key: (plaintext, wrapped)."""
        ...

    def unwrap(self, wrapped: bytes) -> bytes: ...


class LocalKeyProvider:
    def __init__(self, master_key_file: Path) -> None:
        master = load_or_create_key(master_key_file)
        self._aes = AESGCM(master)
        self.key_id = "local:" + hashlib.sha256(master).hexdigest()[:16]

    def generate_data_key(self) -> tuple[bytes, bytes]:
        key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        return key, nonce + self._aes.encrypt(nonce, key, self.key_id.encode())

    def unwrap(self, wrapped: bytes) -> bytes:
        return self._aes.decrypt(wrapped[:12], wrapped[12:], self.key_id.encode())


class KmsKeyProvider:
    def __init__(self, key_id: str, *, region: str, endpoint_url: str | None = None) -> None:
        import boto3

        self._kms: Any = boto3.client("kms", region_name=region, endpoint_url=endpoint_url)
        self._key = key_id
        self.key_id = f"kms:{key_id}"

    def generate_data_key(self) -> tuple[bytes, bytes]:
        answer = self._kms.generate_data_key(KeyId=self._key, KeySpec="AES_256")
        return bytes(answer["Plaintext"]), bytes(answer["CiphertextBlob"])

    def unwrap(self, wrapped: bytes) -> bytes:
        return bytes(self._kms.decrypt(CiphertextBlob=wrapped, KeyId=self._key)["Plaintext"])
