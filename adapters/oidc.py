"""OpenID Connect relying party: authorization code flow with PKCE, ID token checked against
the provider's published keys (signature, issuer, audience, expiry, nonce)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt


class OidcError(ValueError):
    pass


@dataclass
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass
class Challenge:
    """What we remember between sending the browser away and its coming back."""

    state: str
    nonce: str
    verifier: str


def discover(issuer: str, client: httpx.Client) -> Provider:
    r = client.get(issuer.rstrip("/") + "/.well-known/openid-configuration", timeout=10)
    r.raise_for_status()
    doc = r.json()
    if doc.get("issuer") != issuer:
        raise OidcError("the provider's issuer does not match the configured one")
    return Provider(issuer, doc["authorization_endpoint"], doc["token_endpoint"], doc["jwks_uri"])


def new_challenge() -> Challenge:
    return Challenge(
        secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    )


def authorize_url(p: Provider, client_id: str, redirect_uri: str, c: Challenge) -> str:
    digest = hashlib.sha256(c.verifier.encode()).digest()
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid profile",
        "state": c.state,
        "nonce": c.nonce,
        "code_challenge": base64.urlsafe_b64encode(digest).decode().rstrip("="),
        "code_challenge_method": "S256",
    }
    return f"{p.authorization_endpoint}?{urlencode(query)}"


def redeem(
    p: Provider,
    client: httpx.Client,
    *,
    code: str,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    c: Challenge,
) -> dict[str, Any]:
    """Exchange the code for tokens and return the verified ID token's claims."""
    r = client.post(
        p.token_endpoint,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": c.verifier,
        },
        auth=(client_id, client_secret),
        timeout=10,
    )
    if r.status_code != 200:
        raise OidcError(f"token endpoint refused the code ({r.status_code})")
    id_token = r.json().get("id_token", "")
    try:
        key = jwt.PyJWKClient(p.jwks_uri).get_signing_key_from_jwt(id_token)
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key.key,
            algorithms=["RS256", "ES256"],
            audience=client_id,
            issuer=p.issuer,
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.PyJWTError as e:
        raise OidcError(f"ID token rejected: {e}") from None
    if claims.get("nonce") != c.nonce:
        raise OidcError("ID token nonce does not match (replayed?)")
    return claims
