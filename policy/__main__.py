"""The flink-session policy pack: `pulumi preview --policy-pack policy` (policies in pack.py, rules in rules.py)."""

from pulumi_policy import EnforcementLevel, PolicyPack

from pack import POLICIES

PolicyPack(name="flink-session-policies", enforcement_level=EnforcementLevel.MANDATORY, policies=POLICIES)
