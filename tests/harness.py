"""Run every validator of the design's "what works means" table over rendered repositories, offline.

    report = validate(dir1, dir2, ...)      # one or many rendered repositories
    report.assert_ok()                      # AssertionError with every failing tool's output
    report["checkov"].status                # "passed" | "failed" | "skipped"

Each tool runs once over the files of all the repositories where it accepts many files; terraform
init/validate (per root module) and helm lint/template (per chart and values-<env>.yaml) run in a
pool of WORKERS threads with the rest. Nothing is written into the repositories: terraform works on
a copy, caches live in a temporary folder or in .tools/cache.

Tools are looked up in .tools/bin, .tools/venv/bin, .tools/tf/bin, then PATH (scripts/install-tools
installs them all). A missing tool is SKIPPED with a line saying so, or FAILED when CI=true.

Command line: python tests/harness.py DIR... [--only TOOL,...]
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent  # the template repository
TOOLS = ROOT / ".tools"
TOOL_DIRS = (TOOLS / "bin", TOOLS / "venv" / "bin", TOOLS / "tf" / "bin")
TERRAFORMRC = TOOLS / "tf" / "terraformrc"
TRIVY_CACHE = TOOLS / "cache" / "trivy"
CRD_DIR = ROOT.parent / "shared" / "data" / "crds"  # read in place, never copied
K8S_VERSION = "1.34.0"  # when the repository's .copier-answers.yml names none
WORKERS = 2
TIMEOUT = 900  # seconds for one tool call
MAX_OUTPUT = 8000  # characters of failing output kept per tool

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
TOOL_NAMES = (
    "terraform-fmt", "terraform-validate", "checkov", "trivy", "hadolint", "actionlint",
    "workflow-schema", "dependabot-schema", "gitlab-ci-schema", "circleci-schema", "renovate-schema",
    "helm-lint", "helm-template", "kubernetes-validate", "crd-schema",
    "promtool-rules", "promtool-test", "promtool-config", "amtool", "grafana-dashboards", "datadog-dashboards",
    "shellcheck", "yamllint", "json",
)  # fmt: skip
CHECKOV_FRAMEWORKS = ("terraform", "kubernetes", "dockerfile", "github_actions", "gitlab_ci", "circleci_pipelines")
SCHEMAS = {  # report name -> (check-jsonschema builtin schema, file pattern relative to the repo root)
    "workflow-schema": ("vendor.github-workflows", r"\.github/workflows/[^/]+\.ya?ml"),
    "dependabot-schema": ("vendor.dependabot", r"\.github/dependabot\.ya?ml"),
    "gitlab-ci-schema": ("vendor.gitlab-ci", r"\.gitlab-ci\.ya?ml"),
    "circleci-schema": ("vendor.circle-ci", r"\.circleci/config\.ya?ml"),
    "renovate-schema": ("vendor.renovate", r"(\.github/|\.gitlab/)?renovate\.json"),
}
# API groups served by Kubernetes itself with a dot in their name (the others have none: apps, batch...)
BUILTIN_GROUPS = {
    f"{g}.k8s.io"
    for g in (
        "admissionregistration", "apiextensions", "apiregistration", "authentication", "authorization",
        "certificates", "coordination", "discovery", "events", "flowcontrol.apiserver", "internal.apiserver",
        "networking", "node", "rbac.authorization", "resource", "scheduling", "storage", "storagemigration",
    )
}  # fmt: skip
CHART_INTERNAL_DIRS = ("templates", "charts")  # Helm templates and subcharts: not plain YAML
SKIP_DIRS = {".git", ".terraform", ".tools", ".venv", "node_modules", "__pycache__", ".pytest_cache"}
# Custom resources whose required fields are checked by hand when the CRD schemas are absent.
CR_REQUIRED = {
    "ServiceMonitor": ["spec", "spec.selector", "spec.endpoints"],
    "PodMonitor": ["spec", "spec.selector"],
    "PrometheusRule": ["spec", "spec.groups", "spec.groups[].name", "spec.groups[].rules[].expr"],
    "Rollout": ["spec", "spec.selector", "spec.strategy"],
    "AnalysisTemplate": ["spec", "spec.metrics", "spec.metrics[].name", "spec.metrics[].provider"],
    # Secrets Store CSI driver: no CRD schema offline, so at least what every provider needs
    "SecretProviderClass": ["spec", "spec.provider", "spec.parameters"],
    # cert-manager and Application Gateway for Containers (alb.networking.azure.io): no CRD schema offline
    "Issuer": ["spec", "spec.acme.server", "spec.acme.privateKeySecretRef.name", "spec.acme.solvers"],
    "Certificate": ["spec", "spec.secretName", "spec.dnsNames", "spec.issuerRef.name"],
    "WebApplicationFirewallPolicy": ["spec", "spec.targetRef.name", "spec.webApplicationFirewall.id"],
    "TargetGroupBinding": ["spec", "spec.targetGroupARN", "spec.serviceRef.name", "spec.serviceRef.port"],
    # Gateway API and GKE's policies for it (networking.gke.io): no CRD schema offline
    "Gateway": ["spec", "spec.gatewayClassName", "spec.listeners", "spec.listeners[].name", "spec.listeners[].port"],
    "HTTPRoute": ["spec", "spec.parentRefs", "spec.parentRefs[].name", "spec.rules"],
    "GCPGatewayPolicy": ["spec", "spec.targetRef.kind", "spec.targetRef.name", "spec.default"],
    "GCPBackendPolicy": ["spec", "spec.targetRef.kind", "spec.targetRef.name", "spec.default"],
    "HealthCheckPolicy": ["spec", "spec.targetRef.kind", "spec.targetRef.name", "spec.default.config.type"],
}
GRAFANA_BUILTINS = {
    "__rate_interval": "5m",
    "__interval": "1m",
    "__range": "1h",
    "__auto_interval": "5m",
    "__interval_ms": "60000",
    "__range_s": "3600",
    "__range_ms": "3600000",
}
GRAFANA_VAR = re.compile(r"\$\{([A-Za-z_]\w*)(?::[^}]*)?\}|\$([A-Za-z_]\w*)|\[\[([A-Za-z_]\w*)(?::[^\]]*)?\]\]")
NO_QUERY_PANELS = {"row", "text", "news", "dashlist", "alertlist", "annolist", "welcome"}
BACKEND = re.compile(r'^\s*backend\s+"[^"]+"\s*\{', re.M)
SHELL_SHEBANG = re.compile(rb"^#!\s*(/usr)?/bin/(env\s+)?(ba|da|k)?sh\b")
PROMTOOL_ERROR = re.compile(r'group "(.*)", rule \d+, "dashboard_expr": (.*)')
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def find_tool(name: str) -> str | None:
    """Path of a validator: the project's .tools first, then PATH."""
    for d in TOOL_DIRS:
        p = d / name
        if p.is_file() and os.access(p, os.X_OK):
            return str(p)
    return shutil.which(name)


# ------------------------------------------------------------------------------------------ report
@dataclass
class ToolResult:
    name: str
    status: str
    seconds: float = 0.0
    output: str = ""  # the failing output (trimmed), or why the tool was skipped
    runs: int = 0  # tool invocations (in-process checks count 0)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status != FAILED


@dataclass
class Report:
    results: dict[str, ToolResult]
    projects: list[Path]

    def __getitem__(self, name: str) -> ToolResult:
        return self.results[name]

    def __contains__(self, name: str) -> bool:
        return name in self.results

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results.values())

    @property
    def failed(self) -> list[ToolResult]:
        return [r for r in self.results.values() if not r.ok]

    def summary(self) -> str:
        lines = [f"validated {', '.join(str(p) for p in self.projects)}"]
        for r in self.results.values():
            lines.append(f"  {r.status.upper():<8}{r.name:<22}{r.seconds:6.1f}s  {r.runs} run(s)")
            lines += [f"          note: {n}" for n in r.notes]
            if r.status == SKIPPED:
                lines.append(f"          {r.output}")
        return "\n".join(lines)

    def assert_ok(self) -> None:
        if not self.ok:
            parts = [self.summary()]
            for r in self.failed:
                parts.append(f"\n===== {r.name} FAILED =====\n{r.output.rstrip()}")
            raise AssertionError("\n".join(parts))

    __str__ = summary


# ------------------------------------------------------------------------------------------ inputs
def _load_yaml_docs(path: Path) -> list | None:
    try:
        return [d for d in yaml.load_all(path.read_text(), Loader=_Loader) if d is not None]
    except (yaml.YAMLError, UnicodeDecodeError, OSError):
        return None  # yamllint reports it


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class _Project:
    root: Path
    label: str
    files: list[str]  # paths relative to root, posix, sorted
    charts: list[str]
    slug: str
    k8s_version: str

    def path(self, rel: str) -> Path:
        return self.root / rel

    def helm_owned(self, rel: str) -> bool:
        return any(rel.startswith(tuple(f"{c}/{d}/" for d in CHART_INTERNAL_DIRS)) for c in self.charts)

    def matching(self, pattern: str) -> list[str]:
        rx = re.compile(pattern)
        return [f for f in self.files if rx.fullmatch(f)]

    def yaml_files(self) -> list[str]:
        return [f for f in self.files if f.endswith((".yml", ".yaml")) and not self.helm_owned(f)]

    def dockerfiles(self) -> list[str]:
        return [f for f in self.files if re.fullmatch(r"(.*/)?(Dockerfile(\.[\w.-]+)?|[\w.-]+\.[Dd]ockerfile)", f)]

    def shell_scripts(self) -> list[str]:
        out = []
        for f in self.files:
            if self.helm_owned(f):
                continue
            name = f.rsplit("/", 1)[-1]
            if name.endswith((".sh", ".bash")):
                out.append(f)
            elif "." not in name:
                with open(self.path(f), "rb") as fh:
                    if SHELL_SHEBANG.match(fh.read(64)):
                        out.append(f)
        return out

    def root_modules(self) -> list[str]:
        dirs = sorted({f.rsplit("/", 1)[0] if "/" in f else "." for f in self.files if f.endswith(".tf")})
        roots = []
        for d in dirs:
            tfs = [f for f in self.files if f.endswith(".tf") and (f.rsplit("/", 1)[0] if "/" in f else ".") == d]
            if (
                d == "terraform/bootstrap"
                or re.fullmatch(r"terraform/environments/[^/]+", d)
                or any(BACKEND.search(self.path(f).read_text()) for f in tfs)
            ):
                roots.append(d)
        return roots

    def prometheus_files(self) -> dict[str, list[str]]:
        """monitoring/prometheus YAML by kind: rules (groups), tests (tests), config (scrape_configs)."""
        kinds: dict[str, list[str]] = defaultdict(list)
        for f in self.yaml_files():
            if not f.startswith("monitoring/prometheus/"):
                continue
            docs = _load_yaml_docs(self.path(f))
            doc = docs[0] if docs and isinstance(docs[0], dict) else {}
            if "tests" in doc:
                kinds["tests"].append(f)
            elif "groups" in doc:
                kinds["rules"].append(f)
            elif {"scrape_configs", "global", "alerting"} & doc.keys():
                kinds["config"].append(f)
        return kinds

    def dashboards(self) -> list[str]:
        out = []
        for f in self.files:
            if not f.endswith(".json") or self.helm_owned(f):
                continue
            if f.startswith("monitoring/grafana/") or ("/dashboards/" in f"/{f}" and not self.datadog_dashboard(f)):
                out.append(f)
            else:
                try:
                    doc = json.loads(self.path(f).read_text())
                except (ValueError, UnicodeDecodeError):
                    continue
                if isinstance(doc, dict) and "panels" in doc and "schemaVersion" in doc:
                    out.append(f)
        return out

    def datadog_dashboard(self, f: str) -> bool:
        """A Datadog dashboard of Terraform (datadog_dashboard_json): JSON with widgets and a layout
        type, with templatefile() placeholders (${name}) inside its strings."""
        if not f.startswith("terraform/") or not f.endswith(".json"):
            return False
        text = self.path(f).read_text(errors="replace")
        return '"widgets"' in text and '"layout_type"' in text

    def datadog_dashboards(self) -> list[str]:
        return [f for f in self.files if self.datadog_dashboard(f)]

    def manifests(self) -> list[str]:
        """Plain Kubernetes manifests (outside Helm charts): YAML documents with apiVersion and kind."""
        out = []
        for f in self.yaml_files():
            if f.startswith((".github/", "monitoring/prometheus/", "monitoring/alertmanager/")) or any(
                f.startswith(f"{c}/") for c in self.charts
            ):
                continue
            docs = _load_yaml_docs(self.path(f)) or []
            if any(isinstance(d, dict) and "apiVersion" in d and "kind" in d for d in docs):
                out.append(f)
        return out


def _scan(root: Path, label: str) -> _Project:
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        rel_dir = os.path.relpath(dirpath, root)
        for name in filenames:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/")
            if os.path.isfile(os.path.join(dirpath, name)):
                files.append(rel)
    files.sort()
    charts = sorted(f.rsplit("/", 1)[0] if "/" in f else "." for f in files if f.rsplit("/", 1)[-1] == "Chart.yaml")
    answers = {}
    if (root / ".copier-answers.yml").is_file():
        docs = _load_yaml_docs(root / ".copier-answers.yml")
        answers = docs[0] if docs and isinstance(docs[0], dict) else {}
    k8s = str(answers.get("kubernetes_version") or "")
    k8s = f"{k8s}.0" if re.fullmatch(r"\d+\.\d+", k8s) else k8s if re.fullmatch(r"\d+\.\d+\.\d+", k8s) else K8S_VERSION
    return _Project(root, label, files, charts, str(answers.get("project_slug") or ""), k8s)


def _labels(dirs: list[Path]) -> list[str]:
    names = [d.name or "repo" for d in dirs]
    return [n if names.count(n) == 1 else f"{n}-{i}" for i, n in enumerate(names)]


def _trim(text: str, limit: int = MAX_OUTPUT) -> str:
    text = ANSI.sub("", text).strip()
    if len(text) <= limit:
        return text
    head, tail = text[: limit * 2 // 3], text[-limit // 3 :]
    return f"{head}\n... [{len(text) - len(head) - len(tail)} characters cut] ...\n{tail}"


# ------------------------------------------------------------------------------------------ the run
@dataclass
class _Part:
    status: str
    output: str
    seconds: float
    runs: int
    note: str = ""


@dataclass
class _Rendered:
    project: _Project
    chart: str
    variant: str
    path: Path


class _Run:
    def __init__(self, projects: list[_Project], tmp: Path, only: set[str] | None):
        self.projects, self.tmp, self.only, self.ci = projects, tmp, only, in_ci()
        self.parts: dict[str, list[_Part]] = defaultdict(list)
        self.lock = threading.Lock()
        self.rendered: list[_Rendered] = []
        self.env = dict(os.environ)
        self.env["PATH"] = os.pathsep.join([*map(str, TOOL_DIRS), self.env.get("PATH", "")])
        self.env.update(
            CHECKPOINT_DISABLE="1",
            TF_IN_AUTOMATION="1",
            NO_COLOR="1",
            HELM_CACHE_HOME=str(tmp / "helm" / "cache"),
            HELM_CONFIG_HOME=str(tmp / "helm" / "config"),
            HELM_DATA_HOME=str(tmp / "helm" / "data"),
        )
        for var in ("TF_CLI_CONFIG_FILE", "TF_DATA_DIR", "TF_PLUGIN_CACHE_DIR", "TF_WORKSPACE"):
            self.env.pop(var, None)
        self.copies = tmp / "copies"

    # -- bookkeeping
    def wants(self, *names: str) -> bool:
        return self.only is None or bool(self.only.intersection(names))

    def add(self, name: str, status: str, output: str = "", seconds: float = 0.0, runs: int = 0, note: str = ""):
        with self.lock:
            self.parts[name].append(_Part(status, self.pretty(output), seconds, runs, note))

    def tool(self, check: str, name: str) -> str | None:
        path = find_tool(name)
        if path is None:
            where = ", ".join(str(d.relative_to(ROOT)) for d in TOOL_DIRS)
            msg = f"{name} not found in {where} or PATH: run scripts/install-tools"
            if self.ci:
                self.add(check, FAILED, f"{msg} (CI=true: a missing tool fails)")
            else:
                self.add(check, SKIPPED, msg)
        return path

    def pretty(self, text: str) -> str:
        for p in sorted(self.projects, key=lambda p: -len(str(p.root))):
            # tools run in self.tmp; some (actionlint, terraform fmt) print paths relative to it
            relative = os.path.relpath(p.root, self.tmp)
            text = text.replace(f"{p.root}/", f"{p.label}/").replace(f"{relative}/", f"{p.label}/")
        return text.replace(f"{self.copies}/", "").replace(f"{self.tmp}/rendered/", "").replace(f"{self.tmp}/", "")

    def call(self, cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[int, str]:
        try:
            r = subprocess.run(
                cmd,
                cwd=cwd or self.tmp,
                env=env or self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                timeout=TIMEOUT,
            )
        except subprocess.TimeoutExpired as e:
            return 124, f"timed out after {TIMEOUT}s: {' '.join(cmd)}\n{e.output or ''}"
        except OSError as e:
            return 127, f"{cmd[0]}: {e}"
        return r.returncode, r.stdout

    def simple(self, check: str, tool: str, args: list[str], cwd: Path | None = None) -> None:
        """One call; the check fails on a non-zero exit with the tool's output."""
        path = self.tool(check, tool)
        if path:
            t = time.monotonic()
            rc, out = self.call([path, *args], cwd=cwd)
            self.add(check, PASSED if rc == 0 else FAILED, "" if rc == 0 else out, time.monotonic() - t, 1)

    def files(self, select: Callable[[_Project], list[str]]) -> list[tuple[_Project, str]]:
        return [(p, f) for p in self.projects for f in select(p)]

    def copy_projects(self) -> None:
        for p in self.projects:
            shutil.copytree(p.root, self.copies / p.label, symlinks=True, ignore=shutil.ignore_patterns(*SKIP_DIRS))

    # -- orchestration
    def execute(self) -> dict[str, ToolResult]:
        if (self.wants("terraform-validate") and any(p.root_modules() for p in self.projects)) or (
            self.wants("trivy") and len(self.projects) > 1
        ):
            self.copy_projects()
        guard = self.guard
        with cf.ThreadPoolExecutor(WORKERS) as pool:
            helm = [pool.submit(guard, n, j) for n, j in self.helm_jobs()]
            first = [pool.submit(guard, n, j) for n, j in self.independent_jobs()]
            cf.wait(helm)
            later = [pool.submit(guard, n, j) for n, j in self.dependent_jobs()]
            cf.wait(first + later)
        return self.collect()

    def guard(self, name: str, job: Callable[[], None]) -> None:
        try:
            job()
        except Exception:  # a harness bug shows up as that tool's failure, with the traceback
            self.add(name, FAILED, f"harness error:\n{traceback.format_exc()}")

    def collect(self) -> dict[str, ToolResult]:
        results = {}
        for name in TOOL_NAMES:
            parts = self.parts.get(name)
            if not parts or not self.wants(name):
                continue
            statuses = {p.status for p in parts}
            status = FAILED if FAILED in statuses else PASSED if PASSED in statuses else SKIPPED
            shown = dict.fromkeys(p.output.rstrip() for p in parts if p.output and p.status == status)
            notes = [p.note for p in parts if p.note] + [p.output for p in parts if p.status == SKIPPED != status]
            results[name] = ToolResult(
                name,
                status,
                round(sum(p.seconds for p in parts), 2),
                _trim("\n".join(shown)),
                sum(p.runs for p in parts),
                list(dict.fromkeys(notes)),
            )
        return results

    def helm_jobs(self) -> Iterator[tuple[str, Callable[[], None]]]:
        if not self.wants(
            "helm-lint", "helm-template", "kubernetes-validate", "crd-schema", "checkov", "promtool-rules"
        ):
            return
        for p in self.projects:
            for chart in p.charts:
                base = p.path(chart)  # values-<env>.yaml beside the chart's files or one level up
                places = [base] if chart == "." else [base, base.parent]
                values = sorted({v for d in places for v in d.glob("values-*.y*ml")})
                for v in values or [None]:
                    yield "helm-template", lambda p=p, chart=chart, v=v: self.helm(p, chart, v)

    def independent_jobs(self) -> Iterator[tuple[str, Callable[[], None]]]:
        checks = {
            "terraform-fmt": self.terraform_fmt,
            "trivy": self.trivy,
            "hadolint": self.hadolint,
            "actionlint": self.actionlint,
            "promtool-test": self.promtool_test,
            "promtool-config": self.promtool_config,
            "amtool": self.amtool,
            "grafana-dashboards": self.grafana,
            "datadog-dashboards": self.datadog,
            "shellcheck": self.shellcheck,
            "yamllint": self.yamllint,
            "json": self.json_files,
        }
        if self.wants("terraform-validate"):
            for p in self.projects:
                for module in p.root_modules():
                    yield "terraform-validate", lambda p=p, m=module: self.terraform_validate(p, m)
        for name, (schema, pattern) in SCHEMAS.items():
            if self.wants(name):
                yield name, lambda n=name, s=schema, pat=pattern: self.schema(n, s, pat)
        for name, check in checks.items():
            if self.wants(name):
                yield name, check

    def dependent_jobs(self) -> Iterator[tuple[str, Callable[[], None]]]:
        checks = {
            "checkov": self.checkov,
            "kubernetes-validate": self.kubernetes_validate,
            "crd-schema": self.crd_schema,
            "promtool-rules": self.promtool_rules,
        }
        for name, check in checks.items():
            if self.wants(name):
                yield name, check

    # -- terraform
    def terraform_fmt(self) -> None:
        roots = [str(p.root) for p in self.projects if any(f.endswith((".tf", ".tfvars")) for f in p.files)]
        if roots:
            self.simple("terraform-fmt", "terraform", ["fmt", "-check", "-recursive", "-diff", "-no-color", *roots])

    def terraform_validate(self, p: _Project, module: str) -> None:
        tf = self.tool("terraform-validate", "terraform")
        if not tf:
            return
        if not TERRAFORMRC.is_file():
            msg = f"{TERRAFORMRC.relative_to(ROOT)} (offline provider mirror) not found: run scripts/install-tools"
            self.add("terraform-validate", FAILED if self.ci else SKIPPED, msg)
            return
        t = time.monotonic()
        workdir = self.copies / p.label / module
        data = self.tmp / "tfdata" / p.label / module.replace("/", "__")
        env = dict(self.env, TF_CLI_CONFIG_FILE=str(TERRAFORMRC), TF_DATA_DIR=str(data))
        rc, out = self.call([tf, f"-chdir={workdir}", "init", "-backend=false", "-input=false", "-no-color"], env=env)
        runs = 1
        if rc == 0:
            rc, out = self.call([tf, f"-chdir={workdir}", "validate", "-no-color"], env=env)
            runs = 2
        self.add(
            "terraform-validate",
            PASSED if rc == 0 else FAILED,
            "" if rc == 0 else f"--- {p.label}/{module}\n{out}",
            time.monotonic() - t,
            runs,
        )

    # -- scanners
    def checkov(self) -> None:
        dirs = [p.root for p in self.projects if p.files]
        if self.rendered:
            dirs.append(self.tmp / "rendered")
        if not dirs or not (path := self.tool("checkov", "checkov")):
            return
        # a chart's raw templates are not manifests: checkov sees them rendered, in dirs[-1]
        skips = sorted(
            {re.escape(f"{c}/{sub}/") for p in self.projects for c in p.charts for sub in CHART_INTERNAL_DIRS}
        )
        cmd = [path, "--framework", *CHECKOV_FRAMEWORKS, "--compact", "--quiet", "--skip-download", "-o", "json"]
        for d in dirs:
            cmd += ["-d", str(d)]
        for s in skips:
            cmd += ["--skip-path", s]
        t = time.monotonic()
        rc, out = self.call(cmd, cwd=self.tmp)
        found, parse_errors, reports = set(), set(), _json_stream(out)
        for r in reports or []:
            if not isinstance(r, dict) or "results" not in r:
                continue
            for c in r["results"].get("failed_checks", []):
                span = c.get("file_line_range") or [0]
                path = c.get("file_abs_path") or c.get("file_path")
                found.add(
                    f"{c['check_id']} {path}:{'-'.join(map(str, span))}{_helm_source(path, span[0])} "
                    f"{c.get('resource', '')}: {c.get('check_name', '')}"
                )
            parse_errors.update(r["results"].get("parsing_errors", []))
        problems = sorted(found) + [f"could not parse (not scanned): {f}" for f in sorted(parse_errors)]
        if rc not in (0, 1) or (rc == 1 and not problems) or reports is None:
            problems.append(f"checkov exited {rc}:\n{out}")
        self.add(
            "checkov",
            FAILED if problems else PASSED,
            "\n".join(problems)
            + ("\n(suppress only in the code, with a reason: #checkov:skip=CKV_X:why)" if found else ""),
            time.monotonic() - t,
            1,
        )

    def trivy(self) -> None:
        scanned = [p for p in self.projects if p.files]
        if not scanned or not (path := self.tool("trivy", "trivy")):
            return
        target = scanned[0].root if len(scanned) == 1 else self.copies
        prefix = f"{scanned[0].label}/" if len(scanned) == 1 else ""
        TRIVY_CACHE.mkdir(parents=True, exist_ok=True)
        report = self.tmp / "trivy.json"
        t = time.monotonic()
        flags = ["--skip-check-update", "--severity", "HIGH,CRITICAL", "--exit-code", "1", "--format", "json"]
        cache = ["--cache-dir", str(TRIVY_CACHE)]
        rc, log = self.call([path, "config", *flags, *cache, "--output", str(report), str(target)])
        found = []
        try:
            results = json.loads(report.read_text()).get("Results") or []
        except (OSError, ValueError):
            results = None
        for r in results or []:
            for m in r.get("Misconfigurations") or []:
                if m.get("Status", "FAIL") == "FAIL":
                    cause = m.get("CauseMetadata") or {}
                    where = f"{prefix}{r.get('Target')}:{cause.get('StartLine', '')}-{cause.get('EndLine', '')}"
                    found.append(f"{m.get('ID')} {m.get('Severity')} {where} {m.get('Title')}: {m.get('Message', '')}")
        bad = rc != 0 or found or results is None
        output = "\n".join(found)
        if bad and (not found or rc not in (0, 1)):
            output += f"\ntrivy exited {rc}:\n{log}"
        if found:
            output += "\n(suppress only in the code, with a reason: #trivy:ignore:<ID> above the resource)"
        self.add("trivy", FAILED if bad else PASSED, output, time.monotonic() - t, 1)

    # -- per-file linters
    def grouped(
        self,
        check: str,
        tool: str,
        select: Callable[[_Project], list[str]],
        configs: tuple[str, ...],
        args: list[str],
        default_args: list[str] = (),
    ) -> None:
        """One call over every project without its own config file (absolute paths); a project with one
        (e.g. .yamllint) is linted from its root so that the tool finds and applies it."""
        batch, own = [], []
        for p in self.projects:
            files = select(p)
            if files:
                cfg = next((c for c in configs if (p.root / c).is_file()), None)
                (own.append((p, files, cfg)) if cfg else batch.extend(str(p.path(f)) for f in files))
        if not (batch or own) or not (path := self.tool(check, tool)):
            return
        t, runs, failures = time.monotonic(), 0, []
        calls = [([path, *args, *default_args, *batch], None)] if batch else []
        calls += [([path, *args, *self.config_args(tool, cfg), *files], p.root) for p, files, cfg in own]
        for cmd, cwd in calls:
            rc, out = self.call(cmd, cwd=cwd)
            runs += 1
            if rc:
                label = next((p.label for p in self.projects if p.root == cwd), None)
                failures.append(self.relabel(out, label) if label else out)
        self.add(check, FAILED if failures else PASSED, "\n".join(failures), time.monotonic() - t, runs)

    @staticmethod
    def config_args(tool: str, cfg: str) -> list[str]:
        return {"yamllint": ["-c", cfg], "hadolint": ["--config", cfg]}.get(tool, [])

    @staticmethod
    def relabel(out: str, label: str) -> str:
        return "\n".join(f"{label}/{ln}" if ln and not ln[0].isspace() else ln for ln in out.splitlines())

    def hadolint(self) -> None:
        self.grouped("hadolint", "hadolint", _Project.dockerfiles, (".hadolint.yaml", ".hadolint.yml"), ["--no-color"])

    def yamllint(self) -> None:
        self.grouped(
            "yamllint",
            "yamllint",
            _Project.yaml_files,
            (".yamllint", ".yamllint.yaml", ".yamllint.yml"),
            ["-f", "parsable"],
            ["-d", "relaxed"],
        )

    def shellcheck(self) -> None:
        files = [str(p.path(f)) for p, f in self.files(_Project.shell_scripts)]
        if files:
            self.simple("shellcheck", "shellcheck", ["-x", "-P", "SCRIPTDIR", "-f", "gcc", *files])

    def actionlint(self) -> None:
        files = [str(p.path(f)) for p in self.projects for f in p.matching(SCHEMAS["workflow-schema"][1])]
        if files:
            shellcheck = find_tool("shellcheck") or ""  # actionlint checks `run:` scripts with it
            self.simple("actionlint", "actionlint", ["-no-color", "-shellcheck", shellcheck, "-pyflakes", "", *files])

    def schema(self, check: str, schema: str, pattern: str) -> None:
        files = [str(p.path(f)) for p in self.projects for f in p.matching(pattern)]
        if files:
            self.simple(check, "check-jsonschema", ["--color", "never", "--builtin-schema", schema, *files])

    def json_files(self) -> None:
        files = self.files(lambda p: [f for f in p.files if f.endswith(".json")])
        if not files:
            return
        t, errors = time.monotonic(), []
        for p, f in files:
            try:
                json.loads(p.path(f).read_text())
            except (ValueError, UnicodeDecodeError) as e:
                errors.append(f"{p.label}/{f}: {e}")
        self.add("json", FAILED if errors else PASSED, "\n".join(errors), time.monotonic() - t)

    # -- monitoring
    def promtool_files(self, kind: str) -> list[str]:
        return [str(p.path(f)) for p in self.projects for f in p.prometheus_files().get(kind, [])]

    def promtool_rules(self) -> None:
        files = self.promtool_files("rules")
        for i, (label, doc) in enumerate(self.custom_resources("PrometheusRule")):  # the rules inside them too
            spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
            name = re.sub(r"[^\w.-]", "_", f"{label}--{doc.get('metadata', {}).get('name', i)}")
            path = self.tmp / "prometheusrule" / f"{name}.yml"
            path.parent.mkdir(exist_ok=True)
            path.write_text(yaml.safe_dump({"groups": spec.get("groups") or []}, sort_keys=False))
            files.append(str(path))
        if files:
            self.simple("promtool-rules", "promtool", ["check", "rules", *files])

    def promtool_test(self) -> None:
        if files := self.promtool_files("tests"):
            self.simple("promtool-test", "promtool", ["test", "rules", *files])

    def promtool_config(self) -> None:
        if files := self.promtool_files("config"):
            self.simple("promtool-config", "promtool", ["check", "config", "--syntax-only", *files])

    def amtool(self) -> None:
        files = [str(p.path(f)) for p in self.projects for f in p.matching(r"monitoring/alertmanager/[^/]+\.ya?ml")]
        if files:
            self.simple("amtool", "amtool", ["check-config", *files])

    def grafana(self) -> None:
        files = self.files(_Project.dashboards)
        if not files:
            return
        t, errors, groups = time.monotonic(), [], []
        for p, f in files:
            try:
                doc = json.loads(p.path(f).read_text())
            except (ValueError, UnicodeDecodeError) as e:
                errors.append(f"{p.label}/{f}: not valid JSON: {e}")
                continue
            errs, exprs = _dashboard_problems(doc)
            errors += [f"{p.label}/{f}: {e}" for e in errs]
            for where, e in exprs:
                name = f"{p.label}/{f} :: {where}"
                name += f" #{len(groups)}" if any(g["name"] == name for g in groups) else ""
                groups.append({"name": name, "rules": [{"record": "dashboard_expr", "expr": e}]})
        runs = 0
        if groups:
            promtool = self.tool("grafana-dashboards", "promtool")
            if promtool:
                rules = self.tmp / "dashboard-exprs.yml"
                rules.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False, width=1000))
                rc, out = self.call([promtool, "check", "rules", str(rules)])
                runs = 1
                if rc:
                    found = [PROMTOOL_ERROR.search(ln) for ln in out.splitlines()]
                    errors += [f"{m[1]}: {m[2]}" for m in found if m] or [out]
        self.add("grafana-dashboards", FAILED if errors else PASSED, "\n".join(errors), time.monotonic() - t, runs)

    def datadog(self) -> None:
        files = self.files(_Project.datadog_dashboards)
        if not files:
            return
        t, errors = time.monotonic(), []
        for p, f in files:
            errors += [f"{p.label}/{f}: {e}" for e in _datadog_dashboard_problems(p.path(f).read_text())]
        self.add("datadog-dashboards", FAILED if errors else PASSED, "\n".join(errors), time.monotonic() - t, 1)

    # -- helm and Kubernetes
    def helm(self, p: _Project, chart: str, values: Path | None) -> None:
        helm = self.tool("helm-template", "helm")
        if not helm:
            if self.wants("helm-lint"):
                self.tool("helm-lint", "helm")
            return
        variant = values.stem if values else "default"
        where = f"{p.label}/{chart} ({values.relative_to(p.root) if values else 'values.yaml'})"
        name = p.slug or chart.rsplit("/", 1)[-1] or "release"
        common = ["--namespace", name, "--kube-version", f"v{p.k8s_version}", *(["-f", str(values)] if values else [])]
        if self.wants("helm-lint"):
            t = time.monotonic()
            rc, out = self.call([helm, "lint", "--strict", str(p.path(chart)), *common])
            self.add(
                "helm-lint",
                PASSED if rc == 0 else FAILED,
                "" if rc == 0 else f"--- {where}\n{out}",
                time.monotonic() - t,
                1,
            )
        t = time.monotonic()
        rc, out = self.call([helm, "template", name, str(p.path(chart)), *common])
        if rc == 0:
            path = self.tmp / "rendered" / p.label / f"{chart.replace('/', '__')}--{variant}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(out)
            with self.lock:
                self.rendered.append(_Rendered(p, chart, variant, path))
        self.add(
            "helm-template",
            PASSED if rc == 0 else FAILED,
            "" if rc == 0 else f"--- {where}\n{out}",
            time.monotonic() - t,
            1,
        )

    def k8s_inputs(self) -> list[tuple[_Project, Path]]:
        rendered = [(r.project, r.path) for r in sorted(self.rendered, key=lambda r: str(r.path))]
        return rendered + [(p, p.path(f)) for p in self.projects for f in p.manifests()]

    def kubernetes_validate(self) -> None:
        by_version = defaultdict(list)
        for p, path in self.k8s_inputs():
            by_version[p.k8s_version].append(str(path))
        if not by_version or not (tool := self.tool("kubernetes-validate", "kubernetes-validate")):
            return
        known = _crd_kinds()
        t, runs, failures, notes = time.monotonic(), 0, [], []
        for version, files in sorted(by_version.items()):
            rc, out = self.call([tool, "--strict", "--quiet", "-k", version, *files])
            runs += 1
            lines = []
            for ln in out.splitlines():
                m = re.search(r"Couldn't find schema for kind (\S+) with api version (\S+)", ln)
                if m and ((m[2], m[1]) in known or m[1] in CR_REQUIRED):
                    continue  # a custom resource: crd-schema checks it
                group = m[2].rsplit("/", 1)[0] if m and "/" in m[2] else ""
                if m and "." in group and group not in BUILTIN_GROUPS:
                    notes.append(f"not validated (no CRD schema): {m[1]} {m[2]}")
                    continue
                if m:  # a built-in API group without that kind: most likely a typo
                    ln = f"ERROR {ln.split(' ', 1)[-1]} (Kubernetes {version} has no such kind)"
                lines.append(ln)
            if rc or any(ln.startswith("ERROR") for ln in lines):
                failures.append("\n".join(lines) or out)
        self.add(
            "kubernetes-validate",
            FAILED if failures else PASSED,
            "\n".join(failures),
            time.monotonic() - t,
            runs,
            note="; ".join(sorted(set(notes))),
        )

    def custom_resources(self, *kinds: str) -> list[tuple[str, dict]]:
        """(where, document) for each custom resource of these kinds in rendered charts and manifests."""
        out = []
        for _, path in self.k8s_inputs():
            for doc in _load_yaml_docs(path) or []:
                if isinstance(doc, dict) and doc.get("kind") in kinds:
                    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
                    out.append((f"{self.pretty(str(path))}: {doc['kind']}/{meta.get('name', '?')}", doc))
        return out

    def crd_schema(self) -> None:
        kinds = set(CR_REQUIRED) | {k for _, k in _crd_kinds()}
        resources = self.custom_resources(*kinds)
        if not resources:
            return
        t = time.monotonic()
        if not CRD_DIR.is_dir():
            msg = f"CRD schemas not found at {CRD_DIR}"
            if self.ci:
                self.add("crd-schema", FAILED, f"{msg} (required with CI=true)")
                return
            errors = [f"{where}: {e}" for where, doc in resources for e in _required_problems(doc)]
            self.add(
                "crd-schema",
                FAILED if errors else PASSED,
                "\n".join(errors),
                time.monotonic() - t,
                note=f"{msg}: checked only required fields ({len(resources)} resources)",
            )
            return
        try:
            validators = _crd_validators()
        except ImportError:
            msg = "Python package jsonschema not importable in the test environment"
            self.add("crd-schema", FAILED if self.ci else SKIPPED, msg)
            return
        errors = []
        for where, doc in resources:
            key = (str(doc.get("apiVersion")), str(doc.get("kind")))
            validator = validators.get(key)
            if validator is None and not any(k == key[1] for _, k in validators):
                # a custom resource without a CRD schema here: the fields CR_REQUIRED lists
                errors += [f"{where}: {e}" for e in _required_problems(doc)]
                continue
            if validator is None:
                served = sorted(v for v, k in validators if k == key[1])
                errors.append(f"{where}: apiVersion {key[0]} is not served by the CRD (served: {', '.join(served)})")
                continue
            if not (doc.get("metadata") or {}).get("name"):
                errors.append(f"{where}: metadata.name is required")
            for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))[:15]:
                errors.append(f"{where}: {'.'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}")
        self.add("crd-schema", FAILED if errors else PASSED, "\n".join(errors), time.monotonic() - t, len(resources))


def _helm_source(path: str, line: int) -> str:
    """For a line of `helm template` output: the chart template it came from."""
    if not path.endswith(".yaml") or "/rendered/" not in path:
        return ""
    try:
        lines = Path(path).read_text().splitlines()[:line]
    except OSError:
        return ""
    source = next((ln[len("# Source: ") :] for ln in reversed(lines) if ln.startswith("# Source: ")), "")
    return f" ({source})" if source else ""


def _json_stream(text: str) -> list | None:
    """checkov prints one JSON document per framework and root, one after another, possibly after
    warning lines (which may hold brackets too): decode from the first line that starts one."""
    dec = json.JSONDecoder()
    starts = [m.start() for m in re.finditer(r"^[{[]", text, re.M)]
    for start in starts:
        i, out = start, []
        while i < len(text):
            while i < len(text) and text[i].isspace():
                i += 1
            if i >= len(text):
                break
            try:
                doc, i = dec.raw_decode(text, i)
            except ValueError:
                break
            out.extend(doc if isinstance(doc, list) else [doc])
        if out:
            return out
    return None


# ------------------------------------------------------------------------------------------ Grafana
DATADOG_LAYOUTS = {"ordered", "free"}
DATADOG_WIDGETS = {
    "alert_graph", "alert_value", "change", "check_status", "distribution", "event_stream", "event_timeline",
    "free_text", "group", "heatmap", "hostmap", "iframe", "image", "list_stream", "log_stream", "manage_status",
    "note", "query_table", "query_value", "run_workflow", "scatterplot", "service_summary", "slo", "slo_list",
    "sunburst", "timeseries", "toplist", "topology_map", "trace_service", "treemap",
}  # fmt: skip
FORMULA_NAMES = re.compile(r"\b[a-z_][a-z0-9_]*\b")
FORMULA_FUNCTIONS = {"abs", "log2", "log10", "cumsum", "integral", "per_second", "per_minute", "per_hour",
                     "diff", "derivative", "monotonic_diff", "clamp_min", "clamp_max", "default_zero", "timeshift",
                     "hour_before", "day_before", "week_before", "month_before", "top", "rollup", "ewma_3",
                     "ewma_5", "ewma_10", "median_3", "median_5", "count_nonzero", "count_not_null", "outliers",
                     "anomalies", "forecast", "robust_trend", "trend_line", "piecewise_constant", "cutoff_min",
                     "cutoff_max", "exclude_null", "min", "max", "sum", "avg", "fill", "as_count",
                     "as_rate"}  # fmt: skip


def _datadog_dashboard_problems(text: str) -> list[str]:
    """Shape errors of a Datadog dashboard (the JSON of datadog_dashboard_json) whose ${...}
    placeholders templatefile() fills: every widget type known, every formula naming only the
    queries of its request, every query with a data source and a query string."""
    try:
        doc = json.loads(re.sub(r"\$\{[^}]*\}", "1", text))  # a number: formulas hold some
    except ValueError as e:
        return [f"not valid JSON once its placeholders are filled: {e}"]
    errors = []
    if not isinstance(doc, dict) or not doc.get("title") or doc.get("layout_type") not in DATADOG_LAYOUTS:
        return ["needs a title and a layout_type of " + " or ".join(sorted(DATADOG_LAYOUTS))]

    def walk(widgets, where):
        if not isinstance(widgets, list) or not widgets:
            errors.append(f"{where}: widgets must be a non-empty list")
            return
        for i, widget in enumerate(widgets):
            definition = widget.get("definition") if isinstance(widget, dict) else None
            at = f"{where}[{i}]"
            if not isinstance(definition, dict) or definition.get("type") not in DATADOG_WIDGETS:
                errors.append(f"{at}: unknown widget type {definition and definition.get('type')!r}")
                continue
            at += f" {definition['type']} {definition.get('title', '')!r}"
            if definition["type"] == "group":
                walk(definition.get("widgets"), at)
            for request in definition.get("requests") or []:
                queries = {q.get("name") for q in request.get("queries") or []}
                for q in request.get("queries") or []:
                    if not q.get("data_source") or not (q.get("query") or q.get("slo_id")):
                        errors.append(f"{at}: a query needs a data_source and a query")
                for formula in request.get("formulas") or []:
                    names = set(FORMULA_NAMES.findall(formula.get("formula", ""))) - FORMULA_FUNCTIONS
                    if not formula.get("formula") or names - queries:
                        errors.append(
                            f"{at}: formula {formula.get('formula')!r} names unknown queries {sorted(names - queries)}"
                        )

    walk(doc.get("widgets"), "widgets")
    return errors


def _dashboard_problems(doc) -> tuple[list[str], list[tuple[str, str]]]:
    """Shape errors of a dashboard JSON model, and (where, expr) for each PromQL query, variables
    substituted so that promtool can parse it."""
    if not isinstance(doc, dict):
        return ["the dashboard model must be a JSON object"], []
    errors = []
    for key, kind in (("uid", str), ("title", str), ("schemaVersion", int), ("panels", list)):
        if not isinstance(doc.get(key), kind) or (kind is not int and not doc.get(key)):
            errors.append(f"'{key}' must be a non-empty {kind.__name__}")
    if isinstance(doc.get("uid"), str) and not re.fullmatch(r"[\w-]{1,40}", doc["uid"]):
        errors.append(f"uid {doc['uid']!r}: at most 40 letters, digits, '-' or '_'")
    variables = {}
    templating = doc.get("templating", {}).get("list", []) if isinstance(doc.get("templating"), dict) else []
    for v in templating if isinstance(templating, list) else []:
        if isinstance(v, dict) and v.get("name"):
            variables[v["name"]] = _sample_value(v)
    panels, ids, exprs = [], set(), []
    stack = list(doc.get("panels") or []) if isinstance(doc.get("panels"), list) else []
    while stack:
        panel = stack.pop(0)
        if not isinstance(panel, dict):
            errors.append("a panel must be an object")
            continue
        panels.append(panel)
        stack += (panel.get("panels") or []) if panel.get("type") == "row" else []
    for panel in panels:
        pid, ptype = panel.get("id"), panel.get("type")
        where = f"panel {panel.get('title', '')!r} (id {pid})"
        if not isinstance(ptype, str) or not ptype:
            errors.append(f"{where}: 'type' is required")
        if not isinstance(pid, int):
            errors.append(f"{where}: 'id' must be an integer")
        elif pid in ids:
            errors.append(f"{where}: duplicate panel id")
        ids.add(pid)
        grid = panel.get("gridPos")
        if not isinstance(grid, dict) or not all(isinstance(grid.get(k), int) for k in "hwxy"):
            errors.append(f"{where}: 'gridPos' needs integer h, w, x, y")
        if ptype in NO_QUERY_PANELS:
            continue
        if not panel.get("title"):
            errors.append(f"{where}: 'title' is required")
        targets = panel.get("targets")
        if not isinstance(targets, list) or not targets:
            errors.append(f"{where}: no 'targets' (queries)")
            continue
        for target in targets:
            ds = target.get("datasource") if isinstance(target, dict) else None
            if isinstance(ds, dict) and ds.get("type") not in (None, "prometheus"):
                continue  # another data source's query language
            expr = target.get("expr") if isinstance(target, dict) else None
            ref = target.get("refId", "?") if isinstance(target, dict) else "?"
            if not isinstance(expr, str) or not expr.strip():
                errors.append(f"{where} target {ref}: 'expr' (PromQL) is required")
                continue
            undefined = set()

            def substitute(m, undefined=undefined):
                name = m[1] or m[2] or m[3]
                if name in GRAFANA_BUILTINS or name.startswith("__"):
                    return GRAFANA_BUILTINS.get(name, "x")
                if name not in variables:
                    undefined.add(name)
                return variables.get(name, "x")

            exprs.append((f"{where} target {ref}", GRAFANA_VAR.sub(substitute, expr)))
            errors += [f"{where} target {ref}: variable ${u} is not defined in templating" for u in sorted(undefined)]
    return errors, exprs


def _sample_value(variable: dict) -> str:
    """A value to put in place of a dashboard variable: a duration or number from its options when it
    has one (it may stand in a range selector or as a number), else a label value."""
    if variable.get("type") == "interval":
        return "5m"
    current = (variable.get("current") or {}).get("value") if isinstance(variable.get("current"), dict) else None
    for option in [current, *str(variable.get("query") or "").split(",")]:
        option = option.strip() if isinstance(option, str) else ""
        if re.fullmatch(r"\d+(ms|[smhdwy])|\d+(\.\d+)?", option):
            return option
    return "x"


# ------------------------------------------------------------------------------------------ CRDs
_crd_lock = threading.Lock()
_crd_cache: dict[Path, dict] = {}


def _crd_documents() -> list[dict]:
    docs = []
    if CRD_DIR.is_dir():
        for f in sorted(CRD_DIR.rglob("*.y*ml")):
            docs += [
                d
                for d in _load_yaml_docs(f) or []
                if isinstance(d, dict) and d.get("kind") == "CustomResourceDefinition"
            ]
    return docs


def _crd_schemas() -> dict[tuple[str, str], dict]:
    """(apiVersion, kind) -> openAPIV3Schema, for every served version of every CRD in CRD_DIR."""
    with _crd_lock:
        if CRD_DIR not in _crd_cache:
            schemas = {}
            for crd in _crd_documents():
                spec = crd["spec"]
                for v in spec.get("versions", []):
                    if v.get("served", True) and "schema" in v:
                        key = (f"{spec['group']}/{v['name']}", spec["names"]["kind"])
                        schemas[key] = v["schema"]["openAPIV3Schema"]
            _crd_cache[CRD_DIR] = schemas
        return _crd_cache[CRD_DIR]


def _crd_kinds() -> set[tuple[str, str]]:
    return set(_crd_schemas())


_validator_cache: dict[Path, dict] = {}


def _crd_validators() -> dict:
    import jsonschema  # only needed when custom resources are validated

    schemas = _crd_schemas()
    with _crd_lock:
        if CRD_DIR not in _validator_cache:
            _validator_cache[CRD_DIR] = {k: jsonschema.Draft4Validator(_to_json_schema(s)) for k, s in schemas.items()}
        return _validator_cache[CRD_DIR]


def _to_json_schema(node):
    """A CRD's structural OpenAPI v3 schema as JSON Schema: int-or-string, nullable, preserved unknown
    fields honoured; unknown fields rejected elsewhere, as the API server's strict field validation does."""
    if isinstance(node, list):
        return [_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    if node.get("x-kubernetes-preserve-unknown-fields"):
        return {k: node[k] for k in ("type", "description") if k in node}  # anything goes below here
    out = {k: _to_json_schema(v) for k, v in node.items() if k not in ("properties", "additionalProperties")}
    if "properties" in node:
        out["properties"] = {k: _to_json_schema(v) for k, v in node["properties"].items()}
    if isinstance(node.get("additionalProperties"), dict):
        out["additionalProperties"] = _to_json_schema(node["additionalProperties"])
    elif "additionalProperties" in node:
        out["additionalProperties"] = node["additionalProperties"]
    elif "properties" in node:
        out["additionalProperties"] = False
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def _required_problems(doc: dict) -> list[str]:
    """The fallback without CRD schemas: the fields CR_REQUIRED lists must be present and non-empty."""
    problems = [] if (doc.get("metadata") or {}).get("name") else ["metadata.name is required"]
    return problems + [
        f"{path} is required" for path in CR_REQUIRED.get(doc.get("kind"), []) if _missing(doc, path.split("."))
    ]


def _missing(node, parts: list[str]) -> bool:
    """Whether the path (`a.b[].c`: c in every item of list b) is absent or empty anywhere."""
    if not parts:
        return False
    key, many = parts[0].removesuffix("[]"), parts[0].endswith("[]")
    value = node.get(key) if isinstance(node, dict) else None
    if value in (None, "", [], {}):
        return True
    if many:
        return not isinstance(value, list) or any(_missing(item, parts[1:]) for item in value)
    return _missing(value, parts[1:])


# ------------------------------------------------------------------------------------------ entry
def validate(*project_dirs: Path | str, only: Collection[str] | None = None) -> Report:
    """Run every applicable validator over the rendered repositories; `only` limits the report to
    these tool names (see TOOL_NAMES)."""
    if not project_dirs:
        raise ValueError("validate() needs at least one directory")
    if only is not None and (unknown := set(only) - set(TOOL_NAMES)):
        raise ValueError(f"unknown tool names {sorted(unknown)}; known: {', '.join(TOOL_NAMES)}")
    dirs = [Path(d).resolve() for d in project_dirs]
    for d in dirs:
        if not d.is_dir():
            raise ValueError(f"{d} is not a directory")
    projects = [_scan(d, label) for d, label in zip(dirs, _labels(dirs), strict=True)]
    with tempfile.TemporaryDirectory(prefix="harness-") as tmp:
        results = _Run(projects, Path(tmp), set(only) if only is not None else None).execute()
    return Report(results, dirs)


def main(argv: list[str]) -> int:
    only = None
    if "--only" in argv:
        i = argv.index("--only")
        only, argv = argv[i + 1].split(","), argv[:i] + argv[i + 2 :]
    if not argv:
        print(__doc__)
        return 2
    report = validate(*argv, only=only)
    print(report.summary())
    for r in report.failed:
        print(f"\n===== {r.name} FAILED =====\n{r.output}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
