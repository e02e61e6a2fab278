"""docker-compose.yaml is a valid Compose file (the Compose Specification's JSON schema,
vendored in tests/deploy/compose-spec.json), pins every image, and mounts what exists.
Nothing here runs it: these machines have no container engine."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from deploy.bundle import SUPPORTED_MWAA_VERSIONS

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((Path(__file__).with_name("compose-spec.json")).read_text())


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yaml").read_text())


def test_the_file_is_valid_against_the_compose_specification(compose):
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    errors = sorted(jsonschema.Draft7Validator(SCHEMA).iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_the_schema_catches_a_broken_file(compose):
    broken = {**compose, "services": {**compose["services"], "aws": {**compose["services"]["aws"], "ports": "55000"}}}
    assert list(jsonschema.Draft7Validator(SCHEMA).iter_errors(broken))


def test_the_stack_has_the_parts_the_issue_names(compose):
    services = compose["services"]
    assert {"warehouse", "aws", "api", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
            "airflow-triggerer", "airflow-init", "warehouse-loader"} <= set(services)
    assert services["aws"]["image"].startswith("motoserver/moto:")
    assert services["warehouse"]["image"].startswith("postgres:")


def test_every_image_is_pinned_and_airflow_is_a_supported_mwaa_version(compose):
    for name, service in compose["services"].items():
        image = service["image"]
        assert re.fullmatch(r"[\w./-]+:\d[\w.-]*", image), f"{name}: {image} is not pinned to a version"
        if "build" in service:
            base = re.search(r"^FROM (\S+)$", service["build"]["dockerfile_inline"], re.M)[1]
            match = re.fullmatch(r"apache/airflow:(\d+\.\d+\.\d+)-python3\.12", base)
            assert match and match[1] in SUPPORTED_MWAA_VERSIONS, base
            assert f"constraints-{match[1]}.txt" in service["build"]["dockerfile_inline"]
    moto_pin = re.search(r"^moto\[server\]==(\S+)$", (ROOT / "requirements-dev.txt").read_text(), re.M)[1]
    assert compose["services"]["aws"]["image"] == f"motoserver/moto:{moto_pin}"


def test_the_mounted_project_paths_exist_and_include_sits_in_dags(compose):
    mounts = [v for s in compose["services"].values() for v in s.get("volumes", []) if v.startswith(".")]
    for mount in mounts:
        assert (ROOT / mount.split(":")[0]).exists(), mount
    assert "./include:/opt/airflow/dags/include:ro" in mounts
    for path in ("deploy/compose/load_demo.py",):
        assert (ROOT / path).is_file()


@pytest.mark.stack
def test_the_warehouse_loader_prepares_a_server_it_did_not_start(local_postgres):
    """The loader's server object is enough for services.prepare_warehouse (the catalog views)."""
    import psycopg2

    from deploy.compose.load_demo import ContainerPostgres
    from local import services

    server = ContainerPostgres(local_postgres.dsn().rsplit("/", 1)[0])
    dsn = services.prepare_warehouse(server, "compose_check")
    conn = psycopg2.connect(dsn)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM information_schema.views WHERE table_schema = 'redshift_system'")
        assert cur.fetchone()[0] >= 8
    conn.close()
