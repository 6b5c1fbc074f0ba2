"""The fast readers against cfn-lint's exact decoder: the same values, the same resource
lines, on generated JSON templates whatever the layout, and on every template of the corpus."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackproof.errors import InputError
from stackproof.loaders.cloudformation.decode import decode_template, is_exact, line_of
from tests.conftest import CORPUS

NAMES = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
# Floats without an exponent: YAML 1.1 (cfn-lint reads JSON as YAML first) reads 1e-05 as a string.
SCALARS = st.one_of(st.integers(-10**6, 10**6), st.booleans(), st.text(max_size=20), st.none(),
                    st.integers(-10**6, 10**6).map(lambda n: n / 4))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(NAMES, inner, max_size=4)), max_leaves=12)
RESOURCE = st.fixed_dictionaries({"Type": st.just("AWS::SQS::Queue"),
                                  "Properties": st.dictionaries(NAMES, VALUES, max_size=4)})
TEMPLATES = st.fixed_dictionaries({"Resources": st.dictionaries(NAMES, RESOURCE, min_size=1, max_size=6)},
                                  optional={"Description": st.text(max_size=30),
                                            "Parameters": st.dictionaries(NAMES, st.just({"Type": "String"}),
                                                                          max_size=3)})


@settings(max_examples=150, deadline=None)
@given(template=TEMPLATES, indent=st.sampled_from([None, 0, 1, 2, 4, "\t"]),
       separators=st.sampled_from([None, (",", ":"), (", ", " : ")]))
def test_fast_json_reader_agrees_with_the_exact_decoder(template, indent, separators):
    text = json.dumps(template, indent=indent, separators=separators)
    fast = decode_template(text, "t.json")
    exact = decode_template(text, "t.json", exact=True)
    assert not is_exact(fast) and is_exact(exact)
    assert json.loads(json.dumps(fast)) == json.loads(json.dumps(exact)) == template
    fast_lines = {str(k): line_of(k) for k in fast["Resources"]}
    exact_lines = {str(k): line_of(k) for k in exact["Resources"]}
    assert fast_lines == exact_lines


def _corpus_templates():
    if not CORPUS.is_dir():
        return []
    manifest = json.loads((CORPUS / "manifest.json").read_text())
    return [e["file"] for e in manifest if e["kind"] == "cfn"]


def _comparable(value):
    return json.loads(json.dumps(value, default=str))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
@pytest.mark.parametrize("name", _corpus_templates())
def test_fast_readers_agree_with_the_exact_decoder_on_the_corpus(name):
    text = (CORPUS / name).read_text(encoding="utf-8-sig")
    try:
        exact = decode_template(text, name, exact=True)
    except InputError as refused:
        with pytest.raises(InputError) as also:  # the fast reader hands it over and gets the same refusal
            decode_template(text, name)
        assert str(also.value) == str(refused)
        return
    fast = decode_template(text, name)
    assert _comparable(fast) == _comparable(exact)
    assert [line_of(k) for k in fast["Resources"]] == [line_of(k) for k in exact["Resources"]]
