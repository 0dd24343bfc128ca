"""Configuration, read from environment variables prefixed ``MADO_``.

Every setting is listed in the README; defaults give the embedded stack.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MADO_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=REPO_ROOT / "data", description="Where the embedded stack keeps its state"
    )
    database_url: str = Field(
        default="", description="SQLAlchemy URL; empty means SQLite in data_dir"
    )
    object_store_dir: Path | None = Field(
        default=None, description="Local object store root; empty means data_dir/objects"
    )
    object_store: str = Field(default="local", pattern="^(local|s3)$")
    s3_bucket: str = ""
    s3_prefix: str = Field(default="", description="Key prefix inside the bucket")
    s3_endpoint_url: str | None = Field(
        default=None, description="S3-compatible server; empty is AWS"
    )
    s3_sse_kms_key_id: str | None = Field(default=None, description="SSE-KMS key for every object")
    catalog_dir: Path = Field(
        default=REPO_ROOT / "catalog", description="The city's catalog (procedures, forms, layouts)"
    )

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_ui_port: int = 8233
    temporal_metrics_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="`mado run`: the port on 127.0.0.1 where its Temporal dev server serves its "
        "own Prometheus metrics (task queues, persistence, update latency); 0 leaves the "
        "port to the Temporal CLI (a random one)",
    )
    task_queue: str = "madoguchi-visits"

    api_host: str = "127.0.0.1"
    api_port: int = 8000

    font_path: Path = Field(
        default=Path("/usr/share/fonts/truetype/ipamj/ipamjm.ttf"),
        description="IPAmj明朝; forms fall back to a built-in CID font when it is missing",
    )
    mjplus_font_path: Path | None = Field(
        default=None,
        description="Font with the MJ+ characters in the Private Use Area (not in Debian); "
        "without it they print as 〓 and the visit gets a warning",
    )
    workflow_sandbox: bool = Field(
        default=True,
        description="Run workflows in Temporal's sandbox, which refuses a non-deterministic "
        "call at run time. Off, the worker skips building a sandbox for each new visit "
        "(about a tenth of its CPU under load); the test suite and the replay corpus "
        "still run every workflow sandboxed",
    )
    render_processes: int = Field(
        default=0,
        ge=0,
        description="Processes of their own that render the forms' PDFs (off the worker's "
        "interpreter lock); 0 renders on the worker's threads",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL staff screens are reached at; the guidance sheet's QR code "
        "opens {public_url}/ui/visits/{visit id}",
    )
    printer_uri: str = Field(
        default="",
        description="IPP queue forms print to, e.g. ipp://127.0.0.1:631/printers/PDF; "
        "empty keeps documents in the object store only",
    )
    counter_printers: dict[str, str] = Field(
        default_factory=dict,
        description='Printer per counter as JSON, e.g. {"C01": "ipp://host:631/printers/C01"}',
    )
    print_attempts: int = Field(
        default=3, ge=1, description="Tries at the printer before the visit is flagged"
    )
    demo_residents: int = Field(
        default=300, ge=0, description="Synthetic residents seeded once by make run"
    )
    payload_key_file: Path | None = Field(
        default=None,
        description="AES-256 key for Temporal payloads; empty means data_dir/keys/payload.key",
    )
    session_idle_minutes: float = Field(default=30.0, gt=0)
    session_absolute_hours: float = Field(default=10.0, gt=0)
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_minutes: float = Field(default=15.0, gt=0)
    cookie_secure: bool = Field(default=True, description="Send the session cookie over HTTPS only")
    demo_staff: bool = Field(
        default=True, description="Seed demo staff accounts into an empty user table"
    )
    audit_retention_days: int = Field(
        default=1825, ge=30, description="mado audit purge deletes entries older than this"
    )
    max_request_bytes: int = Field(
        default=2_500_000, gt=0, description="Larger request bodies are refused with 413"
    )
    key_provider: str = Field(
        default="local", pattern="^(local|kms)$", description="Master key: local file or AWS KMS"
    )
    kms_key_id: str = Field(default="", description="KMS key id or ARN (key_provider=kms)")
    aws_region: str = "ap-northeast-1"
    aws_endpoint_url: str | None = Field(default=None, description="Only for tests (moto)")
    oidc_issuer: str = Field(default="", description="OpenID provider; empty turns OIDC login off")
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_redirect_url: str = Field(
        default="", description="e.g. https://madoguchi.city/login/oidc/callback"
    )
    oidc_staff_claim: str = Field(
        default="preferred_username", description="Claim holding the staff id"
    )
    log_level: str = "INFO"
    log_json: bool = True

    # Activity timing. Short heartbeats let a crashed worker's activity move to another
    # worker within seconds instead of waiting for the whole start-to-close timeout.
    activity_heartbeat_seconds: float = Field(default=10.0, gt=0)
    rpa_timeout_minutes: float = Field(default=60.0, gt=0)
    stall_minutes: dict[str, float] = Field(
        default_factory=dict,
        description="Minutes per step before the supervisor's dashboard lists a visit as "
        'stalled, as JSON over the defaults, e.g. {"reception": 20, "await_rpa": 90}',
    )
    business_hours: str = Field(
        default="08:30-17:15",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$",
        description="開庁時間 (Japan time, weekdays) that BPR step durations count",
    )
    closed_days: list[date] = Field(
        default_factory=list,
        description='Weekdays the counter is closed (祝日, 年末年始) as JSON, e.g. ["2026-01-02"]',
    )
    stall_failing_attempts: int = Field(
        default=3, ge=2, description="Tries of one activity that count as failing repeatedly"
    )
    import_poll_seconds: float = Field(
        default=60.0, ge=5, description="How often inbound/juki/ is polled"
    )
    handoff_interval_seconds: float = Field(
        default=300.0, ge=1, description="How often pending records are batched for the RPA"
    )
    handoff_batch_limit: int = Field(default=5000, ge=1, le=100_000)
    tablet_timeout_seconds: float = Field(
        default=300.0, ge=30, description="The tablet forgets an unsigned visit after this"
    )
    avg_service_minutes: float = Field(
        default=10.0, gt=0, description="For the queue's estimated wait (目安)"
    )
    rpa_simulator: bool = Field(
        default=False, description="Demo: `mado run` also runs the RPA simulator (rpa-sim)"
    )
    rpa_lease_seconds: float = Field(
        default=600.0, ge=5, description="A claimed batch returns to the queue after this"
    )
    answer_within_seconds: float = Field(
        default=30.0, gt=0, description="A staff step with no answer by then gets 503 (retry)"
    )

    traces: str = Field(
        default="auto",
        pattern="^(auto|file|console|otlp|off)$",
        description="Where OpenTelemetry spans go: auto = OTLP when MADO_OTLP_ENDPOINT is set, "
        "else a JSON-lines file per process in data_dir/traces",
    )
    otlp_endpoint: str = Field(
        default="", description="OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces"
    )
    trace_file_max_mb: float = Field(
        default=50.0, gt=0, description="A trace file is rotated (one old copy kept) at this size"
    )
    metrics: bool = Field(default=True, description="Prometheus metrics at /metrics on the API")
    worker_metrics_address: str = Field(
        default="",
        description="host:port where the worker serves the Temporal SDK's Prometheus metrics; "
        "empty turns them off (make run uses 127.0.0.1:9464)",
    )
    health_cache_seconds: float = Field(
        default=2.0, ge=0, description="Readiness checks are reused this long (banner polls)"
    )

    @field_validator("stall_minutes")
    @classmethod
    def _known_steps(cls, value: dict[str, float]) -> dict[str, float]:
        from domain.stalls import thresholds

        thresholds(value)  # names the unknown step
        if any(m <= 0 for m in value.values()):
            raise ValueError("stall thresholds are minutes greater than 0")
        return value

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'madoguchi.db'}"

    @property
    def payload_key_path(self) -> Path:
        return self.payload_key_file or self.data_dir / "keys" / "payload.key"

    @property
    def trace_exporter(self) -> str:
        if self.traces == "auto":
            return "otlp" if self.otlp_endpoint else "file"
        return self.traces

    @property
    def objects_root(self) -> Path:
        return self.object_store_dir or self.data_dir / "objects"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
