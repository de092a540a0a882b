"""The extensions' pure functions, tested directly."""

import ipaddress
import itertools
import re

import pytest
from helpers import answers

from extensions import catalog, context, filters, validation


def derived(**overrides) -> dict:
    values = {
        "project_slug": "payments-api",
        "cloud": "aws",
        "region": "us-east-1",
        "orchestrator": "kubernetes",
        "environments": ["dev", "staging", "prod"],
        "network_cidr": "10.40.0.0/14",
        "monthly_budget_usd": 1000,
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
    largest_prefix = 20 - validation.environment_slots(count).bit_length() + 1
    network = f"10.0.0.0/{largest_prefix}"
    assert validation.network_cidr_error(network, environments) == ""
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
