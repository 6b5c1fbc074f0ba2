"""Capacity sanity: sizes within bounds, plausible changes, consistent settings.

These catch the extra zero (1000 GB instead of 100) and settings AWS would refuse at
apply time, before the apply. Bounds are parameters, usually set per environment.
"""
from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from fractions import Fraction
from fnmatch import fnmatchcase
from typing import Any, Callable

from stackproof.model import (
    AutoScalingGroup,
    BlockDevice,
    DbInstance,
    EbsVolume,
    ElastiCacheReplicationGroup,
    Instance,
    Inventory,
    LaunchConfiguration,
    LaunchTemplate,
    Resource,
)
from stackproof.rules import (
    Context,
    Verdict,
    failed,
    is_unknown,
    not_applicable,
    passed,
    unknown,
    unknown_field,
)


def _bound(ctx: Context) -> str:
    """How a message names the bound in force: the environment's, or the default."""
    return f"the {ctx.environment} bound" if ctx.environment else "the default bound (no environment)"


def _scope(ctx: Context) -> str:
    return f"environment {ctx.environment}" if ctx.environment else "the default (no environment)"


def _aurora_member(db: DbInstance) -> bool:
    return isinstance(db.cluster, str) or (isinstance(db.engine, str) and db.engine.startswith("aurora"))


def _size_of(resource: Resource) -> tuple[str, Any]:
    """(attribute name, GiB) of the storage size a capacity rule compares."""
    if isinstance(resource, DbInstance):
        return "allocated_storage", resource.allocated_storage
    assert isinstance(resource, EbsVolume)
    return "size", resource.size


# -- storage_size_within_bounds --------------------------------------------------------


def storage_size_within_bounds(resource: Resource, ctx: Context) -> Verdict:
    """RDS storage, EBS volume size and ElastiCache node type within the environment's bounds."""
    if isinstance(resource, ElastiCacheReplicationGroup):
        return _node_type_allowed(resource, ctx)
    if isinstance(resource, DbInstance) and _aurora_member(resource):
        return not_applicable("an Aurora member; Aurora storage grows with the cluster volume")
    if isinstance(resource, (Instance, LaunchTemplate, LaunchConfiguration)):
        return _devices_within_bound(resource, ctx)
    name, size = _size_of(resource)
    bound = ctx.params.get("max_rds_storage_gb" if isinstance(resource, DbInstance) else "max_ebs_volume_gb")
    if is_unknown(size):
        return unknown_field(name, size)
    if size is None:
        source = "a snapshot or the source database" if isinstance(resource, DbInstance) else "its snapshot"
        return unknown(f"{name} is not set (it comes from {source})")
    if bound is None:
        return passed(f"{name} {size} GB; no bound is set for {_scope(ctx)}")
    if size > bound:
        return failed(f"{name} {size} GB exceeds {_bound(ctx)} of {bound} GB", size_gb=size, bound_gb=bound)
    return passed(f"{name} {size} GB within {_bound(ctx)} of {bound} GB", size_gb=size, bound_gb=bound)


def _devices_within_bound(resource: Instance | LaunchTemplate | LaunchConfiguration, ctx: Context) -> Verdict:
    """The EBS block devices that state a volume_size; the others take their AMI's or
    snapshot's size, which is not a number this configuration chose."""
    devices = resource.block_devices
    if is_unknown(devices):
        return unknown_field("block devices", devices)
    ebs = [d for d in devices if not d.ephemeral]
    if not ebs and isinstance(resource, Instance) and isinstance(resource.launch_template, str):
        return not_applicable("its volumes come from the launch template, checked there")
    pending = next((d for d in ebs if is_unknown(d.volume_size)), None)
    sized = [d for d in ebs if isinstance(d.volume_size, int)]
    if not sized and pending is None:
        return not_applicable("no EBS block device states a volume_size; the AMI or snapshot decides the sizes")
    bound = ctx.params.get("max_ebs_volume_gb")
    if bound is None:
        return passed(f"{len(sized)} block device size(s) stated; no bound is set for {_scope(ctx)}")
    over = [f"{_name(d)} {d.volume_size} GB" for d in sized if d.volume_size > bound]
    if over:
        return failed(f"{', '.join(over)} exceed(s) {_bound(ctx)} of {bound} GB", bound_gb=bound)
    if pending is not None:
        return unknown(f"{_name(pending)}: volume_size is unknown: {pending.volume_size.reason}")
    shown = ", ".join(f"{_name(d)} {d.volume_size} GB" for d in sized)
    return passed(f"{shown} within {_bound(ctx)} of {bound} GB", bound_gb=bound)


def _node_type_allowed(group: ElastiCacheReplicationGroup, ctx: Context) -> Verdict:
    node_type = group.node_type
    allowed = list(ctx.params.get("allowed_cache_node_types") or [])
    if is_unknown(node_type):
        return unknown_field("node_type", node_type)
    if not allowed:
        return passed(f"node type {node_type}; {_scope(ctx)} allows any node type")
    if isinstance(node_type, str) and any(fnmatchcase(node_type, pattern) for pattern in allowed):
        return passed(f"node type {node_type} allowed by {_bound(ctx)}")
    return failed(f"node type {node_type} is not allowed by {_bound(ctx)} ({', '.join(allowed)})", allowed=allowed)


# -- storage_change_within_ratio -------------------------------------------------------


def storage_change_within_ratio(resource: Resource, ctx: Context) -> Verdict:
    """A planned size change neither shrinks nor grows by more than max_growth / max_growth_gb."""
    if isinstance(resource, DbInstance) and _aurora_member(resource):
        return not_applicable("an Aurora member; Aurora storage grows with the cluster volume")
    before = resource.before
    if before is None:
        if resource.prov.action == "create":
            return not_applicable("created by this change; there is no earlier size")
        return not_applicable("the input carries no earlier state to compare with (only plans and change sets do)")
    name, after_size = _size_of(resource)
    _, before_size = _size_of(before)
    for label, value in (("planned", after_size), ("current", before_size)):
        if is_unknown(value):
            return unknown(f"the {label} {name} is unknown: {value.reason}")
    if after_size is None or before_size is None:
        return unknown(f"{name} is not set on one side of the change ({before_size} -> {after_size})")
    change = f"{name} {before_size} -> {after_size} GB"
    if after_size == before_size:
        return passed(f"{name} unchanged at {after_size} GB")
    evidence = {"before_gb": before_size, "after_gb": after_size}
    max_growth = float(ctx.params.get("max_growth", 3))
    max_growth_gb = ctx.params.get("max_growth_gb")
    if before_size <= 0:
        return _growth_from_nothing(change, after_size, max_growth_gb, evidence)
    ratio = after_size / before_size
    if after_size < before_size:
        cannot = "RDS cannot shrink storage" if isinstance(resource, DbInstance) else "EBS volumes cannot shrink"
        return failed(f"{change} ({_times(ratio)}): {cannot}, so the apply fails or replaces the resource",
                      **evidence)
    if ratio > max_growth:
        return failed(f"{change} ({_times(ratio)}), more than the x{max_growth:g} allowed", **evidence)
    if max_growth_gb is not None and after_size - before_size > max_growth_gb:
        return failed(f"{change} (+{after_size - before_size} GB), more than the +{max_growth_gb} GB allowed",
                      **evidence)
    return passed(f"{change} ({_times(ratio)}), within x{max_growth:g}", **evidence)


def _growth_from_nothing(change: str, after_size: int, max_growth_gb: Any, evidence: dict[str, Any]) -> Verdict:
    """From 0 GB no ratio means anything; only the absolute limit applies."""
    if max_growth_gb is None:
        return passed(f"{change}: growth from nothing, where no ratio applies and no max_growth_gb is set",
                      **evidence)
    if after_size > max_growth_gb:
        return failed(f"{change}: growth from nothing (+{after_size} GB), more than the +{max_growth_gb} GB "
                      "allowed", **evidence)
    return passed(f"{change}: growth from nothing (+{after_size} GB), within +{max_growth_gb} GB", **evidence)


def _times(ratio: float) -> str:
    return f"x{ratio:.2f}".rstrip("0").rstrip(".") if ratio != int(ratio) else f"x{int(ratio)}"


# -- autoscaling_group_capacity_consistent ---------------------------------------------


def autoscaling_group_capacity_consistent(group: AutoScalingGroup, ctx: Context) -> Verdict:
    """min_size <= desired_capacity <= max_size, and max_size within the environment's bound."""
    low, want, high = group.min_size, group.desired_capacity, group.max_size
    bound = ctx.params.get("max_instances")
    problems = []
    if isinstance(low, int) and isinstance(high, int) and low > high:
        problems.append(f"min_size {low} > max_size {high}")
    if isinstance(want, int) and isinstance(high, int) and want > high:
        problems.append(f"desired_capacity {want} > max_size {high}")
    if isinstance(want, int) and isinstance(low, int) and want < low:
        problems.append(f"desired_capacity {want} < min_size {low}")
    if isinstance(high, int) and bound is not None and high > bound:
        problems.append(f"max_size {high} exceeds {_bound(ctx)} of {bound} instances")
    if problems:
        return failed("; ".join(problems), min_size=low, desired_capacity=want, max_size=high)
    for name, value in (("min_size", low), ("max_size", high), ("desired_capacity", want)):
        if is_unknown(value):
            return unknown_field(name, value)
    if low is None or high is None:
        return unknown("min_size or max_size is not stated")
    shown = f"min {low} <= desired {want} <= max {high}" if want is not None else f"min {low} <= max {high}"
    limit = f", within {_bound(ctx)} of {bound}" if bound is not None else ""
    return passed(shown + limit)


# -- rds_instance_storage_autoscaling_consistent ---------------------------------------


def rds_instance_storage_autoscaling_consistent(db: DbInstance, ctx: Context) -> Verdict:
    """max_allocated_storage, when set, is above allocated_storage by at least min_headroom_percent."""
    if _aurora_member(db):
        return not_applicable("an Aurora member; Aurora storage grows with the cluster volume")
    ceiling, size = db.max_allocated_storage, db.allocated_storage
    if is_unknown(ceiling):
        return unknown_field("max_allocated_storage", ceiling)
    if not ceiling:
        return not_applicable("storage autoscaling is off (max_allocated_storage not set)")
    if is_unknown(size):
        return unknown_field("allocated_storage", size)
    if size is None:
        return unknown("allocated_storage is not set (it comes from a snapshot or the source database)")
    headroom = Fraction(str(ctx.params.get("min_headroom_percent", 10)))
    needed = math.ceil(size * (100 + headroom) / 100)  # exact: 100 GB + 10% is 110, not 110.00000000000001
    if ceiling < size:
        return failed(f"max_allocated_storage {ceiling} GB is below allocated_storage {size} GB")
    if ceiling < needed:
        return failed(f"max_allocated_storage {ceiling} GB is less than {float(headroom):g}% above allocated_storage "
                      f"{size} GB; RDS refuses a threshold below {needed} GB")
    return passed(f"storage autoscaling from {size} GB up to {ceiling} GB")


# -- ebs_volume_iops_consistent --------------------------------------------------------


def _device_check(size: Any, vtype: Any, iops: Any, throughput: Any, limits: dict[str, Any],
                  unsized: str, default_type: str | None = None) -> tuple[list[str], str | None]:
    """(what the volume type refuses, why the rest cannot be decided). Known facts are
    judged first, so a known violation fails even when another value is unknown."""
    if is_unknown(vtype):
        return [], f"type is unknown: {vtype.reason}"
    if vtype is None:
        if iops is None and throughput is None:
            return [], None  # nothing provisioned that a type could refuse
        if not default_type:
            return [], "no volume type is set, so the AMI's mapping decides which limits apply"
        vtype = default_type
    spec = limits.get(vtype)
    if spec is None:
        return [], f"volume type {vtype} is not in the policy's volume_types limits"
    problems: list[str] = []
    undecided: list[str] = []
    if isinstance(size, int) and not spec["min_size"] <= size <= spec["max_size"]:
        problems.append(f"{vtype} size {size} GiB outside {spec['min_size']}-{spec['max_size']} GiB")
    if is_unknown(iops):
        undecided.append(f"iops is unknown: {iops.reason}")
    elif iops is not None:
        if "max_iops" not in spec:
            if not _reported_baseline(iops, size, spec):
                problems.append(f"{vtype} does not take provisioned IOPS (iops {iops})")
        else:
            if not spec["min_iops"] <= iops <= spec["max_iops"]:
                problems.append(f"{vtype} iops {iops} outside {spec['min_iops']}-{spec['max_iops']}")
            _iops_for_size(iops, size, vtype, spec, unsized, problems, undecided)
    elif spec.get("iops_required"):
        problems.append(f"{vtype} requires provisioned IOPS, and none is set")
    if is_unknown(throughput):
        undecided.append(f"throughput is unknown: {throughput.reason}")
    elif throughput is not None:
        if "max_throughput" not in spec:
            problems.append(f"{vtype} does not take a throughput setting (throughput {throughput})")
        else:
            if not spec["min_throughput"] <= throughput <= spec["max_throughput"]:
                problems.append(f"{vtype} throughput {throughput} MiB/s outside "
                                f"{spec['min_throughput']}-{spec['max_throughput']} MiB/s")
            per_iops = spec.get("max_throughput_per_iops")
            effective_iops = spec.get("baseline_iops", spec.get("min_iops")) if iops is None else iops
            if per_iops and isinstance(effective_iops, int) and throughput > per_iops * effective_iops:
                problems.append(f"throughput {throughput} MiB/s exceeds {per_iops} MiB/s per IOPS x "
                                f"{effective_iops} IOPS = {per_iops * effective_iops:g} MiB/s")
    return problems, (undecided[0] if undecided else None)


def _reported_baseline(iops: int, size: Any, spec: dict[str, Any]) -> bool:
    """Whether `iops` is the baseline AWS reports for the volume (gp2: 3 IOPS per GiB, 100
    to 16000), read back from an existing volume rather than asked for."""
    reported = spec.get("reported_iops")
    if not reported or not isinstance(size, int):
        return False
    return iops == min(reported["max"], max(reported["min"], reported["per_gib"] * size))


def _iops_for_size(iops: int, size: Any, vtype: str, spec: dict[str, Any], unsized: str,
                   problems: list[str], undecided: list[str]) -> None:
    """IOPS above the type's baseline (gp3: 3000 at any size) are limited per GiB of size."""
    per_gib, baseline = spec["max_iops_per_gib"], spec.get("baseline_iops", 0)
    if isinstance(size, int):
        if iops > max(baseline, per_gib * size):
            ratio = f"{per_gib} IOPS/GiB x {size} GiB = {per_gib * size}"
            problems.append(f"iops {iops} exceeds {ratio}" if per_gib * size >= baseline else
                            f"iops {iops} exceeds the {baseline} baseline a {size} GiB {vtype} volume gets "
                            f"({ratio})")
        return
    if iops > max(baseline, per_gib * spec["min_size"]):  # would it fit even the smallest size?
        reason = f"size is unknown: {size.reason}" if is_unknown(size) else unsized
        undecided.append(f"{reason}, and iops {iops} needs at least {math.ceil(iops / per_gib)} GiB of {vtype}")


def ebs_volume_iops_consistent(resource: Resource, ctx: Context) -> Verdict:
    """Provisioned IOPS and throughput within what the volume type allows for its size."""
    limits = dict(ctx.params.get("volume_types") or {})
    if isinstance(resource, EbsVolume):
        problems, undecided = _device_check(
            resource.size, resource.volume_type, resource.iops, resource.throughput, limits,
            unsized="size is not set (it is the snapshot's)", default_type="gp2")  # CreateVolume's default
        if problems:
            return failed("; ".join(problems))
        if undecided:
            return unknown(undecided)
        size = f"{resource.size} GiB" if isinstance(resource.size, int) else "(size from its snapshot)"
        return passed(f"{resource.volume_type or 'gp2'} {size}{_perf(resource.iops, resource.throughput)} "
                      "is within the type's limits")
    assert isinstance(resource, (Instance, LaunchTemplate, LaunchConfiguration))
    devices = resource.block_devices
    if is_unknown(devices):
        return unknown_field("block devices", devices)
    ebs = [d for d in devices if not d.ephemeral]
    if not ebs:
        return not_applicable("declares no EBS block device")
    problems, undecided = [], None
    for device in ebs:
        found, reason = _device_check(device.volume_size, device.volume_type, device.iops, device.throughput,
                                      limits, unsized="volume_size is not set (it comes from the AMI or snapshot)")
        problems += [f"{_name(device)}: {p}" for p in found]
        undecided = undecided or (f"{_name(device)}: {reason}" if reason else None)
    if problems:
        return failed("; ".join(problems))
    if undecided:
        return unknown(undecided)
    return passed(f"{len(ebs)} EBS block device(s) within their type's limits")


def _name(device: BlockDevice) -> str:
    return device.device_name if isinstance(device.device_name, str) and device.device_name else "a volume"


def _perf(iops: Any, throughput: Any) -> str:
    parts = [f"{iops} IOPS" if iops else "", f"{throughput} MiB/s" if throughput else ""]
    shown = ", ".join(p for p in parts if p)
    return f" ({shown})" if shown else ""


# -- capacity_sibling_outlier ----------------------------------------------------------

_INDEX = re.compile(r"\[[^\]]*\]")
_TRAILING_NUMBER = re.compile(r"[-_.]?\d+[a-z]?$")


def _stem(text: str) -> str:
    """A name without its index or trailing number: db-1, db_2, db[3] -> db."""
    text = _INDEX.sub("", text.lower())
    return _TRAILING_NUMBER.sub("", text) or text


class _Group:
    """The known sizes of one group of siblings, sorted, for medians without one member."""

    def __init__(self, members: list[Resource]) -> None:
        self.members = members
        self.sizes = sorted(s for s in (_size_of(m)[1] for m in members) if isinstance(s, (int, float)))
        self.unsized = len(members) - len(self.sizes)  # siblings whose size is unknown or not set

    def median_bounds(self, size: float) -> tuple[float, float] | None:
        """The lowest and the highest median the other members' sizes can have (one
        occurrence of `size` removed; an unknown size may be anything), or None when no
        other member has a known size."""
        known, unsized = len(self.sizes) - 1, self.unsized
        if known < 1:
            return None
        skip = bisect.bisect_left(self.sizes, size)

        def other(i: int) -> float:
            return self.sizes[i if i < skip else i + 1]

        def median(at: Callable[[int], float]) -> float:
            n = known + unsized
            return at(n // 2) if n % 2 else (at(n // 2 - 1) + at(n // 2)) / 2

        return (median(lambda i: 0.0 if i < unsized else other(i - unsized)),
                median(lambda i: other(i) if i < known else math.inf))


def _sibling_groups(inventory: Inventory) -> dict[str, _Group]:
    """resource key -> its sibling group: same kind and address stem (a counted resource,
    module instances), else same kind and name stem (db-1, db-2); always of the same file
    (two plans of one module, for dev and prod, are not siblings of each other)."""
    by_address: dict[tuple[str, str | None, str], list[Resource]] = defaultdict(list)
    by_name: dict[tuple[str, str | None, str], list[Resource]] = defaultdict(list)
    for kind in (DbInstance.KIND, EbsVolume.KIND):
        for resource in inventory.of_kind(kind):
            if isinstance(resource, DbInstance) and _aurora_member(resource):
                continue
            by_address[(kind, resource.prov.file, _stem(resource.prov.address))].append(resource)
            if isinstance(resource.name, str) and resource.name:
                by_name[(kind, resource.prov.file, _stem(resource.name))].append(resource)
    groups: dict[str, _Group] = {}
    for members in by_name.values():
        if len(members) > 1:
            group = _Group(members)
            groups.update((m.key, group) for m in members)
    for members in by_address.values():
        if len(members) > 1:
            group = _Group(members)
            groups.update((m.key, group) for m in members)
    return groups


def capacity_sibling_outlier(resource: Resource, ctx: Context) -> Verdict:
    """A resource at least `factor` times the median size of its siblings (same kind and role)."""
    if isinstance(resource, DbInstance) and _aurora_member(resource):
        return not_applicable("an Aurora member; Aurora storage grows with the cluster volume")
    name, size = _size_of(resource)
    group = ctx.inventory.derived("capacity_sibling_groups", _sibling_groups).get(resource.key)
    if group is None:
        return not_applicable("no sibling of the same kind and name stem or module to compare with")
    if is_unknown(size):
        return unknown_field(name, size)
    if size is None:
        return unknown(f"{name} is not set, so it cannot be compared with its siblings")
    bounds = group.median_bounds(size)
    if bounds is None:
        return unknown(f"its {group.unsized} sibling(s) have no known size to compare with")
    low, high = bounds
    factor = float(ctx.params.get("factor", 5))
    others = len(group.members) - 1
    # With one sibling the median is that sibling's size: the larger of a pair is flagged.
    compared = f"the median {high:g} GB of its {others} siblings" if others > 1 else f"its only sibling's {high:g} GB"
    if 0 < high <= size / factor:
        return failed(f"{name} {size} GB is {size / high:.1f}x {compared} (flagged at x{factor:g})",
                      size_gb=size, median_gb=high)
    if low == high or size < factor * low:
        return passed(f"{name} {size} GB; {compared}" if low == high else
                      f"{name} {size} GB, under x{factor:g} of any median its siblings' sizes allow "
                      f"(at least {low:g} GB)", size_gb=size)
    spread = f"between {low:g} and {high:g} GB" if high != math.inf else f"at least {low:g} GB"
    return unknown(f"{group.unsized} sibling(s) have no known size, so the median of its {others} siblings may "
                   f"be anything {spread}: whether {size} GB is x{factor:g} of it is not known")
