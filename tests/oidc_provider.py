"""A small OpenID Connect provider for tests: discovery, authorize (auto-approving the user
the test names), token with PKCE and client auth, JWKS; RS256 ID tokens. Real HTTP."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse

from adapters.temporal_server import free_port, wait_for_port

CLIENT_ID, CLIENT_SECRET = "madoguchi", "s3cret-for-tests"


@dataclass
class LocalProvider:
    url: str
    redirect_uri: str
    user: str = "staff01"  # who "logs in" at the provider next
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    key: Any = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        def discovery() -> dict[str, str]:
            return {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "jwks_uri": f"{self.url}/jwks",
            }

        @app.get("/authorize")
        def authorize(
            client_id: str, redirect_uri: str, state: str, nonce: str, code_challenge: str
        ) -> RedirectResponse:
            if client_id != CLIENT_ID or redirect_uri != self.redirect_uri:
                raise HTTPException(400, "unknown client or redirect")
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"nonce": nonce, "challenge": code_challenge, "user": self.user}
            return RedirectResponse(
                f"{redirect_uri}?{urlencode({'code': code, 'state': state})}", 302
            )

        @app.post("/token")
        def token(
            request: Request,
            code: str = Form(),
            code_verifier: str = Form(),
            redirect_uri: str = Form(),
        ) -> JSONResponse:
            auth = request.headers.get("authorization", "")
            expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            grant = self.codes.pop(code, None)
            digest = hashlib.sha256(code_verifier.encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).decode().rstrip("=")
            if auth != f"Basic {expected}" or grant is None or grant["challenge"] != challenge:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            now = int(time.time())
            claims = {
                "iss": self.url, "aud": CLIENT_ID, "sub": f"sub-{grant['user']}",
                "preferred_username": grant["user"], "nonce": grant["nonce"],
                "iat": now, "exp": now + 300,
            }  # fmt: skip
            id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})
            return JSONResponse({"id_token": id_token, "token_type": "Bearer"})

        @app.get("/jwks")
        def jwks() -> dict[str, list[dict[str, Any]]]:
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
            return {"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}

        return app


@contextmanager
def running_provider(redirect_uri: str) -> Iterator[LocalProvider]:
    port = free_port()
    provider = LocalProvider(f"http://127.0.0.1:{port}", redirect_uri)
    server = uvicorn.Server(
        uvicorn.Config(provider.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_port("127.0.0.1", port, 15)
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(10)
