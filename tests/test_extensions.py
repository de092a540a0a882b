"""The extensions' pure functions, tested directly."""

import ipaddress
import itertools
import re

import pytest
from helpers import answers

from extensions import catalog, compiled, context, filters, validation


def derived(**overrides) -> dict:
    values = {
        "project_slug": "payments-api",
        "cloud": "aws",
        "region": "us-east-1",
        "orchestrator": "kubernetes",
        "runtime": "python",
        "environments": ["dev", "staging", "prod"],
        "network_cidr": "10.40.0.0/14",
        "monthly_budget_usd": 1000,
        "slo_availability": 99.9,
        "slo_latency_ms": 300,
        **answers(),
        **overrides,
    }
    assert context.answer_errors(values) == []
    return context.derive(values)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Payments API", "payments-api"),
        ("  my__Service--2 ", "my-service-2"),
        ("2fast", "fast"),
        ("***", "svc"),
        ("P", "p-svc"),
    ],
)
def test_dns_label(text, expected):
    assert filters.dns_label(text, 30) == expected


def test_dns_label_shortens_long_names_uniquely():
    first = filters.dns_label("a" * 40 + " billing", 30)
    second = filters.dns_label("a" * 40 + " invoices", 30)
    assert len(first) <= 30 and len(second) <= 30
    assert first != second
    assert not validation.label_error(first, "project_slug", 30)


@pytest.mark.parametrize("slug", ["a1", "payments-api", "x" * 30])
def test_bucket_name_obeys_s3_rules(slug):
    name = filters.bucket_name(slug, "tfstate", filters.short_hash(slug))
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", name)
    assert not name.startswith("xn--") and not name.endswith("-s3alias")


def test_alphanumeric_name_rules():
    long_first, long_second = (filters.alphanumeric_name("a" * 60, tail, max_length=50) for tail in ("x", "y"))
    assert len(long_first) == 50 and long_first != long_second
    assert filters.alphanumeric_name("9-lives_API", "acr", max_length=50) == "livesapiacr"


def test_storage_account_name_rules():
    name = filters.storage_account_name("Payments-API", "tfstate")
    assert re.fullmatch(r"[a-z0-9]{3,24}", name)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "true"),
        (3, "3"),
        ("a ${b} %{c}", '"a $${b} %%{c}"'),
        (["x", 1], '["x", 1]'),
        ({"a": 1, "long": "v"}, '{\n  a    = 1\n  long = "v"\n}'),
        (None, "null"),
    ],
)
def test_to_hcl(value, expected):
    assert filters.to_hcl(value) == expected


def test_to_hcl_rejects_unknown_types():
    with pytest.raises(TypeError):
        filters.to_hcl(object())


@pytest.mark.parametrize("count", range(1, 7))
def test_network_plan_never_overlaps(count):
    environments = [f"env{i}" for i in range(count)]
    network = "10.0.0.0/17"  # the smallest accepted: eight /20 blocks
    assert validation.network_cidr_error(network) == ""
    assert "too small" in validation.network_cidr_error("10.0.0.0/18")
    plan = context.network_plan(network, environments, [3] * count)
    assert len(plan) == count
    subnets = [ipaddress.ip_network(net) for env in plan for net in env["private_subnets"] + env["public_subnets"]]
    for env in plan:
        block = ipaddress.ip_network(env["cidr"])
        assert block.subnet_of(ipaddress.ip_network(network))
        assert all(ipaddress.ip_network(net).subnet_of(block) for net in env["private_subnets"] + env["public_subnets"])
        assert ipaddress.ip_network(env["private_subnets"][0]).prefixlen <= 22
    for first, second in itertools.pairwise(subnets):
        assert not first.overlaps(second)
    blocks = [ipaddress.ip_network(env["cidr"]) for env in plan]
    assert all(not a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])


def test_adding_an_environment_moves_no_existing_network():
    before = context.network_plan("10.40.0.0/14", ["dev", "staging", "prod"], [2, 2, 3])
    after = context.network_plan("10.40.0.0/14", ["dev", "staging", "qa", "prod"], [2, 2, 2, 3])
    assert [before[0], before[1], before[2]] == [after[0], after[1], after[3]]
    assert after[2]["cidr"] not in {env["cidr"] for env in before}


def test_production_is_last_and_bigger():
    infra = derived()
    prod, dev = infra["environments"]["prod"], infra["environments"]["dev"]
    assert infra["production"] == "prod"
    assert prod["is_production"] and not dev["is_production"]
    assert prod["node_min"] >= 3 and len(prod["zones"]) == 3 and prod["nat_per_zone"]
    assert dev["node_min"] < prod["node_min"] and len(dev["zones"]) == 2
    assert prod["budget_usd"] == 1000 and dev["budget_usd"] == 250


def test_zones_come_from_the_catalog():
    infra = derived(region="ap-northeast-1")
    assert infra["environments"]["prod"]["zones"] == ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]


def test_two_zone_region_caps_production_zones():
    infra = derived(region="us-west-1")
    assert infra["environments"]["prod"]["zones"] == ["us-west-1a", "us-west-1c"]


def test_names_obey_resource_rules():
    infra = derived(project_slug="a" * 30, environments=["development1", "production12"], network_cidr="10.0.0.0/16")
    for env in infra["environments"].values():
        assert len(env["deploy_role_name"]) <= 64 and re.fullmatch(r"[\w+=,.@-]+", env["deploy_role_name"])
        assert re.fullmatch(r"[0-9A-Za-z][A-Za-z0-9_-]{0,99}", env["cluster_name"])
    assert re.fullmatch(r"[a-z0-9]+(?:[._-][a-z0-9]+)*", infra["registry_repository"])
    assert all(len(value) <= 63 for value in infra["labels"].values())
    assert 3 <= len(infra["state_bucket"]) <= 63


GCP_SERVICE_ACCOUNT_ID = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]")


@pytest.mark.parametrize(
    ("slug", "environments"),
    [("ab", ["d", "p"]), ("a" * 30, ["development1", "production12"]), ("a1-b2", ["dev", "prod"])],
)
def test_gcp_names_obey_resource_rules(slug, environments):
    infra = derived(
        project_slug=slug, cloud="gcp", region="europe-west1", gcp_project_id="acme-payments", environments=environments
    )
    identities = [infra["plan_role_name"], infra["publish_role_name"]]
    identities += [env[key] for env in infra["environments"].values() for key in ("deploy_role_name", "node_identity")]
    for name in identities:
        assert GCP_SERVICE_ACCOUNT_ID.fullmatch(name), name
    assert len(set(identities)) == len(identities)
    assert re.fullmatch(r"[a-z][a-z0-9-]{2,30}[a-z0-9]", infra["ci_pool_id"]) and not infra["ci_pool_id"].startswith(
        "gcp-"
    )
    for env in infra["environments"].values():
        assert re.fullmatch(r"[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?", env["cluster_name"]), env["cluster_name"]
    for key, value in infra["labels_gcp"].items():
        assert re.fullmatch(r"[a-z][a-z0-9_-]{0,62}", key) and re.fullmatch(r"[a-z0-9_-]{0,63}", value), (key, value)


@pytest.mark.parametrize(
    ("slug", "expected"),
    [("payments-api", "payments-api"), ("ab", None), ("google-maps", "goog-maps"), ("a" * 30, "a" * 30)],
)
def test_default_gcp_project_id_is_valid(slug, expected):
    project = filters.gcp_project_id(slug)
    assert not validation.gcp_project_id_error(project), project
    assert expected is None or project == expected


def test_gcp_network_plan_fits_each_environment_block():
    infra = derived(cloud="gcp", region="us-central1", gcp_project_id="acme-payments")
    for env in infra["environments"].values():
        block = ipaddress.IPv4Network(env["cidr"])
        ranges = [
            ipaddress.IPv4Network(net) for net in (*env["private_subnets"], env["pods_cidr"], env["services_cidr"])
        ]
        assert env["public_subnets"] == []
        assert all(net.subnet_of(block) for net in ranges)
        assert not any(a.overlaps(b) for a, b in itertools.combinations(ranges, 2))
        assert ranges[1].prefixlen == block.prefixlen + 1  # Pods get half: a /24 for each of 128 nodes of a /17
    prod, dev = infra["environments"]["prod"], infra["environments"]["dev"]
    assert prod["cluster_location"] == "us-central1" and dev["cluster_location"] == "us-central1-a"
    assert dev["spot_nodes"] and not prod["spot_nodes"]
    assert infra["image"] == "us-central1-docker.pkg.dev/acme-payments/payments-api/payments-api"


AZURE = {"cloud": "azure", "region": "westeurope", "azure_subscription_id": "5f3c2a1e-8b7d-4c6e-9a0f-1b2c3d4e5f60"}


@pytest.mark.parametrize(
    ("slug", "environments"),
    [("ab", ["d", "p"]), ("a" * 30, ["development1", "production12"]), ("x9-lives", ["dev", "prod"])],
)
def test_azure_names_obey_resource_rules(slug, environments):
    infra = derived(project_slug=slug, environments=environments, **AZURE)
    assert re.fullmatch(r"[a-z0-9]{3,24}", infra["state_bucket"]), infra["state_bucket"]
    assert re.fullmatch(r"[a-zA-Z0-9]{5,50}", infra["registry_name"]), infra["registry_name"]
    assert infra["registry_host"] == infra["registry_name"] + ".azurecr.io"
    groups = [infra["resource_group_shared"], *(env["resource_group"] for env in infra["environments"].values())]
    identities = [infra["plan_role_name"], infra["publish_role_name"]]
    identities += [env["deploy_role_name"] for env in infra["environments"].values()]
    for name in groups:
        assert re.fullmatch(r"[-\w.()]{1,89}[-\w()]", name), name
    for name in identities:  # user-assigned managed identities: 3-128, starting alphanumeric
        assert re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}", name), name
    assert len(set(groups)) == len(groups) and len(set(identities)) == len(identities)
    for env in infra["environments"].values():
        assert re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_-]{0,61}[a-zA-Z0-9]", env["cluster_name"]), env["cluster_name"]


def test_state_and_registry_names_differ_between_repositories():
    first = derived(repository="acme/payments-api", **AZURE)
    second = derived(repository="other/payments-api", **AZURE)
    assert first["state_bucket"] != second["state_bucket"]
    assert first["registry_name"] != second["registry_name"]


def test_azure_network_plan_keeps_pods_and_services_outside_the_vnet():
    infra = derived(**AZURE)
    for env in infra["environments"].values():
        block, vnet = ipaddress.IPv4Network(env["cidr"]), ipaddress.IPv4Network(env["vnet_cidr"])
        subnets = [ipaddress.IPv4Network(net) for net in (*env["private_subnets"], env["endpoints_subnet"])]
        outside = [ipaddress.IPv4Network(net) for net in (env["pods_cidr"], env["services_cidr"])]
        assert vnet.subnet_of(block) and all(net.subnet_of(vnet) for net in subnets)
        assert not subnets[0].overlaps(subnets[1])
        assert all(net.subnet_of(block) and not net.overlaps(vnet) for net in outside)
        assert not outside[0].overlaps(outside[1])
        assert ipaddress.IPv4Address(env["dns_service_ip"]) in outside[1]
    assert infra["environments"]["prod"]["zones"] == ["1", "2", "3"]
    assert infra["environments"]["dev"]["node_instance_types"] == ["Standard_D2as_v5"]


def test_derive_is_deterministic():
    assert derived() == derived()


def test_every_catalog_region_has_zones():
    for cloud in ("aws", "gcp", "azure"):
        for region in catalog.regions(cloud):
            assert catalog.zones(cloud, region), (cloud, region)


def test_production_rolls_out_more_carefully():
    environments = derived()["environments"]
    prod, dev = environments["prod"], environments["dev"]
    for env in (prod, dev):
        assert env["canary_weights"] == sorted(env["canary_weights"])
        assert all(0 < weight < 100 for weight in env["canary_weights"])
        assert re.fullmatch(r"\d+[smh]", env["canary_pause"])
    assert prod["canary_weights"][0] < dev["canary_weights"][0]
    assert len(prod["canary_weights"]) > len(dev["canary_weights"])
    assert prod["analysis_count"] > dev["analysis_count"]
    assert prod["blue_green_auto_promotion"] is False and dev["blue_green_auto_promotion"] is True


@pytest.mark.parametrize(
    ("value", "ci", "ok"),
    [
        ("acme/payments-api", "github", True),
        ("acme/payments-api", "circleci", True),
        ("acme/payments/api", "github", False),
        ("acme/payments/api", "gitlab", True),
        ("acme/sub.group/_api", "gitlab", True),
        ("acme", "gitlab", False),
        ("acme/*", "gitlab", False),
        ("acme/api.git", "gitlab", False),
        ("/".join(["g"] * 22), "gitlab", False),
    ],
)
def test_repository_rule_follows_the_ci_platform(value, ci, ok):
    error = validation.repository_error(value, ci)
    assert (error == "") == ok, error
    assert error == "" or error.startswith("repository: ")


def test_host_and_uuid_rules():
    assert validation.hostname_error("gitlab.example.com", "gitlab_host") == ""
    for bad in ("https://gitlab.com", "gitlab.com:8443", "gitlab.com/acme", "localhost", "GitLab.com"):
        assert validation.hostname_error(bad, "gitlab_host").startswith("gitlab_host: "), bad
    assert validation.uuid_error("3f2a8c1e-0b6d-4e7f-9a51-2c4d6e8f0a1b", "circleci_org_id", "ID") == ""
    for bad in ("3F2A8C1E-0B6D-4E7F-9A51-2C4D6E8F0A1B", "00000000-0000-0000-0000-000000000000", "org"):
        assert validation.uuid_error(bad, "circleci_org_id", "ID").startswith("circleci_org_id: "), bad


def test_links_point_at_the_repository_host():
    github = derived()["repository_web"]
    assert github["blob"] == "https://github.com/acme/payments-api/blob/main"
    gitlab = derived(ci="gitlab", gitlab_host="git.example.com", repository="acme/pay/api")["repository_web"]
    assert gitlab == {
        "url": "https://git.example.com/acme/pay/api",
        "blob": "https://git.example.com/acme/pay/api/-/blob/main",
        "tree": "https://git.example.com/acme/pay/api/-/tree/main",
    }


def test_datadog_facts_follow_the_site():
    assert derived(monitoring="prometheus-grafana")["datadog"] is None
    us3 = derived(monitoring="datadog", datadog_site="us3.datadoghq.com")["datadog"]
    assert (us3["app_url"], us3["api_url"]) == ("https://us3.datadoghq.com", "https://api.us3.datadoghq.com/")
    eu = derived(monitoring="datadog", datadog_site="datadoghq.eu")["datadog"]
    assert (eu["app_url"], eu["api_url"]) == ("https://app.datadoghq.eu", "https://api.datadoghq.eu/")
    assert derived(monitoring="datadog", project_slug="payments-api")["datadog"]["metric_namespace"] == "payments_api"


@pytest.mark.parametrize(
    ("runtime", "ms", "le"),
    [("python", 1000, "1.0"), ("java", 2000, "2.0"), ("go", 1000, "1"), ("node", 3000, "3"), ("go", 300, "0.3"),
     ("node", 1250, "1.25"), ("python", 250, "0.25")],
)  # fmt: skip
def test_latency_le_is_the_label_the_runtime_writes(runtime, ms, le):
    assert derived(runtime=runtime, slo_latency_ms=ms)["latency_le"] == le


@pytest.mark.parametrize(
    ("ms", "matcher"), [(300, 'le="0.3"'), (1000, 'le=~"1|1.0"'), (2500, 'le="2.5"'), (60000, 'le=~"60|60.0"')]
)
def test_latency_bucket_matches_both_spellings_of_whole_seconds(ms, matcher):
    assert derived(slo_latency_ms=ms)["latency_bucket"] == matcher


@pytest.mark.parametrize(
    ("production_host", "production_name"),
    [("apex", "example.com"), ("www", "www.example.com"), ("api", "api.example.com")],
)
def test_each_environment_has_its_host_name(production_host, production_name):
    infra = derived(orchestrator="serverless", domain_name="example.com", production_host=production_host)
    hosts = {env: infra["environments"][env]["hostname"] for env in ("dev", "staging", "prod")}
    assert hosts == {"dev": "dev.example.com", "staging": "staging.example.com", "prod": production_name}
    assert infra["domain"] == {"name": "example.com", "zone_exists": False}


def test_without_a_domain_the_service_has_no_host_name():
    infra = derived()
    assert infra["domain"] is None
    assert {env["hostname"] for env in infra["environments"].values()} == {None}


def test_domain_rule_counts_the_longest_host_name():
    environments = ["staging", "production"]  # production's own host is at most www.<domain>
    fits = "a" * 40 + ".example.com"  # staging. + 52 = 60 characters
    assert validation.domain_name_error(fits, environments) == ""
    exactly = "a" * (63 - len("staging.") - len(".example.com")) + ".example.com"
    assert validation.domain_name_error(exactly, environments) == ""
    assert validation.domain_name_error("b" + exactly, environments).startswith("domain_name: ")
    assert validation.domain_name_error("", environments) == ""


@pytest.mark.parametrize(
    ("cloud", "orchestrator"), [(c, o) for c in ("aws", "gcp", "azure") for o in ("kubernetes", "serverless")]
)
def test_production_on_the_domain_itself_only_where_the_apex_can_point_at_the_load_balancer(cloud, orchestrator):
    error = validation.production_host_error("apex", cloud, orchestrator)
    assert bool(error) == ((cloud, orchestrator) == ("azure", "kubernetes"))
    assert error == "" or error.startswith("production_host: ")
    assert validation.production_host_error("www", cloud, orchestrator) == ""


@pytest.mark.parametrize(
    ("slug", "environments"),
    [("ab", ["d", "p"]), ("a" * 30, ["development1", "production12"]), ("x9-lives", ["dev", "prod"])],
)
def test_azure_key_vault_names_obey_key_vault_rules(slug, environments):
    infra = derived(project_slug=slug, environments=environments, **AZURE)
    names = [env["key_vault_name"] for env in infra["environments"].values()]
    for name in names:  # 3-24 letters, digits and single '-', a letter first, no '-' last
        assert re.fullmatch(r"[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]", name) and "--" not in name, name
    assert len(set(names)) == len(names)
    kms_vaults = {
        filters.storage_account_name(slug + env, "kv", filters.short_hash(answers()["repository"] + slug))
        for env in environments
    }
    assert not kms_vaults & set(names)  # never the AKS encryption key's vault


def test_key_vault_names_differ_between_repositories_and_only_azure_has_them():
    first = derived(repository="acme/payments-api", **AZURE)["environments"]["prod"]["key_vault_name"]
    second = derived(repository="other/payments-api", **AZURE)["environments"]["prod"]["key_vault_name"]
    assert first != second
    assert {env["key_vault_name"] for env in derived()["environments"].values()} == {None}


def compiling_environment(**options):
    from copier._jinja_ext import YieldExtension
    from jinja2 import DictLoader
    from jinja2.sandbox import SandboxedEnvironment

    loader = DictLoader({"file": "{{ name }}!"})
    return SandboxedEnvironment(loader=loader, extensions=[YieldExtension, compiled.CompiledStrings], **options)


def test_a_string_compiled_once_renders_with_each_context_and_forgets_the_last_yield():
    from copier._jinja_ext import get_yield_context

    env = compiling_environment()
    yielding = "{% yield env from envs %}{{ env }}{% endyield %}"
    segment = "{% if cloud == 'aws' %}modules{% endif %}"
    assert env.from_string(segment).render(cloud="aws") == "modules"
    env.from_string(yielding).render(envs=["dev"])
    assert get_yield_context(env).yield_name == "env"
    assert env.from_string(segment).render(cloud="gcp") == ""  # compiled before: nothing yields now
    assert get_yield_context(env).yield_name is None
    env.from_string(yielding).render(envs=["prod"])
    assert get_yield_context(env).yield_iterable == ["prod"]


def test_compiled_code_is_shared_only_between_environments_that_parse_alike():
    first, same, other = (
        compiling_environment(),
        compiling_environment(),
        compiling_environment(variable_start_string="[[", variable_end_string="]]"),
    )
    for env in (first, same, other):
        env.from_string("")  # the first string settles how the environment parses
    assert first.from_string("{{ name }}[[ name ]]").render(name="x") == "x[[ name ]]"
    assert other.from_string("{{ name }}[[ name ]]").render(name="x") == "{{ name }}x"
    assert same.get_template("file").render(name="a") == "a!"
    assert isinstance(same.bytecode_cache, compiled._SharedBytecode)
    assert first.bytecode_cache.parsing == same.bytecode_cache.parsing != other.bytecode_cache.parsing
