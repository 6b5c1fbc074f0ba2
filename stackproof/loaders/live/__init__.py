"""The live-account loader: boto3 collectors (collectors/), pure transforms (transforms/).

    snapshot = collect(LiveOptions(regions=["eu-west-2"]))   # boto3, read-only
    inventory = inventory_of(snapshot)                          # pure

Only ``collect`` (and the modules it imports: clients, accounts, api) needs botocore;
the snapshot loader and the transforms do not, so ``stackproof scan snapshot.json``
runs without it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...model import InputFile, Inventory
from .options import LiveOptions
from .snapshot import Snapshot, to_inventory

if TYPE_CHECKING:
    from .clients import ClientFactory


def collect(options: LiveOptions, factory: "ClientFactory | None" = None) -> Snapshot:
    from .runner import collect as run

    return run(options, factory)


def inventory_of(snapshot: Snapshot) -> Inventory:
    return to_inventory(snapshot, [InputFile("live", f"aws account {a}") for a in snapshot.accounts])


__all__ = ["LiveOptions", "Snapshot", "collect", "inventory_of"]
