"""``python -m redshift_optimizer prompts publish | list`` against the local AWS endpoint:
the uploaded version reads back as the project's prompts (prompt_source = s3), the index
records it, a published version is not replaced without --force, and errors are one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import airflow  # noqa: F401 - configures its logging on first import: before capsys swaps the streams
import boto3
import pytest

from redshift_optimizer.agents.prompts import load_project_prompts, load_s3_prompts
from redshift_optimizer.cli import main

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "redshift-optimizer-metadata"


def Lake(prefix: str):  # noqa: N802 - the lake load_s3_prompts reads, over boto3
    from redshift_optimizer.adapters.lake import MetadataLake

    return MetadataLake(BUCKET, prefix, client=boto3.client("s3"))


def keys(prefix: str) -> dict[str, str]:
    s3 = boto3.client("s3")
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/").get("Contents", [])
    return {o["Key"][len(prefix) + 1:]: o["ETag"] for o in listed}


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["prompts", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_publish_uploads_the_version_as_runs_read_it(aws, capsys):
    code, out, err = cli(capsys, "publish", "v1", "--key-prefix", "pub1", "--author", "ana")
    assert code == 0, err
    assert "published prompts v1 to s3://redshift-optimizer-metadata/pub1/bedrock-context/prompts/v1/" in out
    stored = keys("pub1")
    agents = ["cost-saver", "data-validation-agent", "redshift-query-optimizer", "schema-normalizer"]
    assert sorted(stored) == sorted(["bedrock-context/prompts/manifest.json", "bedrock-context/prompts/v1/_common.txt",
                                     "bedrock-context/prompts/v1/manifest.json",
                                     *[f"bedrock-context/prompts/v1/{a}.txt" for a in agents]])
    from_lake = load_s3_prompts(Lake("pub1"), "v1")
    from_project = load_project_prompts(ROOT / "include", "v1")
    assert from_lake.prompts == from_project.prompts
    assert (from_lake.version, from_lake.date, from_lake.changes) == ("v1", from_project.date, from_project.changes)

    index = Lake("pub1").read_json("bedrock-context/prompts/manifest.json")
    assert index["latest"] == "v1"
    (entry,) = index["versions"]
    assert (entry["version"], entry["author"], entry["date"]) == ("v1", "ana", from_project.date)
    assert entry["published_at"].endswith("Z") and entry["changes"] == from_project.changes
    assert set(entry["files"]) == {k.rsplit("/", 1)[-1] for k in stored if "/v1/" in k}


def test_a_published_version_is_only_replaced_with_force(aws, capsys):
    assert cli(capsys, "publish", "v1", "--key-prefix", "pub2", "--author", "ana")[0] == 0
    before = keys("pub2")
    code, out, err = cli(capsys, "publish", "v1", "--key-prefix", "pub2", "--author", "bo")
    assert code == 2 and out == ""
    assert err.strip() == ("prompt version v1 is already published in s3://redshift-optimizer-metadata/pub2/"
                           "bedrock-context/prompts/v1/ (results in the history name it); publish a new version, "
                           "or pass --force to replace it")
    assert keys("pub2") == before

    code, _, err = cli(capsys, "publish", "v1", "--key-prefix", "pub2", "--author", "bo", "--force",
                       "--change", "Tighter citation rule")
    assert code == 0, err
    (entry,) = Lake("pub2").read_json("bedrock-context/prompts/manifest.json")["versions"]
    assert entry["author"] == "bo" and entry["replaces"]
    assert entry["changes"][-1]["change"] == "Tighter citation rule"
    assert load_s3_prompts(Lake("pub2"), "v1").changes[-1]["change"] == "Tighter citation rule"


def test_list_shows_every_published_version_newest_marked(aws, capsys, tmp_path):
    include = tmp_path / "include"
    shutil.copytree(ROOT / "include" / "prompts" / "v1", include / "prompts" / "v2")
    manifest = json.loads((include / "prompts" / "v2" / "manifest.json").read_text())
    (include / "prompts" / "v2" / "manifest.json").write_text(json.dumps({**manifest, "version": "v2"}))
    assert cli(capsys, "list", "--key-prefix", "pub3") == (0, "no prompt version is published in "
                                                                "s3://redshift-optimizer-metadata/pub3/bedrock-context/prompts/\n", "")
    assert cli(capsys, "publish", "v1", "--key-prefix", "pub3", "--author", "ana")[0] == 0
    assert cli(capsys, "publish", "v2", "--key-prefix", "pub3", "--author", "bo", "--include-dir", str(include),
               "--change", "v2 for the test")[0] == 0
    code, out, _ = cli(capsys, "list", "--key-prefix", "pub3")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].startswith("  v1 ") and "by ana" in lines[0]
    assert lines[1].startswith("* v2 ") and "by bo" in lines[1] and lines[1].endswith("v2 for the test")
    code, out, _ = cli(capsys, "list", "--key-prefix", "pub3", "--format", "json")
    assert [v["version"] for v in json.loads(out)["versions"]] == ["v1", "v2"]


def test_the_version_can_be_recorded_in_an_ssm_parameter(aws, capsys):
    code, out, err = cli(capsys, "publish", "v1", "--key-prefix", "pub4", "--ssm-parameter", "/optimizer/prompt-version")
    assert code == 0, err
    assert boto3.client("ssm").get_parameter(Name="/optimizer/prompt-version")["Parameter"]["Value"] == "v1"


@pytest.mark.parametrize(("args", "message"), [
    (["publish", "v9", "--key-prefix", "pub5"], "setting prompt_version = 'v9': no "),
    (["publish", "v1", "--bucket", "no-such-lake"], "S3 bucket 'no-such-lake' does not exist (setting bucket, --bucket)"),
    (["list", "--bucket", "no-such-lake"], "S3 bucket 'no-such-lake' does not exist (setting bucket, --bucket)"),
])
def test_bad_input_is_one_line_naming_it(aws, capsys, args, message):
    code, out, err = cli(capsys, *args)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
