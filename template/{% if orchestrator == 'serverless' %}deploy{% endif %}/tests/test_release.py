"""deploy/release.py against fake ECS and ELBv2 clients that record each call and answer with the
shapes of the AWS APIs: no AWS account and no boto3 needed."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

import release

ENV = next(iter(release.CLUSTERS))
CLUSTER = release.CLUSTERS[ENV]
SERVICE = release.SERVICE
ARN = f"arn:aws:ecs:{release.REGION}:111122223333"
ELB_ARN = f"arn:aws:elasticloadbalancing:{release.REGION}:111122223333"
BLUE = f"{ELB_ARN}:targetgroup/{SERVICE}-blue/0123456789abcdef"
GREEN = f"{ELB_ARN}:targetgroup/{SERVICE}-green/fedcba9876543210"
DIGEST = "sha256:" + "4f" * 32
STARTED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def task_definition(revision: int) -> str:
    return f"{ARN}:task-definition/{SERVICE}:{revision}"


V1, V2, V3 = task_definition(1), task_definition(2), task_definition(3)


class ClusterNotFoundException(Exception):
    pass


class FakeECS:
    """The service with its past deployments. update_service starts a new deployment whose state
    then follows `steps`, one step per describe_service_deployments call (the last one stays)."""

    exceptions = SimpleNamespace(ClusterNotFoundException=ClusterNotFoundException)
    page_size = 2  # small, so that the script must follow nextToken

    def __init__(self, history=((V1, "SUCCESSFUL"),), steps=({"status": "SUCCESSFUL"},), service=True):
        self.calls: list[tuple[str, dict]] = []
        self.revisions: dict[str, dict] = {}
        self.deployments: list[dict] = []  # oldest first
        self.following = ""
        self.service = None
        if service:
            self.service = {
                "serviceArn": f"{ARN}:service/{CLUSTER}/{SERVICE}",
                "serviceName": SERVICE,
                "status": "ACTIVE",
                "desiredCount": 2,
                "runningCount": 2,
                "taskDefinition": None,
                "loadBalancers": [{"targetGroupArn": BLUE, "containerName": "app", "containerPort": 8080}],
            }
        for definition, status in history:
            self.start(definition, {"status": status})
        self.script = list(steps)

    def record(self, name: str, **request) -> None:
        self.calls.append((name, request))

    def called(self, name: str) -> list[dict]:
        return [request for call, request in self.calls if call == name]

    def start(self, definition: str, state: dict) -> dict:
        number = len(self.deployments) + 1
        revision = f"{ARN}:service-revision/{CLUSTER}/{SERVICE}/{number}"
        self.revisions[revision] = {
            "serviceRevisionArn": revision,
            "taskDefinition": definition,
            "resolvedConfiguration": {"loadBalancers": [{"targetGroupArn": GREEN if number % 2 else BLUE}]},
        }
        sources = []
        if self.deployments:
            sources = [{"arn": self.deployments[-1]["targetServiceRevision"]["arn"], "runningTaskCount": 2}]
        deployment = {
            "serviceDeploymentArn": f"{ARN}:service-deployment/{CLUSTER}/{SERVICE}/d{number}",
            "createdAt": STARTED + timedelta(minutes=number),
            "sourceServiceRevisions": sources,
            "targetServiceRevision": {"arn": revision, "requestedTaskCount": 2, "runningTaskCount": 0},
            **state,
        }
        self.deployments.append(deployment)
        if self.service:
            self.service["taskDefinition"] = definition
        return deployment

    # ECS API

    def describe_services(self, cluster, services):
        self.record("describe_services", cluster=cluster, services=services)
        if cluster != CLUSTER:
            raise ClusterNotFoundException(cluster)
        if self.service is None:
            return {"services": [], "failures": [{"arn": f"{ARN}:service/{CLUSTER}/{SERVICE}", "reason": "MISSING"}]}
        return {"services": [self.service], "failures": []}

    def update_service(self, cluster, service, taskDefinition):
        self.record("update_service", cluster=cluster, service=service, taskDefinition=taskDefinition)
        self.following = self.start(taskDefinition, self.script[0])["serviceDeploymentArn"]
        return {"service": self.service}

    def list_service_deployments(self, cluster, service, maxResults, nextToken="0"):
        self.record("list_service_deployments", cluster=cluster, service=service)
        start = int(nextToken)
        page = self.deployments[start : start + self.page_size]
        briefs = [
            {
                "serviceDeploymentArn": d["serviceDeploymentArn"],
                "createdAt": d["createdAt"],
                "targetServiceRevisionArn": d["targetServiceRevision"]["arn"],
                "status": d["status"],
            }
            for d in page
        ]
        more = start + self.page_size < len(self.deployments)
        return {"serviceDeployments": briefs, **({"nextToken": str(start + self.page_size)} if more else {})}

    def describe_service_deployments(self, serviceDeploymentArns):
        self.record("describe_service_deployments", serviceDeploymentArns=serviceDeploymentArns)
        (arn,) = serviceDeploymentArns
        deployment = next(d for d in self.deployments if d["serviceDeploymentArn"] == arn)
        if arn == self.following and self.script:
            deployment.update(self.script.pop(0) if len(self.script) > 1 else self.script[0])
        return {"serviceDeployments": [deployment], "failures": []}

    def describe_service_revisions(self, serviceRevisionArns):
        self.record("describe_service_revisions", serviceRevisionArns=serviceRevisionArns)
        return {"serviceRevisions": [self.revisions[arn] for arn in serviceRevisionArns], "failures": []}

    def stop_service_deployment(self, serviceDeploymentArn, stopType):
        self.record("stop_service_deployment", serviceDeploymentArn=serviceDeploymentArn, stopType=stopType)
        return {"serviceDeploymentArn": serviceDeploymentArn}

    def describe_task_definition(self, taskDefinition):
        self.record("describe_task_definition", taskDefinition=taskDefinition)
        containers = [
            {"name": "app", "image": f"111122223333.dkr.ecr.{release.REGION}.amazonaws.com/{SERVICE}@{DIGEST}"},
            {"name": "collector", "image": "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"},
        ]
        return {"taskDefinition": {"taskDefinitionArn": taskDefinition, "containerDefinitions": containers}}


class FakeELBv2:
    def __init__(self, states=("healthy", "healthy")):
        self.calls: list[str] = []
        self.states = states

    def describe_target_health(self, TargetGroupArn):
        self.calls.append(TargetGroupArn)
        descriptions = []
        for number, state in enumerate(self.states, start=1):
            health = {"State": state}
            if state != "healthy":
                health["Reason"] = "Target.ResponseCodeMismatch"
                health["Description"] = "Health checks failed with these codes: [503]"
            descriptions.append({"Target": {"Id": f"10.40.0.{number}", "Port": 8080}, "TargetHealth": health})
        return {"TargetHealthDescriptions": descriptions}


def run(capsys, ecs: FakeECS, command: str, *options: str, elbv2: FakeELBv2 | None = None) -> tuple[int, str, str]:
    """release.py COMMAND ENV OPTIONS with the fakes; deployments are polled without sleeping."""
    if command in ("deploy", "rollback"):
        options = (*options, "--poll-seconds", "0")
    code = release.main([command, ENV, *options], release.Clients(ecs=ecs, elbv2=elbv2 or FakeELBv2()))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_deploy_follows_the_deployment_until_it_succeeds(capsys):
    ecs = FakeECS(
        steps=[
            {"status": "PENDING"},
            {"status": "IN_PROGRESS", "lifecycleStage": "SCALE_UP"},
            {"status": "IN_PROGRESS", "lifecycleStage": "SCALE_UP"},
            {"status": "IN_PROGRESS", "lifecycleStage": "BAKE_TIME"},
            {"status": "SUCCESSFUL", "lifecycleStage": "CLEAN_UP"},
        ]
    )
    code, out, err = run(capsys, ecs, "deploy", "--task-definition", V2)
    assert code == 0, err
    assert ecs.called("update_service") == [{"cluster": CLUSTER, "service": SERVICE, "taskDefinition": V2}]
    assert f"running {V1}" in out  # the task definition it replaces, for a rollback by hand
    states = [line for line in out.splitlines() if " deployment d2: " in line]
    assert len(states) == 4  # each change once, the repeated SCALE_UP not again
    assert "BAKE_TIME" in states[2] and "SUCCESSFUL" in states[3]
    assert "succeeded" in out and not ecs.called("stop_service_deployment")


def test_an_alarm_rollback_fails_loudly_and_names_the_alarm(capsys):
    alarm = f"{SERVICE}-{ENV}-target-5xx"
    ecs = FakeECS(
        steps=[
            {"status": "IN_PROGRESS", "lifecycleStage": "BAKE_TIME"},
            {"status": "ROLLBACK_IN_PROGRESS", "alarms": {"status": "TRIGGERED", "triggeredAlarmNames": [alarm]}},
            {
                "status": "ROLLBACK_SUCCESSFUL",
                "statusReason": "Service deployment rolled back because of alarms",
                "alarms": {"status": "TRIGGERED", "triggeredAlarmNames": [alarm]},
                "rollback": {"reason": "alarm", "serviceRevisionArn": f"{ARN}:service-revision/{CLUSTER}/{SERVICE}/1"},
            },
        ]
    )
    code, _, err = run(capsys, ecs, "deploy", "--task-definition", V2)
    assert code == 1
    assert "ROLLED IT BACK AUTOMATICALLY" in err
    assert alarm in err and "Service deployment rolled back because of alarms" in err
    assert V1 in err  # what runs again
    assert not ecs.called("stop_service_deployment")


def test_a_circuit_breaker_rollback_says_why(capsys):
    breaker = {"status": "TRIGGERED", "failureCount": 3, "threshold": 3}
    ecs = FakeECS(steps=[{"status": "ROLLBACK_FAILED", "deploymentCircuitBreaker": breaker}])
    code, _, err = run(capsys, ecs, "deploy", "--task-definition", V2)
    assert code == 1
    assert "ROLLBACK FAILED TOO" in err and "circuit breaker tripped: 3 tasks failed" in err


def test_a_deployment_that_does_not_finish_in_time_is_stopped_with_a_rollback(capsys):
    ecs = FakeECS(steps=[{"status": "IN_PROGRESS", "lifecycleStage": "BAKE_TIME"}])
    code, _, err = run(capsys, ecs, "deploy", "--task-definition", V2, "--timeout", "0")
    assert code == 1
    new = ecs.deployments[-1]["serviceDeploymentArn"]
    assert ecs.called("stop_service_deployment") == [{"serviceDeploymentArn": new, "stopType": "ROLLBACK"}]
    assert "DID NOT FINISH" in err


def test_deploying_the_running_task_definition_only_verifies(capsys):
    ecs = FakeECS()
    code, out, err = run(capsys, ecs, "deploy", "--task-definition", V1)
    assert code == 0, err
    assert "already the running task definition" in out and "steady" in out
    assert not ecs.called("update_service")


def test_status_is_one_line_with_the_reason(capsys):
    ecs = FakeECS(history=[(V1, "SUCCESSFUL"), (V2, "SUCCESSFUL"), (V3, "ROLLBACK_SUCCESSFUL")])
    ecs.deployments[-1]["statusReason"] = "Service deployment rolled back because the circuit breaker triggered"
    code, out, _ = run(capsys, ecs, "status")
    assert code == 0
    assert out.splitlines() == [
        "ROLLBACK_SUCCESSFUL: Service deployment rolled back because the circuit breaker triggered"
    ]


def test_status_reads_the_newest_deployment_of_every_page(capsys):
    history = [(task_definition(n), "SUCCESSFUL") for n in range(1, 6)]
    ecs = FakeECS(history=history)
    newest = ecs.deployments.pop()
    newest["status"] = "IN_PROGRESS"
    ecs.deployments.insert(3, newest)  # on the second of three pages: ECS promises no order
    code, out, _ = run(capsys, ecs, "status")
    assert (code, out) == (0, "IN_PROGRESS\n")


def test_verify_passes_when_the_service_is_steady(capsys):
    elbv2 = FakeELBv2()
    code, out, err = run(capsys, FakeECS(), "verify", elbv2=elbv2)
    assert code == 0, err
    assert "steady: 2/2 tasks" in out
    assert elbv2.calls == [GREEN]  # the newest revision's target group: production traffic is there


def test_verify_fails_on_an_unhealthy_target(capsys):
    code, _, err = run(capsys, FakeECS(), "verify", elbv2=FakeELBv2(states=("healthy", "unhealthy")))
    assert code == 1
    assert "not steady" in err
    assert "10.40.0.2:8080" in err and "unhealthy" in err and "[503]" in err


def test_verify_fails_while_tasks_are_missing_or_the_deployment_failed(capsys):
    ecs = FakeECS(history=[(V1, "SUCCESSFUL"), (V2, "ROLLBACK_SUCCESSFUL")])
    ecs.service["runningCount"] = 1
    elbv2 = FakeELBv2()
    code, _, err = run(capsys, ecs, "verify", elbv2=elbv2)
    assert code == 1
    assert "the newest deployment is ROLLBACK_SUCCESSFUL" in err and "1 of 2 desired tasks" in err
    assert elbv2.calls == [BLUE]  # not the failed revision's: the load balancer's of the service


def test_rollback_deploys_the_task_definition_that_ran_before(capsys):
    ecs = FakeECS(history=[(V1, "SUCCESSFUL"), (V2, "SUCCESSFUL")])
    code, out, err = run(capsys, ecs, "rollback")
    assert code == 0, err
    assert ecs.called("update_service") == [{"cluster": CLUSTER, "service": SERVICE, "taskDefinition": V1}]
    assert f"rolling back to {V1}" in out


def test_rollback_without_source_revisions_takes_the_previous_successful_deployment(capsys):
    ecs = FakeECS(history=[(V1, "SUCCESSFUL"), (V2, "ROLLBACK_FAILED"), (V3, "SUCCESSFUL")])
    ecs.deployments[-1]["sourceServiceRevisions"] = []
    code, _, err = run(capsys, ecs, "rollback")
    assert code == 0, err
    assert ecs.called("update_service")[0]["taskDefinition"] == V1


def test_rollback_to_a_given_task_definition(capsys):
    ecs = FakeECS(history=[(V1, "SUCCESSFUL"), (V2, "SUCCESSFUL"), (V3, "SUCCESSFUL")])
    code, _, err = run(capsys, ecs, "rollback", "--to", V1)
    assert code == 0, err
    assert ecs.called("update_service")[0]["taskDefinition"] == V1


def test_digest_of_the_running_app_image(capsys):
    ecs = FakeECS(history=[(V1, "SUCCESSFUL"), (V2, "SUCCESSFUL")])
    code, out, _ = run(capsys, ecs, "digest")
    assert (code, out) == (0, f"{DIGEST}\n")
    assert ecs.called("describe_task_definition") == [{"taskDefinition": V2}]


def test_digest_before_the_service_exists_says_so_with_its_own_status(capsys):
    code, out, err = run(capsys, FakeECS(history=[], service=False), "digest")
    assert (code, out) == (3, "")  # make plan then plans a placeholder image
    assert f"service {SERVICE} does not exist in cluster {CLUSTER} yet" in err


def test_an_unknown_environment_is_refused(capsys):
    ecs = FakeECS()
    with pytest.raises(SystemExit) as exit_info:
        release.main(["deploy", "no-such-env", "--task-definition", V2], release.Clients(ecs=ecs, elbv2=FakeELBv2()))
    assert exit_info.value.code == 2
    assert "invalid choice: 'no-such-env'" in capsys.readouterr().err
    assert ecs.calls == []


def test_a_task_definition_must_be_an_arn(capsys):
    with pytest.raises(SystemExit):
        release.main(["deploy", ENV, "--task-definition", ""], release.Clients(ecs=FakeECS(), elbv2=FakeELBv2()))
    assert "not a task definition ARN" in capsys.readouterr().err
