"""Answer checks used by copier.yml validators.

Each returns "" for a good answer, or one line that names the field and the rule it breaks;
Copier shows that line and asks again (or exits non-zero for --data/--defaults).
"""

import ipaddress
import re

from jinja2.ext import Extension

from . import catalog

PROJECT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9 _-]*")
DNS_LABEL = re.compile(r"[a-z]([a-z0-9-]*[a-z0-9])?")
GITHUB_REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
MAX_ENVIRONMENTS = 6


def project_name_error(value) -> str:
    value = str(value)
    if not PROJECT_NAME.fullmatch(value) or len(value) > 60:
        return (
            "project_name: must start with a letter and use only letters, digits, spaces, '-' and '_', "
            "at most 60 characters"
        )
    return ""


def label_error(value, field: str, max_length: int, min_length: int = 2) -> str:
    value = str(value)
    if not (min_length <= len(value) <= max_length and DNS_LABEL.fullmatch(value)):
        return (
            f"{field}: must be a DNS label of {min_length}-{max_length} characters: lowercase letters, "
            "digits and '-', starting with a letter and not ending with '-'"
        )
    return ""


def repository_error(value) -> str:
    value = str(value)
    if not GITHUB_REPOSITORY.fullmatch(value) or value.endswith(("/.", "/..")):
        return "repository: must be OWNER/NAME as on GitHub, e.g. acme/payments-api (no spaces, no wildcards)"
    return ""


def email_error(value, field: str) -> str:
    if not EMAIL.fullmatch(str(value)) or len(str(value)) > 254:
        return f"{field}: must be one e-mail address, e.g. team-payments@example.com"
    return ""


def int_range_error(value, field: str, low: int, high: int) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return f"{field}: must be a whole number from {low} to {high}"
    return ""


def account_id_error(value) -> str:
    if not re.fullmatch(r"[0-9]{12}", str(value)):
        return "aws_account_id: must be exactly 12 digits"
    return ""


def region_error(value, cloud) -> str:
    if str(value) not in catalog.regions(str(cloud)):
        known = ", ".join(catalog.regions(str(cloud))[:6])
        return f"region: '{value}' is not a {cloud} region this template knows (e.g. {known}, ...)"
    return ""


def environments_error(value) -> str:
    rule = f"environments: must be a list of 1-{MAX_ENVIRONMENTS} unique lowercase DNS labels of at most 12 characters"
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_ENVIRONMENTS:
        return rule + "; the last one is production"
    for name in value:
        if not isinstance(name, str) or label_error(name, "", 12, 1):
            return f"{rule}; '{name}' is not one"
    if len(set(value)) != len(value):
        return f"{rule}; duplicates are not allowed"
    return ""


def network_cidr_error(value, environments) -> str:
    try:
        network = ipaddress.IPv4Network(str(value), strict=True)
    except ValueError as error:
        return f"network_cidr: must be an IPv4 network such as 10.40.0.0/14 ({error})"
    if not any(network.subnet_of(ipaddress.IPv4Network(block)) for block in catalog.PRIVATE_RANGES):
        return f"network_cidr: must lie inside a private range ({', '.join(catalog.PRIVATE_RANGES)})"
    count = len(environments) if isinstance(environments, list) and environments else 1
    largest = catalog.LARGEST_ENVIRONMENT_PREFIX - environment_slots(count).bit_length() + 1
    if network.prefixlen > largest:
        return (
            f"network_cidr: /{network.prefixlen} is too small for {count} environment(s); each needs at "
            f"least a /{catalog.LARGEST_ENVIRONMENT_PREFIX}, so use a /{largest} or larger"
        )
    return ""


def environment_slots(count: int) -> int:
    """Equal blocks the supernet is cut into: the next power of two >= count."""
    return 1 << max(count - 1, 0).bit_length()


class ValidationExtension(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters.update(
            project_name_error=project_name_error,
            label_error=label_error,
            repository_error=repository_error,
            email_error=email_error,
            int_range_error=int_range_error,
            account_id_error=account_id_error,
            region_error=region_error,
            environments_error=environments_error,
            network_cidr_error=network_cidr_error,
        )
