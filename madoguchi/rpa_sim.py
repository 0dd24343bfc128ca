"""``mado rpa-sim``: behaves like the city's RPA robot against the API — logs in with its
own terminal account, claims ready batches, checks the CSV against its manifest, "types"
each record and reports it, failing some on purpose (the core system's message).

Used in tests and demos. It never sees more than the API gives a robot.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import random
from dataclasses import dataclass, field

import httpx

from madoguchi.logging import get_logger

log = get_logger(__name__)
CORE_ERRORS = (
    "E1023 宛名番号が基幹システムに存在しません",
    "E2040 異動日が受付日より後です",
    "E3301 同一世帯で処理中の異動があります",
)


@dataclass
class SimConfig:
    url: str
    staff_id: str = "rpa01"
    password: str = ""
    fail_rate: float = 0.0  # the share of records the core system refuses
    interval: float = 2.0  # seconds between polls
    seed: int | None = None
    crash_after_claim: bool = False  # claim, then vanish (a robot that died mid-batch)


@dataclass
class SimReport:
    batches: list[str] = field(default_factory=list)
    done: int = 0
    errors: int = 0
    refused: list[str] = field(default_factory=list)  # what the API would not take


class RpaSimulator:
    def __init__(self, config: SimConfig, client: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self.http = client or httpx.AsyncClient(base_url=config.url, timeout=30)
        self.rng = random.Random(config.seed)
        self.token = ""

    async def login(self) -> None:
        r = await self.http.post(
            "/api/auth/login",
            json={"staff_id": self.config.staff_id, "password": self.config.password},
        )
        r.raise_for_status()
        self.token = r.json()["token"]

    def _headers(self, lease: str = "") -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if lease:
            headers["X-Lease-Id"] = lease
        return headers

    async def once(self) -> SimReport:
        """One poll: every batch that is ready, claimed, read, and reported."""
        if not self.token:
            await self.login()
        out = SimReport()
        ready = await self.http.get("/api/rpa/batches", headers=self._headers())
        ready.raise_for_status()
        for b in ready.json():
            url = f"/api/rpa/batches/{b['batch_id']}/claim"
            claim = await self.http.post(url, headers=self._headers())
            if claim.status_code == 409:  # another robot got there first
                continue
            claim.raise_for_status()
            lease = claim.json()["lease_id"]
            if self.config.crash_after_claim:
                out.batches.append(b["batch_id"])
                continue
            await self._type_in(b["batch_id"], lease, out)
        return out

    async def _type_in(self, batch_id: str, lease: str, out: SimReport) -> None:
        base = f"/api/rpa/batches/{batch_id}"
        manifest_r = await self._leased_get(f"{base}/manifest", batch_id, lease)
        if manifest_r is None:
            return
        data_r = await self._leased_get(f"{base}/csv", batch_id, lease)
        if data_r is None:
            return
        manifest, data = manifest_r.json(), data_r.content
        if hashlib.sha256(data).hexdigest() != manifest["sha256"]:
            raise RuntimeError(f"batch {batch_id}: checksum does not match its manifest")
        text = data.decode(manifest["encoding"])
        rows = list(csv.reader(io.StringIO(text, newline="")))
        body = rows[1:] if rows and rows[0] and rows[0][0] == "受付番号" else rows
        if len(body) != manifest["record_count"]:
            raise RuntimeError(f"batch {batch_id}: {len(body)} rows, manifest says otherwise")
        out.batches.append(batch_id)
        for row in body:
            record_id = row[0]
            fail = self.rng.random() < self.config.fail_rate
            report = {
                "lease_id": lease,
                "outcome": "error" if fail else "done",
                "message": self.rng.choice(CORE_ERRORS) if fail else "",
            }
            r = await self.http.post(
                f"{base}/records/{record_id}", json=report, headers=self._headers()
            )
            if r.status_code >= 400:
                out.refused.append(f"{record_id}: {r.status_code} {r.json()['error']['message']}")
                continue
            if fail:
                out.errors += 1
            else:
                out.done += 1
        log.info("batch typed in", batch_id=batch_id, records=len(body))

    async def _leased_get(self, url: str, batch_id: str, lease: str) -> httpx.Response | None:
        """A read under the lease; None when the lease has moved on (it ran out, or the batch
        was claimed again): the new holder types it in, this robot leaves it."""
        r = await self.http.get(url, headers=self._headers(lease))
        if r.status_code == 409:
            log.warning("batch lease lost", batch_id=batch_id, reason=r.json()["error"]["message"])
            return None
        r.raise_for_status()
        return r

    async def run_forever(self) -> None:
        while True:
            try:
                report = await self.once()
                if report.batches:
                    print(json.dumps(report.__dict__, ensure_ascii=False), flush=True)
            except httpx.HTTPError as e:
                log.warning("rpa-sim poll failed", error=type(e).__name__)
                self.token = ""
            await asyncio.sleep(self.config.interval)
