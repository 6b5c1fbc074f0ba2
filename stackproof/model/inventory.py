"""The inventory: every resource of one scan, indexed once."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Iterator, TypeVar

from .base import Resource, rekey

R = TypeVar("R", bound=Resource)


@dataclass(frozen=True)
class InputFile:
    """One input of a scan, as the report's run.inputs lists it."""

    kind: str  # tfplan | tfstate | cloudformation | changeset | parameters | snapshot | live
    path: str
    sha256: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": self.path, "sha256": self.sha256}


@dataclass(frozen=True)
class Gap:
    """Something the loader could not read, so the policies over these kinds are UNKNOWN.

    For example an API the audit role was denied in one region, or resources of a
    template transform stackproof cannot expand.
    """

    kinds: tuple[str, ...]
    reason: str
    where: str  # what could not be read: "eu-west-2 rds", a file, a resource address
    account: str | None = None
    region: str | None = None
    file: str | None = None  # the file it is in, for a file input
    line: int | None = None
    # The files whose resources it leaves unassessed: those of its input (a template and the
    # templates it nests), so one input's unreadable part does not touch another's results.
    # Empty for a gap of a place (an account, a region): it touches every resource there.
    scope: frozenset[str | None] = frozenset()


@dataclass
class Inventory:
    resources: list[Resource] = field(default_factory=list)
    inputs: list[InputFile] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    # Values a loader saw marked secret (sensitive plan values, NoEcho parameters);
    # the engine scrubs them from every result as a last line of defence.
    secrets: set[str] = field(default_factory=set)
    # CloudFormation condition scenarios: when a template allows several, one inventory per
    # scenario (the top-level resources are the first one's); the engine evaluates each and
    # keeps, per policy and resource, the worst verdict, named by its scenario.
    scenarios: list["Inventory"] = field(default_factory=list)
    scenario: str | None = None  # the scenario this inventory is: "when IsProduction is false"
    # Its conditions' values: condition id (Provenance.conditions) -> "IsProduction is false"
    conditions: dict[str, str] = field(default_factory=dict)
    # What an input says about the run, for the report's run section (an audit snapshot:
    # its accounts, regions, collection time and what could not be assessed).
    run_info: dict[str, Any] = field(default_factory=dict)
    _by_key: dict[str, Resource] = field(default_factory=dict, init=False, repr=False)
    _by_kind: dict[str, list[Resource]] = field(default_factory=lambda: defaultdict(list), init=False, repr=False)
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        resources, self.resources = self.resources, []
        self.extend(resources)

    def add(self, resource: Resource) -> None:
        if resource.key in self._by_key:
            raise ValueError(f"duplicate resource key {resource.key!r}")
        self.resources.append(resource)
        self._by_key[resource.key] = resource
        self._by_kind[resource.KIND].append(resource)
        self._derived.clear()

    def extend(self, resources: Iterable[Resource]) -> None:
        for resource in resources:
            self.add(resource)

    def merge(self, other: "Inventory") -> None:
        """Add another input's resources. Inputs are independent: neither's resources refer
        to the other's, and keys must not collide (see ``keys`` and ``rekeyed``)."""
        if self.scenarios or other.scenarios:
            # Scenarios combine by index, the shorter list cycling, instead of every pair:
            # each input's scenarios are all evaluated, and since no input's resources depend
            # on another's conditions, the pairs the product would add tell nothing new.
            mine, theirs = self.scenarios or [self.copy()], other.scenarios or [other]
            combined = []
            for index in range(max(len(mine), len(theirs))):
                pair = mine[index % len(mine)], theirs[index % len(theirs)]
                scenario = pair[0].copy()
                scenario.merge(pair[1])
                scenario.scenario = "; ".join(s for s in (pair[0].scenario, pair[1].scenario) if s) or None
                scenario.conditions = {**pair[0].conditions, **pair[1].conditions}
                combined.append(scenario)
            self.scenarios = combined
        self.extend(other.resources)
        # a file two inputs read (a parameters file, a template both nest) is listed once
        self.inputs.extend(i for i in other.inputs if i not in self.inputs)
        self.gaps.extend(other.gaps)
        self.secrets |= other.secrets
        for key, value in other.run_info.items():  # lists are joined, anything else is the first input's
            mine = self.run_info.get(key)
            if isinstance(mine, list) and isinstance(value, list):
                self.run_info[key] = mine + [item for item in value if item not in mine]
            else:
                self.run_info.setdefault(key, value)

    def locate_gaps(self, file: str) -> None:
        """The gaps of a file input that name no account or region are that input's: ``file``
        unless they name their own, and scoped to the files its resources come from."""
        scope = frozenset([file, *(i.path for i in self.inputs), *{r.prov.file for r in self.resources}])
        for inventory in (self, *self.scenarios):
            inventory.gaps = [gap if gap.account or gap.region else replace(gap, file=gap.file or file, scope=scope)
                              for gap in inventory.gaps]

    def keys(self) -> set[str]:
        """Every key of this inventory and of its scenarios (a conditional resource may be
        in some scenarios only)."""
        found = set(self._by_key)
        for scenario in self.scenarios:
            found |= scenario._by_key.keys()
        return found

    def rekeyed(self, prefix: str) -> "Inventory":
        """The same input with every key, and every reference to one of its keys, prefixed.

        Two inputs may use the same keys (two plans with ``aws_s3_bucket.this``, two
        templates with a ``Vpc``); the later one is re-keyed so both stay distinct.
        Addresses (``prov.address``), names and tags are untouched, so reports still show
        the plain address beside the file.
        """
        mapping = {key: prefix + key for key in self.keys()}
        done: dict[int, Resource] = {}  # scenarios share resource objects: rewrite each once

        def rekey_all(inventory: "Inventory") -> "Inventory":
            for resource in inventory.resources:
                if id(resource) not in done:
                    done[id(resource)] = rekey(resource, mapping)
            return inventory.copy(done[id(resource)] for resource in inventory.resources)

        top = rekey_all(self)
        top.scenarios = [rekey_all(scenario) for scenario in self.scenarios]
        return top

    def copy(self, resources: Iterable[Resource] | None = None) -> "Inventory":
        """The same resources (which are immutable), or ``resources`` in their place, in a
        new inventory, without scenarios."""
        resources = self.resources if resources is None else resources
        copied = Inventory(resources=list(resources), inputs=list(self.inputs), gaps=list(self.gaps))
        copied.secrets |= self.secrets
        copied.scenario, copied.conditions = self.scenario, dict(self.conditions)
        copied.run_info = dict(self.run_info)
        return copied

    def address(self, key: Any) -> str:
        """How messages name the resource a key refers to: by its own address (a re-keyed
        input's resources keep theirs), with its file where another file has the same
        address; a reference to nothing in the inputs (an id, an ARN) as it is."""
        resource = self.get(key)
        if resource is None:
            return str(key)
        address, file = resource.prov.address, resource.prov.file
        if file and len(self.derived("files_by_address", _files_by_address).get(address, ())) > 1:
            return f"{address} in {file}"
        return address

    def get(self, key: str | None) -> Resource | None:
        if not isinstance(key, str):
            return None
        return self._by_key.get(key)

    def of_kind(self, kind: str | type[R]) -> list[R]:
        name = kind if isinstance(kind, str) else kind.KIND
        return self._by_kind.get(name, [])  # type: ignore[return-value]

    def kinds(self) -> set[str]:
        return {kind for kind, items in self._by_kind.items() if items}

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def derived(self, name: str, build: Any) -> Any:
        """A value computed once from the whole inventory (an index, the network graph).

        Rules use this instead of scanning all resources per resource; the cache is
        dropped whenever a resource is added.
        """
        if name not in self._derived:
            self._derived[name] = build(self)
        return self._derived[name]


def _files_by_address(inventory: Inventory) -> dict[str, set[str | None]]:
    found: dict[str, set[str | None]] = defaultdict(set)
    for resource in inventory.resources:
        found[resource.prov.address].add(resource.prov.file)
    return found
