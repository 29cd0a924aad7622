"""docker-compose.yml and the container image, checked without a Docker engine.

No Docker engine runs on our machines, so this reads the files and holds them against the
code: every service is built from the one Dockerfile with its own name, gets every setting
its ``Settings`` class requires, reaches the broker and its own database by names that
exist, and the dependency graph starts the infrastructure first.
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from localrights.settings import KafkaSettings, load_settings

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("consultation", "notifications", "recommendations", "gateway")
_VARIABLE = re.compile(r"\$\{(?P<name>[A-Z_]+)(?::(?P<op>[?-])(?P<arg>[^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} with ``env`` as the shell."""

    def replace(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if name in env:
            return env[name]
        if op == "-":
            return arg
        raise AssertionError(f"${{{name}}} is required by compose: {arg}")

    return _VARIABLE.sub(replace, value)


SHELL = {
    "INTERNAL_JWT_SECRET": "i" * 48,
    "GATEWAY_JWT_SECRET": "g" * 48,
    "ADMIN_PASSWORD": "a-real-password",
}


def test_every_service_is_built_from_the_one_image_with_its_own_name(
    compose: dict[str, Any],
) -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "localrights_${SERVICE}.main:create_app" in dockerfile
    assert "python -m localrights.migrations" in dockerfile
    for service in SERVICES:
        build = compose["services"][service]["build"]
        assert build["dockerfile"] == "deploy/Dockerfile"
        assert build["args"]["SERVICE"] == service
        assert (ROOT / "services" / service / "migrations" / "env.py").exists()


def container_environment(
    compose: dict[str, Any], service: str, secrets_dir: Path
) -> dict[str, str]:
    """What a container's process sees: its variables, and its secrets as files holding the
    values the shell gave (``secrets: {name: {environment: VAR}}``)."""
    spec = compose["services"][service]
    environment = {k: interpolate(str(v), SHELL) for k, v in spec["environment"].items()}
    for name in spec.get("secrets", []):
        mounted = secrets_dir / name
        mounted.write_text(SHELL[compose["secrets"][name]["environment"]] + "\n")
        environment = {
            k: str(mounted) if v == f"/run/secrets/{name}" else v for k, v in environment.items()
        }
    unmounted = [v for v in environment.values() if v.startswith("/run/secrets/")]
    assert not unmounted, f"{service} reads secrets it does not mount: {unmounted}"
    return environment


def clean_environment(mp: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if "_DATABASE_" in name or name.startswith(("KAFKA_", "GATEWAY_", "INTERNAL_")):
            mp.delenv(name)


def test_each_service_gets_every_setting_it_requires(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    for service in SERVICES:
        environment = container_environment(compose, service, tmp_path)
        config = importlib.import_module(f"localrights_{service}.config")
        with pytest.MonkeyPatch.context() as mp:
            clean_environment(mp)
            for name, value in environment.items():
                mp.setenv(name, value)
            settings = load_settings(config.Settings)
        assert settings.database_url.endswith(f"@postgres:5432/{service}")
        assert settings.kafka_bootstrap_servers == "kafka:9092"
        assert settings.kafka_enable_idempotence is True, "Apache Kafka has it: use it"
        assert settings.internal_jwt_secret.get_secret_value() == SHELL["INTERNAL_JWT_SECRET"]


def test_secrets_reach_the_containers_only_as_files(compose: dict[str, Any]) -> None:
    for service in SERVICES:
        for value in compose["services"][service]["environment"].values():
            for secret in SHELL:
                assert f"${{{secret}" not in str(value), (
                    f"{service} gets {secret} in its environment"
                )


def test_the_topics_are_made_before_the_services_start(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    topics = compose["services"]["topics"]
    assert topics["command"][:4] == ["python", "-m", "localrights.topics", "ensure"]
    assert topics["depends_on"]["kafka"]["condition"] == "service_healthy"
    environment = {k: interpolate(str(v), SHELL) for k, v in topics["environment"].items()}
    with pytest.MonkeyPatch.context() as mp:
        clean_environment(mp)
        for name, value in environment.items():
            mp.setenv(name, value)
        layout = load_settings(KafkaSettings)
    assert layout.kafka_topic_replication_factor == 1, "one broker in compose"
    for service in SERVICES:
        spec = compose["services"][service]
        assert spec["depends_on"]["topics"]["condition"] == "service_completed_successfully"
        assert spec["environment"]["KAFKA_AUTO_CREATE_TOPICS"] == "false"
        for name in ("KAFKA_TOPIC_PARTITIONS", "KAFKA_TOPIC_REPLICATION_FACTOR"):
            assert spec["environment"][name] == topics["environment"][name]


def test_the_databases_the_services_use_are_created(compose: dict[str, Any]) -> None:
    init = (ROOT / "deploy" / "postgres-init.sql").read_text()
    mounted = compose["services"]["postgres"]["volumes"][0]
    assert mounted.startswith("./deploy/postgres-init.sql:/docker-entrypoint-initdb.d/")
    for service in SERVICES:
        assert f"CREATE DATABASE {service};" in init


def test_the_broker_advertises_the_address_services_dial(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]["environment"]
    assert kafka["KAFKA_PROCESS_ROLES"] == "broker,controller", "KRaft, no ZooKeeper"
    assert kafka["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://kafka:9092"


def test_dependencies_exist_and_start_infrastructure_first(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, spec in services.items():
        for dependency, condition in (spec.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if condition["condition"] == "service_completed_successfully":  # a one-off job
                assert services[dependency].get("restart") == "no"
                continue
            assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck"
            assert condition["condition"] == "service_healthy"
    for service in SERVICES:
        assert {"postgres", "kafka"} <= set(services[service]["depends_on"])
        assert "healthcheck" in services[service]


def test_the_gateway_is_published_on_8000_and_reaches_each_service(
    compose: dict[str, Any],
) -> None:
    gateway = compose["services"]["gateway"]
    assert "8000:8000" in gateway["ports"]
    for service in ("consultation", "notifications", "recommendations"):
        assert gateway["environment"][f"GATEWAY_{service.upper()}_URL"] == f"http://{service}:8000"
        assert service in gateway["depends_on"]
    smtp = compose["services"]["notifications"]["environment"]["NOTIFICATIONS_SMTP_HOST"]
    assert interpolate(smtp, {}) in compose["services"]


# -- Kubernetes manifests --------------------------------------------------------------

K8S = ROOT / "deploy" / "k8s"


@pytest.fixture(scope="module")
def manifests() -> dict[tuple[str, str], dict[str, Any]]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for resource in kustomization["resources"]:
        for document in yaml.safe_load_all((K8S / resource).read_text()):
            found[(document["kind"], document["metadata"]["name"])] = document
    return found


def test_each_service_has_a_deployment_and_a_service_that_select_each_other(
    manifests: dict[tuple[str, str], dict[str, Any]],
) -> None:
    for service in SERVICES:
        deployment = manifests[("Deployment", service)]
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        selector = manifests[("Service", service)]["spec"]["selector"]
        assert selector.items() <= pod_labels.items()
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert container["image"] == f"localrights/{service}"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert deployment["spec"]["replicas"] >= 2, "consumer groups are meant to scale out"


def pod_environment(
    pod: dict[str, Any], container: dict[str, Any], config: dict[str, str], mounts: Path
) -> dict[str, str]:
    """What a container's process sees: the ConfigMap, its variables, and its mounted
    secrets and CA certificates as files (secret values from secret.example.yaml)."""
    secret = yaml.safe_load((K8S / "secret.example.yaml").read_text())["stringData"]
    secret = {
        k: v.replace("replace with 48 random characters", "r" * 48).replace(
            "replace with 48 other random characters", "s" * 48
        )
        for k, v in secret.items()
    }
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    files: dict[str, Path] = {}
    for mount in container["volumeMounts"]:
        volume = volumes[mount["name"]]
        if "secret" in volume:
            assert volume["secret"]["secretName"] == "localrights-secrets"
            for item in volume["secret"]["items"]:
                files[f"{mount['mountPath']}/{item['path']}"] = mounts / item["path"]
                (mounts / item["path"]).write_text(secret[item["key"]] + "\n")
        else:
            assert volume["configMap"]["name"] == "localrights-ca"
            for name in ("kafka-ca.crt", "postgres-ca.crt"):  # what README says to put there
                files[f"{mount['mountPath']}/{name}"] = mounts / name
                (mounts / name).write_text("a CA certificate")
    environment = dict(config)
    for variable in container.get("env", []):
        if "value" in variable:
            environment[variable["name"]] = variable["value"]
        else:
            reference = variable["valueFrom"]["secretKeyRef"]
            assert reference["name"] == "localrights-secrets"
            environment[variable["name"]] = secret[reference["key"]]
    for name, value in environment.items():
        if value.startswith(("/run/secrets/", "/etc/localrights/")):
            assert value in files, f"{name}={value} is not mounted in {container['name']}"
            environment[name] = str(files[value])
    return environment


def test_configmap_and_secret_give_each_service_every_setting(
    manifests: dict[tuple[str, str], dict[str, Any]], tmp_path: Path
) -> None:
    config = manifests[("ConfigMap", "localrights-config")]["data"]
    for service in SERVICES:
        pod = manifests[("Deployment", service)]["spec"]["template"]["spec"]
        [container] = pod["containers"]
        mounts = tmp_path / service
        mounts.mkdir()
        environment = pod_environment(pod, container, config, mounts)
        assert not [k for k in environment if k.endswith("_SECRET") or k.endswith("_PASSWORD")]
        module = importlib.import_module(f"localrights_{service}.config")
        with pytest.MonkeyPatch.context() as mp:
            clean_environment(mp)
            for name, value in environment.items():
                mp.setenv(name, value)
            settings = load_settings(module.Settings)
        assert "sslmode=verify-full" in settings.database_url
        assert settings.kafka_security_protocol == "SASL_SSL"
        assert settings.kafka_sasl_password is not None
        assert settings.kafka_auto_create_topics is False


def test_the_topics_job_runs_before_the_services_with_the_same_layout(
    manifests: dict[tuple[str, str], dict[str, Any]], tmp_path: Path
) -> None:
    config = manifests[("ConfigMap", "localrights-config")]["data"]
    job = manifests[("Job", "localrights-topics")]["spec"]["template"]["spec"]
    [container] = job["containers"]
    assert container["command"][:4] == ["python", "-m", "localrights.topics", "ensure"]
    (tmp_path / "job").mkdir()
    with pytest.MonkeyPatch.context() as mp:
        clean_environment(mp)
        for name, value in pod_environment(job, container, config, tmp_path / "job").items():
            mp.setenv(name, value)
        settings = load_settings(KafkaSettings)
    assert (settings.kafka_topic_replication_factor, settings.kafka_topic_min_insync_replicas) == (
        3,
        2,
    )
    for service in SERVICES:
        pod = manifests[("Deployment", service)]["spec"]["template"]["spec"]
        [wait] = pod["initContainers"]
        assert wait["command"][:4] == ["python", "-m", "localrights.topics", "check"]
        assert wait["image"] == f"localrights/{service}"
        mounts = tmp_path / f"{service}-init"
        mounts.mkdir()
        pod_environment(pod, wait, config, mounts)  # everything it reads is mounted


def test_notifications_scale_on_cpu(manifests: dict[tuple[str, str], dict[str, Any]]) -> None:
    hpa = manifests[("HorizontalPodAutoscaler", "notifications")]
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "notifications",
    }
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]


def test_uvicorn_leaves_the_clients_address_to_the_gateway(
    compose: dict[str, Any], manifests: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """uvicorn's default believes X-Forwarded-For from 127.0.0.1 and rewrites the peer before
    the gateway sees it; the gateway decides by GATEWAY_TRUSTED_PROXIES instead."""
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    command = next(line for line in dockerfile.splitlines() if line.startswith("CMD"))
    assert "--no-proxy-headers" in command
    launcher = (ROOT / "deploy" / "launch.py").read_text()
    assert '"--no-proxy-headers"' in launcher
    # Nothing runs the image with another command.
    assert "command" not in compose["services"]["gateway"]
    gateway = manifests[("Deployment", "gateway")]["spec"]["template"]["spec"]["containers"][0]
    assert "command" not in gateway and "args" not in gateway
