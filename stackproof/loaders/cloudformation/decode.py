"""Template text -> values that remember their line.

cfn-lint's decoder is the reference: it understands the short-form tags (``!Ref``,
``!GetAtt X.Arn``, ``!Sub``...), reads JSON and YAML, and gives every mapping, list and
string a line. But importing cfn-lint takes about a second, and its loader builds a
marked node for every value: most of a scan's time for a small template, seconds for a
large one (benchmarks/bench_template.py). So a template is first read by a fast reader
that gives the same values, with lines on mapping keys (resources, properties): the
standard library's json for JSON, PyYAML's C loader with cfn-lint's short-form tag
rules for YAML. When that reader stops, or when the loader finds a mistake in what it
read, the template is read again with cfn-lint's decoder (``exact=True``), which names
the line. tests/cloudformation/test_decode_property.py and test_corpus.py check that
both readers give the same values and resource lines.

Two changes to cfn-lint's loader for speed: its duplicate-key check compares each key
with every earlier one (quadratic in the number of resources), replaced by a dictionary
lookup that reports the same error; and the cyclic garbage collector is paused while
the tree is built (hundreds of thousands of objects, no cycles).
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Any, Iterator

from ...errors import InputError


def line_of(node: Any) -> int | None:
    """1-based line of a decoded node, or None (plain values from a transform)."""
    mark = getattr(node, "start_mark", None)
    line = getattr(mark, "line", None)
    return line + 1 if isinstance(line, int) else None


def key_line(mapping: dict[str, Any], name: str) -> int | None:
    """The line of the key ``name`` of a decoded mapping."""
    for key in mapping:
        if key == name:
            return line_of(key)
    return None


@contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def decode_template(text: str, where: str, exact: bool = False) -> dict[str, Any]:
    """The template, or an InputError that says what is wrong and on which line.

    Without ``exact``, the fast reader first (see above); with it, or when the fast
    reader stops, cfn-lint's decoder.
    """
    if not exact:
        with _gc_paused():
            fast = _decode_json_fast(text) if text.lstrip().startswith("{") else _decode_yaml_fast(text)
        if isinstance(fast, dict):
            return _checked(fast, where)
    from yaml import YAMLError
    from yaml.scanner import ScannerError

    from cfnlint.decode import cfn_json, cfn_yaml

    loader_class = _loader_class()
    try:
        with _gc_paused():
            loader = loader_class(text, where)
            loader.add_multi_constructor("!", cfn_yaml.multi_constructor)
            template = loader.get_single_data()
    except cfn_yaml.CfnParseError as exc:
        match = exc.matches[0]
        raise InputError(where, f"invalid template: {match.message}", match.linenumber or None) from None
    except ScannerError as exc:
        if text.lstrip().startswith("{"):
            # JSON that is not YAML (tabs, escaped surrogate pairs): cfn-lint's JSON decoder.
            return _decode_json(text, where, cfn_json)
        raise InputError(where, f"invalid YAML: {_problem(exc)}", _problem_line(exc)) from None
    except YAMLError as exc:
        raise InputError(where, f"invalid YAML: {_problem(exc)}", _problem_line(exc)) from None
    except RecursionError:
        raise InputError(where, "invalid template: nested too deeply") from None
    except (ValueError, TypeError) as exc:  # e.g. a malformed !GetAtt
        raise InputError(where, f"invalid template: {exc}") from None
    return _checked(template, where)


class _Mark:
    __slots__ = ("line",)

    def __init__(self, line: int) -> None:
        self.line = line  # 0-based, as YAML marks


class _Key(str):
    """A mapping key that remembers its line (what cfn-lint's str_node does)."""

    start_mark: _Mark


def is_exact(template: Any) -> bool:
    """Whether the template was decoded with a line for every node (cfn-lint's decoder)."""
    return getattr(template, "start_mark", None) is not None


def _decode_json_fast(text: str) -> dict[str, Any] | None:
    """A JSON template with the standard library, each resource key carrying its line;
    None when anything is unusual (the exact decoder then reads it and names the problem)."""
    import bisect
    import json
    import re
    from json.decoder import scanstring

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found = dict(pairs)
        if len(found) != len(pairs):
            raise ValueError("duplicate key")
        return found

    decoder = json.JSONDecoder(object_pairs_hook=unique)
    space = re.compile(r"\s*")
    newlines = [m.start() for m in re.finditer("\n", text)]

    def key_at(position: int) -> tuple[str, int]:
        position = space.match(text, position).end()
        if text[position] != '"':
            raise ValueError("expected a key")
        return scanstring(text, position + 1)

    def colon(position: int) -> int:
        position = space.match(text, position).end()
        if text[position] != ":":
            raise ValueError("expected ':'")
        return space.match(text, position + 1).end()

    def members(position: int, on_key: Any) -> tuple[dict[str, Any], int]:
        """The object at ``position`` ('{'), reading each value with ``on_key``."""
        found: dict[str, Any] = {}
        position = space.match(text, position + 1).end()
        if text[position] == "}":
            return found, position + 1
        while True:
            start = space.match(text, position).end()
            name, position = key_at(start)
            if name in found:
                raise ValueError("duplicate key")
            key, value, position = on_key(name, start, colon(position))
            found[key] = value
            position = space.match(text, position).end()
            if text[position] == "}":
                return found, position + 1
            if text[position] != ",":
                raise ValueError("expected ',' or '}'")
            position += 1

    def plain(name: str, start: int, position: int) -> tuple[str, Any, int]:
        value, end = decoder.raw_decode(text, position)
        return name, value, end

    def resource(name: str, start: int, position: int) -> tuple[str, Any, int]:
        key = _Key(name)
        key.start_mark = _Mark(bisect.bisect_left(newlines, start))
        value, end = decoder.raw_decode(text, position)
        return key, value, end

    def section(name: str, start: int, position: int) -> tuple[str, Any, int]:
        if name == "Resources" and text[position] == "{":
            value, end = members(position, resource)
            return name, value, end
        return plain(name, start, position)

    try:
        start = space.match(text).end()
        if text[start] != "{":
            return None
        template, end = members(start, section)
        if text[end:].strip():
            return None
    except (ValueError, IndexError, RecursionError):
        return None
    return template


_FAST_YAML: Any = None


def _decode_yaml_fast(text: str) -> Any:
    """YAML with PyYAML's C loader and cfn-lint's short-form tag rules; every string key
    remembers its line. None when anything is unusual (duplicate or null keys, a syntax
    error, a tag of an unknown form): cfn-lint's decoder then names the problem."""
    global _FAST_YAML
    import yaml

    if _FAST_YAML is None:
        _FAST_YAML = _fast_yaml_loader(yaml)
    try:
        return yaml.load(text, Loader=_FAST_YAML)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return None


def _fast_yaml_loader(yaml: Any) -> Any:
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    tags: dict[tuple[str, bool], str] = {}
    # cfn-lint's multi_constructor: these keep their name, every other tag is Fn::<tag>
    unconverted = {"Ref", "Condition"}

    class Loader(base):  # type: ignore[misc, valid-type]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is yaml.ScalarNode and implicit[0]:
                key = (value, implicit[1])
                tag = tags.get(key)
                if tag is None:
                    tag = tags[key] = super().resolve(kind, value, implicit)
                return tag
            return super().resolve(kind, value, implicit)

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            self.flatten_mapping(node)
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key is None or key in mapping:
                    raise ValueError("a null or duplicate key")
                if isinstance(key, str):
                    key = _Key(key)
                    key.start_mark = _Mark(key_node.start_mark.line)
                mapping[key] = self.construct_object(value_node, deep=deep)
            return mapping

    def function(loader: Any, suffix: str, node: Any) -> Any:
        name = suffix if suffix in unconverted else f"Fn::{suffix}"
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if name == "Fn::GetAtt":
                return {name: value.split(".", 1)}
            return {name: value}
        if isinstance(node, yaml.SequenceNode):
            if name == "Fn::GetAtt" and any(isinstance(v, tuple) for v in node.value):
                raise ValueError("an unusual !GetAtt")
            return {name: loader.construct_sequence(node, deep=True)}
        if isinstance(node, yaml.MappingNode):
            return {name: loader.construct_mapping(node, deep=True)}
        raise ValueError("a tag of an unknown form")

    def mapping(loader: Any, node: Any) -> Any:
        return loader.construct_mapping(node, deep=True)

    Loader.add_constructor("tag:yaml.org,2002:map", mapping)
    Loader.add_multi_constructor("!", function)
    return Loader


def _decode_json(text: str, where: str, cfn_json: Any) -> dict[str, Any]:
    try:
        with _gc_paused():
            template = cfn_json.loads(text)
    except cfn_json.JSONDecodeError as exc:
        raise InputError(where, f"not valid JSON: {exc.msg}", exc.lineno) from None
    except ValueError as exc:
        raise InputError(where, f"not valid JSON: {exc}") from None
    return _checked(template, where)


def _checked(template: Any, where: str) -> dict[str, Any]:
    if not isinstance(template, dict):
        if template is None:
            raise InputError(where, "not a CloudFormation template: the document is empty")
        raise InputError(where, f"not a CloudFormation template: the top level is {_kind(template)}, where a "
                                "template must be a mapping (a YAML or JSON object)", line_of(template) or 1)
    if "Resources" not in template:
        raise InputError(where, "not a CloudFormation template: it has no Resources section", 1)
    resources = template["Resources"]
    if isinstance(resources, dict) and not resources:
        line = key_line(template, "Resources") or line_of(resources)
        raise InputError(where, "the Resources section is empty: a template must declare at least one resource",
                         line)
    return template


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (str, bytes)):
        return "a string"
    return f"a {type(value).__name__}"


def _problem(exc: Any) -> str:
    """The parser's problem, and where the construct it was reading began."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context, mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and mark is not None:
        problem += f" ({context} that starts on line {mark.line + 1})"
    return problem


def _problem_line(exc: Any) -> int | None:
    """The line of the problem; where the parser ran to the end of the text (an unclosed
    quote), the line where the unclosed construct starts."""
    problem, context = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    at_end = "end of stream" in str(getattr(exc, "problem", "") or "")
    mark = context if (at_end and context is not None) or problem is None else problem
    return mark.line + 1 if mark is not None else None


_LOADER: Any = None


def _loader_class() -> Any:
    """cfn-lint's CfnFullLoader with a linear duplicate-key check (built once)."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    from cfnlint.decode import cfn_yaml
    from cfnlint.decode.node import dict_node
    from yaml import ScalarNode

    tags: dict[tuple[str, bool], str] = {}

    class Loader(cfn_yaml.CfnFullLoader):
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            # The implicit tag of a plain scalar depends on its text only: templates
            # repeat the same words thousands of times, so remember each answer.
            if kind is ScalarNode and implicit[0]:
                key = (value, implicit[1])
                tag = tags.get(key)
                if tag is None:
                    tag = tags[key] = super().resolve(kind, value, implicit)
                return tag
            return super().resolve(kind, value, implicit)

        def construct_yaml_map(self, node: Any) -> Any:
            self.flatten_mapping(node)
            mapping: dict[Any, Any] = {}
            merged = getattr(node, "using_merge", False)
            for key_node, value_node in node.value:
                key = self.construct_object(key_node, False)
                if key is None:
                    raise InputError(self.filename, f"invalid template: a null key {key_node.value!r}",
                                     key_node.start_mark.line + 1)
                try:
                    duplicate = key in mapping
                except TypeError:
                    raise InputError(self.filename, f"invalid template: a key that is a {type(key).__name__}",
                                     key_node.start_mark.line + 1) from None
                if duplicate and not merged:
                    raise InputError(self.filename, f"invalid template: duplicate key {key!r} (first on line "
                                     f"{line_of(next(k for k in mapping if k == key))})",
                                     key_node.start_mark.line + 1)
                mapping[key] = self.construct_object(value_node, False)
            return dict_node(mapping, node.start_mark, node.end_mark, merged)

    Loader.add_constructor("tag:yaml.org,2002:map", Loader.construct_yaml_map)
    _LOADER = Loader
    return Loader
