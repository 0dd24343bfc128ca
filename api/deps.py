"""Dependencies shared by the routers (set up once in the app's lifespan)."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Header, Request

from adapters.object_store import ObjectStore
from adapters.temporal_client import VisitGateway
from domain.catalog import Catalog
from madoguchi.settings import Settings


def gateway(request: Request) -> VisitGateway:
    return cast(VisitGateway, request.app.state.gateway)


def store(request: Request) -> ObjectStore:
    return cast(ObjectStore, request.app.state.store)


def settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def catalog(request: Request) -> Catalog:
    return cast(Catalog, request.app.state.catalog)


Gateway = Annotated[VisitGateway, Depends(gateway)]
Store = Annotated[ObjectStore, Depends(store)]
CurrentCatalog = Annotated[Catalog, Depends(catalog)]
SettingsDep = Annotated[Settings, Depends(settings)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=100,
        description="Repeat a request with the same key and it takes effect once.",
    ),
]
