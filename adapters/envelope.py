"""Sealing single values (e.g. a 個人番号) with envelope encryption.

Each value gets its own data key; the sealed text carries the wrapped data key, so the
master key (local file or KMS) is needed to open it and can be rotated per value. The
context (e.g. ``kojin_bango:<宛名番号>``) is bound into the ciphertext: a sealed value copied
onto another record does not open there.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from adapters.keys import KeyProvider

VERSION = "v1"


class SealError(ValueError):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(plaintext: str, provider: KeyProvider, context: str) -> str:
    key, wrapped = provider.generate_data_key()
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    return ".".join([VERSION, _b64(provider.key_id.encode()), _b64(wrapped), _b64(nonce + sealed)])


def open_sealed(token: str, provider: KeyProvider, context: str) -> str:
    try:
        version, key_id, wrapped, body = token.split(".")
    except ValueError:
        raise SealError("not a sealed value") from None
    if version != VERSION:
        raise SealError(f"unknown version {version}")
    if _unb64(key_id).decode() != provider.key_id:
        raise SealError("sealed with another master key")
    try:
        key = provider.unwrap(_unb64(wrapped))
        raw = _unb64(body)
        return AESGCM(key).decrypt(raw[:12], raw[12:], context.encode("utf-8")).decode("utf-8")
    except (InvalidTag, ValueError) as e:
        raise SealError("the sealed value does not open here (tampered or other record)") from e
