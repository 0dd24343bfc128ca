"""Every error leaves the API as JSON: a code, a message, and the problems by field."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from adapters.outbox import OutboxError
from adapters.temporal_client import VisitNotFound, VisitRejected, VisitUnavailable
from api.auth import Forbidden, LoginFailed, NotAuthenticated
from madoguchi.logging import get_logger
from workflows.errors import INVALID_INPUT, STEP_FAILED, WRONG_STEP

log = get_logger(__name__)

STATUS_BY_KIND = {WRONG_STEP: 409, STEP_FAILED: 409, INVALID_INPUT: 422}


def error_body(
    code: str, message: str, problems: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "problems": problems or []}}


def _field(loc: tuple[Any, ...]) -> str:
    # ("body", "signature", "strokes", 0) -> "signature.strokes.0"
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [{"field": _field(tuple(e["loc"])), "message": e["msg"]} for e in exc.errors()]
    message = "入力に誤りがあります / invalid request: " + "; ".join(
        f"{p['field']}: {p['message']}" for p in problems
    )
    return JSONResponse(status_code=422, content=error_body("InvalidRequest", message, problems))


async def _rejected(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, VisitRejected)
    return JSONResponse(
        status_code=STATUS_BY_KIND.get(exc.kind, 409),
        content=error_body(exc.kind, exc.message, exc.problems),
    )


async def _not_found(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        status_code=404,
        content=error_body("VisitNotFound", f"来庁記録がありません / no such visit: {exc}"),
    )


async def _unavailable(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        status_code=503,
        headers={"Retry-After": "5"},
        content=error_body(
            "WorkerUnavailable",
            "処理が応答しません。同じ操作をもう一度行ってください（二重には処理されません）"
            " / no answer from the workflow worker; retry with the same Idempotency-Key",
        ),
    )


async def _outbox(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OutboxError)
    code = {404: "NotFound", 409: "Conflict", 422: "InvalidInput"}.get(exc.status, "Refused")
    return JSONResponse(status_code=exc.status, content=error_body(code, exc.message))


async def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse(
        status_code=exc.status_code,
        content=error_body(f"HTTP{exc.status_code}", str(exc.detail)),
        headers=getattr(exc, "headers", None),
    )


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    # Never echo the exception text: it may carry personal data. The log has the details.
    log.exception("unhandled error", error_type=type(exc).__name__)
    return JSONResponse(
        status_code=500,
        content=error_body(
            "InternalError", "内部エラーが発生しました。記録は失われていません / internal error"
        ),
    )


async def _not_authenticated(request: Request, _exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse(
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
            content=error_body("NotAuthenticated", "ログインしてください / login required"),
        )
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


async def _forbidden(request: Request, exc: Exception) -> Response:
    status = 401 if isinstance(exc, LoginFailed) else 403
    code = "LoginFailed" if status == 401 else "Forbidden"
    if request.url.path.startswith("/api/"):
        return JSONResponse(status_code=status, content=error_body(code, str(exc)))
    return HTMLResponse(
        f"<!doctype html><html lang=ja><title>{status}</title><h1>{status}</h1>"
        f"<p>{html.escape(str(exc))}</p><p><a href='/'>戻る</a></p></html>",
        status_code=status,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(NotAuthenticated, _not_authenticated)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(Exception, _unexpected)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(VisitRejected, _rejected)
    app.add_exception_handler(VisitNotFound, _not_found)
    app.add_exception_handler(VisitUnavailable, _unavailable)
    app.add_exception_handler(OutboxError, _outbox)
    app.add_exception_handler(StarletteHTTPException, _http)
