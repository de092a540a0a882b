"""Pure Jinja filters: names that obey each resource's rules, and value formatting."""

import hashlib
import json
import re

from jinja2.ext import Extension


def short_hash(text: str, length: int = 8) -> str:
    """A stable, lowercase hex digest: keeps shortened names unique and reproducible."""
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def dns_label(text: str, max_length: int = 63) -> str:
    """A DNS-1123 label that starts with a letter: lowercase letters, digits and '-'.

    Names longer than max_length keep their start and end with a short hash of the whole,
    so two long names that share a prefix still differ.
    """
    label = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    label = re.sub(r"^[^a-z]+", "", label) or "svc"
    if len(label) < 2:  # one-letter names are too short for most resource rules
        label += "-svc"
    if len(label) > max_length:
        label = label[: max_length - 5].rstrip("-") + "-" + short_hash(label, 4)
    return label


def bucket_name(*parts: str) -> str:
    """An S3/GCS bucket name (3-63 chars, lowercase, digits, '-'), unique per input."""
    name = dns_label("-".join(parts), 63)
    return name if len(name) >= 3 else name + "-" + short_hash(name, 4)


def gcp_id(text: str, min_length: int, max_length: int) -> str:
    """A GCP resource ID (project, service account, identity pool): a DNS label within the bounds."""
    label = dns_label(text, max_length)
    return label if len(label) >= min_length else f"{label}-{short_hash(label, min_length)}"[:max_length]


def gcp_project_id(slug: str) -> str:
    """The default project ID for a service: its slug, lengthened to GCP's 6-character minimum."""
    return gcp_id(str(slug).replace("google", "goog"), 6, 30)


def alphanumeric_name(*parts: str, max_length: int) -> str:
    """A name of lowercase letters and digits only that starts with a letter (Azure Container
    Registry: 5-50), shortened with a hash of the whole when too long."""
    joined = re.sub(r"[^a-z0-9]", "", "".join(parts).lower())
    joined = re.sub(r"^[^a-z]+", "", joined) or "svc"
    if len(joined) > max_length:
        joined = joined[: max_length - 8] + short_hash(joined, 8)
    return joined


def storage_account_name(*parts: str) -> str:
    """An Azure storage account name: 3-24 lowercase letters and digits, globally unique."""
    joined = re.sub(r"[^a-z0-9]", "", "".join(parts).lower())
    return joined[:16] + short_hash(joined, 8)


def to_hcl(value, indent: int = 0) -> str:
    """Format a Python value as an HCL expression (for tfvars and locals)."""
    pad = "  " * indent
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if value is None:
        return "null"
    if isinstance(value, str):
        # HCL string escapes match JSON's; template sequences must be doubled to stay literal
        return json.dumps(value).replace("${", "$${").replace("%{", "%%{")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_hcl(item, indent) for item in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        width = max(len(str(key)) for key in value)
        lines = [f"{pad}  {key!s:<{width}} = {to_hcl(item, indent + 1)}" for key, item in value.items()]
        return "{\n" + "\n".join(lines) + f"\n{pad}}}"
    raise TypeError(f"to_hcl cannot format {type(value).__name__}")


def to_json(value) -> str:
    """Compact, key-ordered JSON: the same answers always give the same bytes."""
    return json.dumps(value, sort_keys=True)


class FiltersExtension(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters.update(
            dns_label=dns_label,
            bucket_name=bucket_name,
            storage_account_name=storage_account_name,
            gcp_project_id=gcp_project_id,
            short_hash=short_hash,
            to_hcl=to_hcl,
            to_json_sorted=to_json,
        )
