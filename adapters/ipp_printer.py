"""Printing PDFs on a counter's printer over IPP (RFC 8010/8011), as CUPS speaks it.

A small client of our own: Print-Job to send, Get-Jobs to find a job we already sent. Every
job is named after the visit and copy, so a retried activity that finds its job at the
printer does not print the forms a second time.
"""

from __future__ import annotations

import itertools
import struct
from dataclasses import dataclass, field

import httpx

PRINT_JOB = 0x0002
GET_JOBS = 0x000A
_OPERATION, _JOB, _END = 0x01, 0x02, 0x03
_INTEGER, _ENUM = 0x21, 0x23
_KEYWORD, _URI, _CHARSET, _LANGUAGE, _MIME = 0x44, 0x45, 0x47, 0x48, 0x49
_NAME = 0x42
_ids = itertools.count(1)


class PrinterError(RuntimeError):
    pass


@dataclass
class PrinterChoice:
    """The printer of each counter, or the default one ("" = print to the store only)."""

    default: str = ""
    per_counter: dict[str, str] = field(default_factory=dict)

    def for_counter(self, counter: str) -> str:
        return self.per_counter.get(counter, self.default)


def _attr(tag: int, name: str, value: bytes) -> bytes:
    n = name.encode()
    return struct.pack(">BH", tag, len(n)) + n + struct.pack(">H", len(value)) + value


def _request(op: int, printer_uri: str, attrs: list[bytes]) -> bytes:
    head = struct.pack(">BBHI", 2, 0, op, next(_ids))
    body = [
        _attr(_CHARSET, "attributes-charset", b"utf-8"),
        _attr(_LANGUAGE, "attributes-natural-language", b"ja"),
        _attr(_URI, "printer-uri", printer_uri.encode()),
        *attrs,
    ]
    return head + bytes([_OPERATION]) + b"".join(body) + bytes([_END])


def _parse(data: bytes) -> tuple[int, list[dict[str, list[object]]]]:
    """Status code and the job groups of a response (each group: name → values)."""
    if len(data) < 8:
        raise PrinterError("short IPP response")
    status = struct.unpack(">H", data[2:4])[0]
    groups: list[dict[str, list[object]]] = []
    current: dict[str, list[object]] | None = None
    name = ""
    i = 8
    while i < len(data):
        tag = data[i]
        i += 1
        if tag == _END:
            break
        if tag < 0x10:  # a delimiter: a new attribute group starts
            current = {}
            if tag == _JOB:
                groups.append(current)
            continue
        (n_len,) = struct.unpack(">H", data[i : i + 2])
        i += 2
        if n_len:
            name = data[i : i + n_len].decode("utf-8", "replace")
        i += n_len
        (v_len,) = struct.unpack(">H", data[i : i + 2])
        i += 2
        raw = data[i : i + v_len]
        i += v_len
        value: object = (
            struct.unpack(">i", raw)[0]
            if tag in (_INTEGER, _ENUM) and v_len == 4
            else raw.decode("utf-8", "replace")
        )
        if current is not None:
            current.setdefault(name, []).append(value)
    return status, groups


def _http_url(printer_uri: str) -> str:
    if printer_uri.startswith("ipps://"):
        return "https://" + printer_uri[len("ipps://") :]
    if printer_uri.startswith("ipp://"):
        return "http://" + printer_uri[len("ipp://") :]
    raise PrinterError(f"not an IPP printer URI: {printer_uri}")


def _post(
    printer_uri: str, body: bytes, timeout: float
) -> tuple[int, list[dict[str, list[object]]]]:
    try:
        response = httpx.post(
            _http_url(printer_uri),
            content=body,
            headers={"Content-Type": "application/ipp"},
            timeout=timeout,
        )
    except httpx.HTTPError as e:
        raise PrinterError(f"printer unreachable: {type(e).__name__}") from None
    if response.status_code != 200:
        raise PrinterError(f"printer answered HTTP {response.status_code}")
    return _parse(response.content)


def find_job(printer_uri: str, job_name: str, *, timeout: float = 10.0) -> int | None:
    """The id of a job with this name the printer knows of (queued or done), if any."""
    body = _request(
        GET_JOBS,
        printer_uri,
        [
            _attr(_NAME, "requesting-user-name", b"madoguchi"),
            _attr(_KEYWORD, "which-jobs", b"all"),
            _attr(_KEYWORD, "requested-attributes", b"job-id"),
            _attr(_KEYWORD, "", b"job-name"),
        ],
    )
    status, groups = _post(printer_uri, body, timeout)
    if status >= 0x0100:
        raise PrinterError(f"Get-Jobs refused (IPP status 0x{status:04x})")
    for g in groups:
        if job_name in g.get("job-name", []):
            return int(str(g["job-id"][0]))
    return None


def print_pdf(printer_uri: str, job_name: str, pdf: bytes, *, timeout: float = 30.0) -> int:
    """Send the PDF unless a job of this name is already there; returns the job id."""
    if (existing := find_job(printer_uri, job_name, timeout=timeout)) is not None:
        return existing
    body = _request(
        PRINT_JOB,
        printer_uri,
        [
            _attr(_NAME, "requesting-user-name", b"madoguchi"),
            _attr(_NAME, "job-name", job_name.encode()),
            _attr(_MIME, "document-format", b"application/pdf"),
        ],
    )
    status, groups = _post(printer_uri, body + pdf, timeout)
    if status >= 0x0100:
        raise PrinterError(f"Print-Job refused (IPP status 0x{status:04x})")
    for g in groups:
        if "job-id" in g:
            return int(str(g["job-id"][0]))
    raise PrinterError("the printer accepted the job but sent no job id")
