"""The policies of the pack: each wraps a pure rule from rules.py for CrossGuard."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

import rules

Rule = Callable[[Mapping[str, Any]], list[str]]


def _on(resource_type: str, rule: Rule) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type == resource_type:
            for message in rule(args.props):
                report_violation(message, None)

    return validate


StackRule = Callable[[list[tuple[str, Mapping[str, Any]]]], list[str]]


def _stack(rule: StackRule) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        for message in rule([(r.resource_type, r.props) for r in args.resources]):
            report_violation(message, None)

    return validate


def _rest_not_exposed(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type == rules.SERVICE:
        allowed = bool((args.get_config() or {}).get("allowExposedRest", False))
        for message in rules.rest_not_exposed(args.props, allowed):
            report_violation(message, None)


def _ha_in_production(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type == rules.CONFIG_MAP:
        for message in rules.ha_in_production(args.props):
            report_violation(message, None)


MANDATORY = EnforcementLevel.MANDATORY

POLICIES = [
    ResourceValidationPolicy(
        name="flink-resources-set",
        description="Every container requests CPU and memory, and its memory limit equals its request.",
        enforcement_level=MANDATORY,
        validate=_on(rules.DEPLOYMENT, rules.resources_set),
    ),
    ResourceValidationPolicy(
        name="restricted-security-context",
        description="Pods and containers meet Pod Security 'restricted' with a read-only root filesystem.",
        enforcement_level=MANDATORY,
        validate=_on(rules.DEPLOYMENT, rules.restricted_security_context),
    ),
    ResourceValidationPolicy(
        name="pinned-images",
        description="No 'latest' or untagged images.",
        enforcement_level=MANDATORY,
        validate=_on(rules.DEPLOYMENT, rules.pinned_images),
    ),
    ResourceValidationPolicy(
        name="flink-rest-not-exposed",
        description=(
            "Flink's unauthenticated HTTP endpoints (REST API, History Server, SQL Gateway) are not NodePort or "
            "LoadBalancer Services unless allowed by policy config."
        ),
        enforcement_level=MANDATORY,
        validate=_rest_not_exposed,
        config_schema=PolicyConfigSchema(
            properties={"allowExposedRest": {"type": "boolean", "default": False}},
        ),
    ),
    ResourceValidationPolicy(
        name="namespace-enforces-restricted",
        description="Namespaces enforce Pod Security 'restricted'.",
        enforcement_level=MANDATORY,
        validate=_on(rules.NAMESPACE, rules.namespace_restricted),
    ),
    StackValidationPolicy(
        name="flink-process-size-equals-limit",
        description="Flink's process size in config.yaml equals the container memory limit.",
        enforcement_level=MANDATORY,
        validate=_stack(rules.process_size_matches_limit),
    ),
    StackValidationPolicy(
        name="network-policy-selects-flink-pods",
        description="A NetworkPolicy selects every Flink pod.",
        enforcement_level=MANDATORY,
        validate=_stack(rules.network_policy_selects_flink_pods),
    ),
    ResourceValidationPolicy(
        name="ha-in-production",
        description="Advisory: clusters labelled environment production run JobManager high availability.",
        enforcement_level=EnforcementLevel.ADVISORY,
        validate=_ha_in_production,
    ),
    StackValidationPolicy(
        name="force-scale-down-in-production",
        description="Advisory: production clusters do not set taskManager.forceScaleDown (a scale-down may fail jobs over).",
        enforcement_level=EnforcementLevel.ADVISORY,
        validate=_stack(rules.force_scale_down_in_production),
    ),
]
