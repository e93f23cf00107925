"""Kubernetes' own syntax rules for names, label keys and values, and CIDRs.

The API server refuses an object that breaks them at apply time, long after a
preview looked fine (the OpenAPI schema only says "string"), so the settings check
them first. Each function returns what is wrong, or None.
"""

from __future__ import annotations

import ipaddress
import re

from components.model.limits import DNS_LABEL_MAX

_DNS_1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS_1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_LABEL_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


# Namespaces Kubernetes itself creates and runs.
SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})


def is_dns_label(name: str, max_length: int = DNS_LABEL_MAX) -> bool:
    """A DNS-1123 label: namespaces, and names that become part of other names."""
    return len(name) <= max_length and _DNS_1123_LABEL.fullmatch(name) is not None


def is_dns_1035_label(name: str, max_length: int = DNS_LABEL_MAX) -> bool:
    """A DNS-1035 label (starts with a letter): Service names."""
    return len(name) <= max_length and _DNS_1035_LABEL.fullmatch(name) is not None


def dns_subdomain_error(name: str) -> str | None:
    """A DNS-1123 subdomain: object names such as a Secret, a PriorityClass or an IngressClass."""
    if len(name) > 253 or not _DNS_SUBDOMAIN.fullmatch(name):
        return "is not a DNS subdomain: at most 253 lowercase letters, digits, '-' and '.', e.g. 'high-priority'"
    return None


def label_key_error(key: str) -> str | None:
    """A qualified name: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters."""
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix)):
        return "has a key prefix that is not a DNS subdomain (e.g. 'example.com/team')"
    if len(name) > 63 or not _LABEL_NAME.fullmatch(name):
        return "is not a valid key: at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric"
    return None


def label_value_error(value: str) -> str | None:
    if value and (len(value) > 63 or not _LABEL_NAME.fullmatch(value)):
        return "is not a valid label value: at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric"
    return None


def cidr_error(text: str) -> str | None:
    """What NetworkPolicy's ipBlock.cidr accepts (Go's net.ParseCIDR): an address and a prefix length."""
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return "is not a CIDR such as '10.0.0.0/8' or 'fd00::/8'"
    return None if "/" in text else "needs a prefix length, e.g. '10.0.0.0/8'"
