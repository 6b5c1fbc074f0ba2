"""A value holding control characters (here an SSL policy name with a bell and a colour
escape, as a hostile or broken plan could) is shown as visible escapes in every
format: the JUnit file still parses, and no escape sequence reaches the terminal."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from fixtures.planbuilder import PlanBuilder, ref
from tests.reports.conftest import scan

POLICY = "ELBSecurityPolicy\x07\x1b[31mTLS13\x00"


def hostile_plan(tmp_path):
    b = PlanBuilder({"aws": "eu-west-2"})
    b.add("aws_lb.web", {"name": "web", "internal": False, "load_balancer_type": "application"})
    b.add("aws_lb_listener.web", {"load_balancer_arn": ref("aws_lb.web", "arn"), "port": 443, "protocol": "HTTPS",
                                  "ssl_policy": POLICY, "default_action": [{"type": "fixed-response"}]})
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(b.build()))
    return path


def test_control_characters_are_shown_as_escapes_in_every_format(tmp_path, capsys):
    out = tmp_path / "out"
    code = scan(hostile_plan(tmp_path), "--policy", "lb_listener_tls",
                "--format", "console,json,junit,sarif,markdown,html", "--output-dir", out)
    assert code == 1  # the policy name is not an allowed one
    printed = capsys.readouterr().out
    assert "\x1b" not in printed and "\x07" not in printed
    assert "ELBSecurityPolicy\\x07\\x1b[31mTLS13\\x00" in printed
    root = ET.parse(out / "results.junit.xml").getroot()  # parses: no character XML forbids
    [failure] = root.iter("failure")
    assert "ELBSecurityPolicy\\x07\\x1b[31mTLS13\\x00" in failure.get("message")
    for name in ("results.html", "results.md"):
        text = (out / name).read_text()
        assert not any(char in text for char in "\x00\x07\x1b"), name
    # JSON and SARIF keep the value exactly (JSON escapes it as \u001b)
    report = json.loads((out / "results.json").read_text())
    assert POLICY in report["results"][0]["message"]
    assert POLICY in json.loads((out / "results.sarif").read_text())["runs"][0]["results"][0]["message"]["text"]
