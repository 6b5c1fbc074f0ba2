"""Network reachability: who can reach what, on which ports, and the path that proves it.

The graph is built once per inventory (``network_of``) from the source-neutral model,
so plans, templates and live inventories are answered by the same code.
"""
from __future__ import annotations

from ..model import Inventory
from .endpoints import DATA_STORE_KINDS, ENDPOINT_KINDS
from .graph import INTERNET, Network
from .intervals import IntervalSet
from .paths import Answer, Blocked, Exposure, Hop
from .traffic import Traffic


def network_of(inventory: Inventory) -> Network:
    """The inventory's network graph, built on first use and cached on the inventory."""
    return inventory.derived("network", Network)


__all__ = ["network_of", "Network", "Exposure", "Answer", "Blocked", "Hop", "Traffic", "IntervalSet",
           "INTERNET", "ENDPOINT_KINDS", "DATA_STORE_KINDS"]
