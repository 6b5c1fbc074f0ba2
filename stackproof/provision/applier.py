"""plan / apply / destroy: walk the blueprint, find each resource by the stack's tags,
and create, update or delete what differs.

Nothing is remembered between runs: every run finds the stack again in the account, so
a second apply (or a destroy) works from a fresh process, and an apply interrupted
half-way continues where it stopped. Besides what the spec describes, each run sweeps
the stack's regions for everything tagged with the stack: what the spec no longer
describes (an AZ fewer, the DR replica dropped) is listed by plan and removed by apply,
and destroy removes all of it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import InputError
from .aws import Aws
from .blueprint import Blueprint, Node
from .handlers import HANDLERS, declared
from .handlers.base import CannotUpdate, Found, Handler, Live, Op, Options, Scope
from .removal import ALIAS, KEY, KeysInUse, Removal, ordered
from .values import GetAtt, Param, Pending, Ref, SsmParameter, Sub, Zone, transform

# Error codes that mean "still in use by something being deleted": retried on delete.
IN_USE = frozenset({"DependencyViolation", "CacheSubnetGroupInUse", "InvalidCacheSubnetGroupState",
                    "InvalidDBSubnetGroupStateFault", "ResourceInUse", "ResourceInUseException"})
SIGNS = {"create": "+", "update": "~", "delete": "-", "keep": "=", "unchanged": "="}
NOT_IN_SPEC = "not in the spec"


@dataclass
class Action:
    verb: str  # create | update | delete | keep | unchanged
    node: Node
    changed: list[str] = field(default_factory=list)  # what changes, or why it is deleted or kept

    def line(self) -> str:
        node = self.node
        text = f"{SIGNS[self.verb]} {self.verb} {node.type} {node.title} [{node.logical_id}] in {node.region}"
        return text + (f": {'; '.join(self.changed)}" if self.changed else "")


@dataclass
class Summary:
    mode: str  # plan | apply | destroy
    actions: list[Action]

    def count(self, verb: str) -> int:
        return sum(1 for a in self.actions if a.verb == verb)

    @property
    def changes(self) -> list[Action]:
        return [a for a in self.actions if a.verb != "unchanged"]

    def text(self) -> str:
        created, updated, deleted = self.count("create"), self.count("update"), self.count("delete")
        kept, unchanged = self.count("keep"), self.count("unchanged")
        kept_text = f"; kept {kept} (see above)" if kept else ""
        if self.mode == "destroy":
            if not deleted and not kept:
                return "destroy: nothing of the stack was found"
            return f"destroy: deleted {deleted} resources{kept_text}"
        if not self.changes:
            return f"{self.mode}: no changes; all {unchanged} resources are up to date"
        if self.mode == "plan":
            keep = f", {kept} to keep (not in the spec)" if kept else ""
            return (f"plan: {created} to create, {updated} to update, {deleted} to delete{keep}, "
                    f"{unchanged} unchanged")
        return f"apply: created {created}, updated {updated}, deleted {deleted}, unchanged {unchanged}{kept_text}"


ActionHook = Callable[[Action], None]


class Applier:
    """Converges an account to a blueprint with boto3.

    ``out`` receives one line per action; ``on_action`` is called after each completed
    write (tests interrupt a run with it).
    """

    def __init__(self, blueprint: Blueprint, aws: Aws, out: Callable[[str], None] = print,
                 on_action: ActionHook | None = None, options: Options | None = None) -> None:
        self.blueprint = blueprint
        self.aws = aws
        self.out = out
        self.on_action = on_action
        self.options = options or Options()
        self.stack = blueprint.spec.name
        self.done = 0  # write actions completed in this run

    # -- the three commands --------------------------------------------------------

    def plan(self) -> Summary:
        """What apply would do. Calls only the read APIs the handlers declare."""
        self.aws.allowed = declared("reads")
        return self._converge(write=False)

    def apply(self) -> Summary:
        if self.blueprint.spec.certificate_arn is None:
            raise InputError(None, "apply needs --certificate-arn: the ARN of an ACM certificate in "
                                   f"{self.blueprint.spec.region} for the HTTPS listener")
        self.aws.allowed = declared("reads") | declared("writes")
        return self._converge(write=True)

    def destroy(self) -> Summary:
        """Delete everything tagged with the stack (and the untaggable parts the spec
        describes), dependants first, keeping data as removal.py says."""
        self.aws.allowed = declared("reads") | declared("writes")
        state: dict[str, Live] = {}
        found: list[Removal] = []
        for node in self.blueprint.ordered():
            if any(d not in state for d in node.dependencies()):
                continue  # what it hangs on is gone, so it cannot exist either
            op = self._op(node, state, pending_ok=False)
            live = self._call(op.where(), "find", HANDLERS[node.type].find, op)
            if live is not None:
                state[node.logical_id] = live
                found.append(Removal(op, live))
        return self._finish_removal("destroy", [], found + self._swept(state), write=True)

    # -- converging ----------------------------------------------------------------

    def _converge(self, write: bool) -> Summary:
        state: dict[str, Live] = {}
        actions: list[Action] = []
        prerequisites = {n.logical_id for n in self.blueprint.prerequisites}
        unseen: set[str] = set()  # nodes not looked for: what they hang on does not exist (yet)
        for node in [*self.blueprint.prerequisites, *self.blueprint.ordered()]:
            handler = HANDLERS[node.type]
            ready = all(d in state for d in node.dependencies())
            if not ready:
                unseen.add(node.logical_id)
            op = self._op(node, state, pending_ok=not ready)
            # A resource whose dependencies do not exist yet cannot exist either.
            live = self._call(op.where(), "find", handler.find, op) if ready else None
            if live is None:
                action = Action("create", node)
                self.out(action.line())
                if write:
                    live = self._call(op.where(), "create", handler.create, op)
                    self._finish(action, op)
            else:
                changed = handler.changes(op, live)
                action = Action("update" if changed else "unchanged", node, changed)
                if changed:
                    self.out(action.line())
                    if write:
                        live = self._update(handler, op, live, changed)
                        self._finish(action, op)
            if live is not None:
                state[node.logical_id] = live
            if action.verb != "unchanged" or node.logical_id not in prerequisites:
                actions.append(action)  # the account's roles count only when they are missing
        # What the spec describes but was not looked for is not known to be a stray.
        strays = [r for r in self._swept(state) if r.op.node.logical_id not in unseen]
        return self._finish_removal("apply" if write else "plan", actions, strays, write)

    # -- what the walk did not find ---------------------------------------------------

    def _swept(self, state: dict[str, Live]) -> list[Removal]:
        """Everything tagged with the stack that the walk of the blueprint did not find:
        what the spec does not describe, and (destroy) what it does but the walk could not
        reach (a bucket whose replication role is gone)."""
        nodes = {n.logical_id: n for n in self.blueprint}
        known = {(nodes[i].type, nodes[i].region, live.id) for i, live in state.items() if i in nodes}
        return [Removal(Op(f.node, {}, self.aws, self.stack, self.options), f.live, swept=True,
                        described=f.logical_id in nodes)
                for f in self._sweep() if (f.type, f.region, f.live.id) not in known]

    def _sweep(self) -> list[Found]:
        return [f for found in self._each_scope("tagged", "resources") for f in found]

    def _kept_before(self) -> list[tuple[str, str]]:
        return [pair for kept in self._each_scope("kept_before", "kept data") for pair in kept]

    def _each_scope(self, method: str, what: str) -> list[Any]:
        """handler.method(scope) for every handler and region of the stack."""
        spec = self.blueprint.spec
        answers = []
        for handler in HANDLERS.values():
            for region in [spec.region] if handler.account_wide else [spec.region, spec.dr_region]:
                where = f"looking for the stack's {handler.type} {what} in {region}"
                answers.append(self._call(where, "find", getattr(handler, method),
                                          Scope(self.aws, self.stack, region, self.options)))
        return answers

    # -- removing --------------------------------------------------------------------

    def _finish_removal(self, mode: str, actions: list[Action], removals: list[Removal], write: bool) -> Summary:
        failed = self._remove(removals, actions, write)
        summary = Summary(mode, actions)
        if failed:
            self.out(summary.text())
            titles = ", ".join(failed)
            raise InputError(None, f"{mode} incomplete: {len(failed)} resource(s) could not be deleted ({titles}); "
                                   f"see the messages above, then run {mode} again")
        return summary

    def _remove(self, removals: list[Removal], actions: list[Action], write: bool) -> list[str]:
        """Delete or keep each removal, dependants first; the titles of those that failed."""
        removals = ordered(removals, self.blueprint)
        in_use = KeysInUse(removals, self._kept_before)
        failed: dict[str, str] = {}  # logical id -> title
        for removal in removals:
            op, handler = removal.op, HANDLERS[removal.op.node.type]
            because = [] if removal.described else [NOT_IN_SPEC]
            reason = in_use.why_kept(removal) if op.node.type in (KEY, ALIAS) else handler.kept(op)
            action = (self._keep(removal, [*because, reason], in_use, write) if reason
                      else self._delete(removal, because, in_use, write, failed))
            if action is not None:
                actions.append(action)
        return list(failed.values())

    def _keep(self, removal: Removal, reasons: list[str], in_use: KeysInUse, write: bool) -> Action:
        """Keep it (marked as kept), and the keys its data is encrypted with."""
        op, handler = removal.op, HANDLERS[removal.op.node.type]
        action = Action("keep", op.node, reasons)
        self.out(action.line())
        what = f"{op.node.type.rsplit('::', 1)[-1].lower()} {op.node.title}"  # "bucket ref-assets-..."
        in_use.add({ref: what for ref in self._call(op.where(), "find", handler.keys_used, op, removal.live)})
        if write:
            self._call(op.where(), "keep", handler.retain, op, removal.live)
            self._finish(action, op)
        return action

    def _delete(self, removal: Removal, because: list[str], in_use: KeysInUse, write: bool,
                failed: dict[str, str]) -> Action | None:
        """Delete it (plan: say so); None when it failed, recorded in ``failed``."""
        op = removal.op
        action = Action("delete", op.node, because)
        self.out(action.line())
        if not write:
            return action
        # Something that depends on it is still there: try once, without waiting.
        held = any(n.logical_id in failed for n in self._dependants(op.node))
        try:
            self._call(op.where(), "delete", self._delete_when_free, removal, not held)
        except InputError as exc:
            failed[op.node.logical_id] = op.node.title
            self.out(f"  ! {exc}")
            return None
        in_use.add(op.kept_keys)  # what the deletion left (a final snapshot) keeps its key
        self._finish(action, op)
        return action

    def _dependants(self, node: Node) -> list[Node]:
        return [n for n in self.blueprint if node.logical_id in n.dependencies()]

    def _delete_when_free(self, removal: Removal, wait: bool = True) -> None:
        """Delete, retrying while AWS still counts something being deleted as using it
        (load balancer and cache interfaces linger for minutes after their owner goes)."""
        import time

        from .aws import WAIT, error_code

        op, live = removal.op, removal.live
        attempts = WAIT["MaxAttempts"] if wait else 1
        for attempt in range(attempts):
            try:
                return HANDLERS[op.node.type].delete(op, live)
            except Exception as exc:
                code = error_code(exc)
                if code not in IN_USE or attempt == attempts - 1:
                    # The call failed, but did the deletion? (A retried call whose first try
                    # succeeded, an answer lost on the way.) Look again before reporting it.
                    if self._gone(removal):
                        return None
                    raise
                if attempt == 0:
                    self.out(f"  waiting: {op.node.title} is still in use ({error_code(exc)})")
                time.sleep(WAIT["Delay"])

    def _gone(self, removal: Removal) -> bool:
        op, handler = removal.op, HANDLERS[removal.op.node.type]
        self.aws.forget()
        try:
            if removal.swept:  # no properties to find it by: sweep its type again
                swept = handler.tagged(Scope(self.aws, self.stack, op.region, self.options))
                return removal.live.id not in {f.live.id for f in swept}
            return handler.find(op) is None
        except Exception:  # noqa: BLE001 - cannot tell: report the original failure
            return False

    def _update(self, handler: Handler, op: Op, live: Live, changed: list[str]) -> Live:
        try:
            return self._call(op.where(), "update", handler.update, op, live, changed)
        except CannotUpdate as exc:
            raise InputError(op.where(), f"{', '.join(exc.fields)} cannot be changed in place; stackproof does not "
                                         "replace resources: destroy and apply again, or keep the old value "
                                         "in the spec") from None

    def _finish(self, action: Action, op: Op) -> None:
        self.done += 1
        for note in op.notes:
            self.out(f"  {note}")
        if self.on_action is not None:
            self.on_action(action)

    def _call(self, where: str, verb: str, fn: Callable[..., Any], *args: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, WaiterError
        from botocore.parsers import ResponseParserError

        after = (f"; {self.done} change(s) were made before this one, run the command again to continue"
                 if verb != "find" else "")
        if verb != "find":
            self.aws.forget()  # what was listed before a write may be stale after it
        try:
            return fn(*args)
        except NoCredentialsError:
            raise InputError(None, "no AWS credentials found: set AWS_PROFILE (or --aws-profile), or "
                                   "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role applies") from None
        except ResponseParserError:
            raise InputError(where, f"{verb} failed: the endpoint's answer is not an AWS response "
                                    f"(does it implement this operation?){after}") from None
        except (ClientError, WaiterError, BotoCoreError) as exc:
            raise InputError(where, f"{verb} failed: {_describe(exc)}{after}") from None

    # -- references ----------------------------------------------------------------

    def _op(self, node: Node, state: dict[str, Live], pending_ok: bool) -> Op:
        props = self._resolve(node, state, pending_ok)
        return Op(node, props, self.aws, self.stack, self.options)

    def _resolve(self, node: Node, state: dict[str, Live], pending_ok: bool) -> dict[str, Any]:
        spec = self.blueprint.spec

        def convert(marker: Any) -> Any:
            if isinstance(marker, Ref):
                live = state.get(marker.logical_id)
                return live.id if live else _pending(marker.logical_id)
            if isinstance(marker, GetAtt):
                live = state.get(marker.logical_id)
                return live.attrs[marker.attribute] if live else _pending(f"{marker.logical_id}.{marker.attribute}")
            if isinstance(marker, Zone):
                return self._zone(node, marker.index)
            if isinstance(marker, Sub):
                return self._sub(marker, node, state)
            if isinstance(marker, SsmParameter):
                return self._read(node, lambda: self.aws.ssm_parameter(node.region, marker.name))
            if isinstance(marker, Param):
                return spec.certificate_arn or Pending("--certificate-arn")
            raise TypeError(marker)

        def _pending(what: str) -> Any:
            if not pending_ok:
                raise RuntimeError(f"{node.logical_id}: {what} is not resolved")
            return Pending(what)

        return transform(node.props, convert)

    def _zone(self, node: Node, index: int) -> str:
        zones = self._read(node, lambda: self.aws.zones(node.region))
        if index >= len(zones):
            raise InputError(None, f"{node.region} has {len(zones)} available Availability Zones; the spec asks "
                                   f"for {index + 1}")
        return zones[index]

    def _sub(self, marker: Sub, node: Node, state: dict[str, Live]) -> Any:
        values: dict[str, Any] = {}
        for name in marker.names():
            if name == "AWS::AccountId":
                values[name] = self._read(node, self.aws.account_id)
            elif name == "AWS::Region":
                values[name] = node.region
            elif name == "AWS::Partition":
                values[name] = "aws"
            else:
                logical_id, _, attribute = name.partition(".")
                live = state.get(logical_id)
                if live is None:
                    return Pending(marker.text)
                values[name] = live.attrs[attribute] if attribute else live.id
        text = marker.text
        for name, value in values.items():
            text = text.replace("${" + name + "}", str(value))
        return text

    def _read(self, node: Node, fn: Callable[[], Any]) -> Any:
        op = Op(node, {}, self.aws, self.stack, self.options)
        return self._call(op.where(), "find", fn)



def _describe(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        error = response["Error"]
        operation = getattr(exc, "operation_name", "")
        return f"{operation}: {error.get('Code')}: {error.get('Message')}".lstrip(": ")
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
