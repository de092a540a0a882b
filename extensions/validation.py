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
# One segment of a GitLab project path: a group, subgroup or project
GITLAB_SEGMENT = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,253}[A-Za-z0-9_-])?")
GITLAB_MAX_DEPTH = 20  # a top-level group, at most 20 levels of subgroups in all, then the project
HOSTNAME = re.compile(r"(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
MAX_ENVIRONMENTS = 6
MAX_CERTIFICATE_NAME = 63


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


def repository_error(value, ci="github") -> str:
    """The repository in the form the CI platform's identity tokens name it."""
    value = str(value)
    if ci == "gitlab":
        segments = value.split("/")
        if (
            not 2 <= len(segments) <= GITLAB_MAX_DEPTH + 1
            or not all(GITLAB_SEGMENT.fullmatch(s) for s in segments)
            or value.endswith((".git", ".atom"))
        ):
            return (
                "repository: must be the GitLab project path GROUP/[SUBGROUP/...]PROJECT, e.g. acme/payments/api "
                "(letters, digits, '_', '-', '.'; no spaces, no wildcards)"
            )
        return ""
    if not GITHUB_REPOSITORY.fullmatch(value) or value.endswith(("/.", "/..")):
        return "repository: must be OWNER/NAME as on GitHub, e.g. acme/payments-api (no spaces, no wildcards)"
    return ""


def hostname_error(value, field: str) -> str:
    if not HOSTNAME.fullmatch(str(value)):
        return f"{field}: must be a host name such as gitlab.example.com (lowercase, no scheme, port or path)"
    return ""


def uuid_error(value, field: str, what: str) -> str:
    value = str(value)
    if not UUID.fullmatch(value) or set(value) <= {"0", "-"}:
        return f"{field}: must be the {what}, a UUID such as 3f2a8c1e-0b6d-4e7f-9a51-2c4d6e8f0a1b (lowercase)"
    return ""


def uuid_list_error(value, field: str, what: str, most: int) -> str:
    if not isinstance(value, list) or not 1 <= len(value) <= most or len(set(map(str, value))) != len(value):
        return f"{field}: must be a list of 1-{most} different {what}"
    return next((uuid_error(item, field, f"{what}, each") for item in value if uuid_error(item, field, what)), "")


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


def gcp_project_id_error(value) -> str:
    text = str(value)
    if not re.fullmatch(r"[a-z][a-z0-9-]{4,28}[a-z0-9]", text) or "google" in text:
        return (
            "gcp_project_id: must be 6-30 lowercase letters, digits and '-', start with a letter, "
            "not end with '-' and not contain 'google'"
        )
    return ""


def gcp_project_number_error(value) -> str:
    if not re.fullmatch(r"[1-9][0-9]{5,18}", str(value)):
        return "gcp_project_number: must be the project's number, 6-19 digits (not its ID)"
    return ""


def newrelic_account_id_error(value) -> str:
    if not re.fullmatch(r"[1-9][0-9]{0,11}", str(value)):
        return "newrelic_account_id: must be the account's number (1-12 digits, no leading zero)"
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


def network_cidr_error(value) -> str:
    try:
        network = ipaddress.IPv4Network(str(value), strict=True)
    except ValueError as error:
        return f"network_cidr: must be an IPv4 network such as 10.40.0.0/14 ({error})"
    if not any(network.subnet_of(ipaddress.IPv4Network(block)) for block in catalog.PRIVATE_RANGES):
        return f"network_cidr: must lie inside a private range ({', '.join(catalog.PRIVATE_RANGES)})"
    largest = catalog.LARGEST_ENVIRONMENT_PREFIX - catalog.ENVIRONMENT_SLOTS.bit_length() + 1
    if network.prefixlen > largest:
        return (
            f"network_cidr: /{network.prefixlen} is too small: it is cut into {catalog.ENVIRONMENT_SLOTS} equal "
            f"blocks (one per environment, room for new ones) of at least a /{catalog.LARGEST_ENVIRONMENT_PREFIX} "
            f"each, so use a /{largest} or larger"
        )
    return ""


def domain_name_error(value, environments) -> str:
    """Empty (the service stays private), or a domain whose every environment's host name a
    certificate can carry: Google-managed certificates take names of at most 63 characters."""
    value = str(value or "")
    if not value:
        return ""
    if not HOSTNAME.fullmatch(value):
        return (
            "domain_name: must be a DNS name such as example.com (lowercase, no scheme, trailing dot, port or "
            "path), or empty"
        )
    # production's host is the domain, www.<domain> or api.<domain>; the others' <env>.<domain>
    longest = max([*(str(env) for env in (environments or [])[:-1]), "www"], key=len)
    if len(longest) + 1 + len(value) > MAX_CERTIFICATE_NAME:
        return (
            f"domain_name: {longest}.{value} is longer than {MAX_CERTIFICATE_NAME} characters, the longest name a "
            "managed certificate takes; choose a shorter domain"
        )
    return ""


def production_host_error(value, cloud, orchestrator) -> str:
    """Production on the domain itself needs a record type the zone apex can hold (an alias), and
    Application Gateway for Containers offers only a host name to point a CNAME at."""
    if value == "apex" and (cloud, orchestrator) in catalog.NO_APEX:
        return (
            f"production_host: on {cloud} {orchestrator} the load balancer can only be reached through a CNAME, "
            "which the domain itself cannot hold; choose www or api"
        )
    return ""


def monitoring_error(value, orchestrator, cloud=None) -> str:
    places = catalog.MONITORING_PLACES.get(str(value))
    if places is not None:
        if (str(cloud), str(orchestrator)) not in places:
            offered = " or ".join(f"{c} with orchestrator {o}" for c, o in places)
            return f"monitoring: {value} is offered on {offered} so far, not {cloud} with orchestrator {orchestrator}"
        return ""
    offered = catalog.MONITORING_ORCHESTRATORS.get(str(value), ())
    if str(orchestrator) not in offered:
        return f"monitoring: {value} is offered with orchestrator {' or '.join(offered)} so far, not {orchestrator}"
    return ""


class ValidationExtension(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters.update(
            project_name_error=project_name_error,
            label_error=label_error,
            repository_error=repository_error,
            hostname_error=hostname_error,
            uuid_error=uuid_error,
            uuid_list_error=uuid_list_error,
            email_error=email_error,
            int_range_error=int_range_error,
            account_id_error=account_id_error,
            gcp_project_id_error=gcp_project_id_error,
            gcp_project_number_error=gcp_project_number_error,
            region_error=region_error,
            environments_error=environments_error,
            network_cidr_error=network_cidr_error,
            monitoring_error=monitoring_error,
            domain_name_error=domain_name_error,
            production_host_error=production_host_error,
            newrelic_account_id_error=newrelic_account_id_error,
        )
