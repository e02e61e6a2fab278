"""``python -m redshift_optimizer prompts publish VERSION | list``: the agents' prompts in the lake.

``publish`` uploads ``include/prompts/VERSION/`` to ``bedrock-context/prompts/VERSION/`` in the
metadata lake, in the contract's form (``<agent>.txt``, ``_common.txt`` and the version's own
``manifest.json`` naming them), which is what ``prompt_source = s3`` reads
(:func:`redshift_optimizer.agents.prompts.load_s3_prompts`). The index of published versions
is ``bedrock-context/prompts/manifest.json``: per version its date, author, publication time,
change log and the SHA-256 of each file. A published version is never replaced unless
``--force`` is given (results in the history name their prompt version: replacing one makes
them lie). ``--ssm-parameter NAME`` also records the version in an SSM parameter.

The command runs where an operator runs it, outside Airflow: it uses boto3 with the ordinary
AWS settings (profile, region, ``AWS_ENDPOINT_URL``).
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from redshift_optimizer.agents.prompts import S3_PREFIX, load_project_prompts
from redshift_optimizer.errors import ConfigurationError, LakeError
from redshift_optimizer.models.agents import AGENT_NAMES

INDEX = "manifest.json"
COMMON = "_common.txt"


class PromptLake:
    """The prompts area of the lake: ``<key_prefix>/bedrock-context/prompts/``."""

    def __init__(self, s3: Any, bucket: str, key_prefix: str = ""):
        self.s3 = s3
        self.bucket = bucket
        self.prefix = "/".join(p for p in (key_prefix.strip("/"), S3_PREFIX) if p)

    def key(self, name: str) -> str:
        return f"{self.prefix}/{name}"

    def _call(self, operation: str, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.s3, operation)(Bucket=self.bucket, **kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "NoSuchBucket":
                raise ConfigurationError(f"S3 bucket '{self.bucket}' does not exist (setting bucket, --bucket)") from None
            if code == "NoSuchKey":
                raise KeyError(kwargs.get("Key")) from None
            raise LakeError(f"S3 {operation} on s3://{self.bucket}/{kwargs.get('Key', kwargs.get('Prefix', ''))} "
                            f"failed: {code or exc}") from None
        except BotoCoreError as exc:
            raise LakeError(f"cannot reach S3 for bucket '{self.bucket}': {exc}") from None

    def index(self) -> dict[str, Any]:
        try:
            body = self._call("get_object", Key=self.key(INDEX))["Body"].read()
        except KeyError:
            return {"versions": []}
        try:
            return json.loads(body)
        except json.JSONDecodeError as exc:
            raise LakeError(f"s3://{self.bucket}/{self.key(INDEX)} is not valid JSON: {exc}") from None

    def keys(self, version: str) -> list[str]:
        found: list[str] = []
        kwargs: dict[str, Any] = {"Prefix": self.key(f"{version}/")}
        while True:
            page = self._call("list_objects_v2", **kwargs)
            found += [o["Key"] for o in page.get("Contents", [])]
            if not page.get("IsTruncated"):
                return found
            kwargs["ContinuationToken"] = page["NextContinuationToken"]

    def put(self, key: str, text: str, content_type: str) -> None:
        self._call("put_object", Key=key, Body=text.encode("utf-8"), ContentType=content_type)

    def delete(self, keys: list[str]) -> None:
        if keys:
            self._call("delete_objects", Delete={"Objects": [{"Key": k} for k in keys]})


def version_files(include_dir: Path, version: str) -> tuple[dict[str, str], dict[str, Any]]:
    """The files of one project version in the lake's form (name -> text), and its manifest."""
    load_project_prompts(include_dir, version)  # the same checks as a run: every agent, the right version
    folder = include_dir / "prompts" / version
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files = {f"{agent}.txt": (folder / manifest.get("agents", {}).get(agent, f"{agent}.md")).read_text(encoding="utf-8")
             for agent in AGENT_NAMES}
    lake_manifest = {
        "version": version, "date": manifest.get("date"),
        "agents": {agent: f"{agent}.txt" for agent in AGENT_NAMES},
        "changes": manifest.get("changes", []),
    }
    if manifest.get("common"):
        files[COMMON] = (folder / manifest["common"]).read_text(encoding="utf-8")
        lake_manifest["common"] = COMMON
    return files, lake_manifest


def publish(lake: PromptLake, include_dir: Path, version: str, author: str, change: str | None = None,
            force: bool = False, now: datetime | None = None) -> dict[str, Any]:
    """Upload one version and record it in the index; returns its index entry."""
    files, manifest = version_files(include_dir, version)
    index = lake.index()
    published = {entry["version"]: entry for entry in index.get("versions", [])}
    existing = lake.keys(version)
    if (version in published or existing) and not force:
        raise ConfigurationError(
            f"prompt version {version} is already published in s3://{lake.bucket}/{lake.key(version)}/ "
            "(results in the history name it); publish a new version, or pass --force to replace it")
    now = now or datetime.now(timezone.utc)
    changes = list(manifest["changes"])
    if change:
        changes.append({"version": version, "date": now.date().isoformat(), "change": change})
        manifest["changes"] = changes
    texts = {**files, "manifest.json": json.dumps(manifest, indent=2) + "\n"}
    for name, text in texts.items():
        lake.put(lake.key(f"{version}/{name}"), text,
                 "application/json" if name.endswith(".json") else "text/plain; charset=utf-8")
    lake.delete([k for k in existing if k.rsplit("/", 1)[-1] not in texts])
    entry = {
        "version": version, "date": manifest["date"], "author": author,
        "published_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "changes": changes,
        "files": {name: hashlib.sha256(text.encode("utf-8")).hexdigest() for name, text in sorted(texts.items())},
    }
    if version in published:
        entry["replaces"] = published[version]["published_at"]
    published[version] = entry
    index = {"versions": sorted(published.values(), key=lambda e: e["published_at"]), "latest": version}
    lake.put(lake.key(INDEX), json.dumps(index, indent=2) + "\n", "application/json")
    return entry


# ------------------------------------------------------------------------- the command line


def _lake(args: argparse.Namespace) -> tuple[PromptLake, Any]:
    import boto3

    from redshift_optimizer.settings import load_settings

    settings = load_settings({"bucket": args.bucket, "key_prefix": args.key_prefix})
    session = boto3.session.Session(region_name=args.region)
    return PromptLake(session.client("s3"), settings.bucket, settings.key_prefix), session


def cmd_publish(args: argparse.Namespace) -> int:
    from redshift_optimizer.settings import load_settings

    lake, session = _lake(args)
    include_dir = args.include_dir or load_settings().resolved_include_dir()
    entry = publish(lake, include_dir, args.version, args.author, args.change, args.force)
    print(f"published prompts {entry['version']} to s3://{lake.bucket}/{lake.key(entry['version'])}/ "
          f"({len(entry['files'])} files, author {entry['author']})")
    if args.ssm_parameter:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            session.client("ssm").put_parameter(Name=args.ssm_parameter, Value=entry["version"], Type="String",
                                                Overwrite=True, Description="published prompt version")
        except (BotoCoreError, ClientError) as exc:
            raise ConfigurationError(f"--ssm-parameter {args.ssm_parameter}: cannot write it: {exc}") from None
        print(f"SSM parameter {args.ssm_parameter} = {entry['version']}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    lake, _ = _lake(args)
    index = lake.index()
    if args.format == "json":
        print(json.dumps(index, indent=2))
        return 0
    versions = index.get("versions", [])
    if not versions:
        print(f"no prompt version is published in s3://{lake.bucket}/{lake.prefix}/")
        return 0
    for entry in versions:
        marker = "*" if entry["version"] == index.get("latest") else " "
        last = entry["changes"][-1]["change"] if entry.get("changes") else ""
        print(f"{marker} {entry['version']:<10} {entry.get('date') or '-':<10}  published {entry['published_at']} "
              f"by {entry['author']}  {last}")
    return 0


def add_parser(sub: Any) -> None:
    """The ``prompts`` command with its ``publish`` and ``list`` subcommands."""
    prompts = sub.add_parser("prompts", help="publish the agents' prompts to the lake, list what is published",
                             description="Versioned prompts in the lake (bedrock-context/prompts/), read by "
                                         "runs with prompt_source = s3.")
    actions = prompts.add_subparsers(dest="prompts_command", required=True, metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--bucket", help="lake bucket (default: the setting bucket)")
    common.add_argument("--key-prefix", help="key prefix in the bucket (default: the setting key_prefix)")
    common.add_argument("--region", help="AWS region (default: the AWS configuration's)")

    p = actions.add_parser("publish", parents=[common], help="upload include/prompts/VERSION/",
                           description="Upload include/prompts/VERSION/ to bedrock-context/prompts/VERSION/ and "
                                       "record it in bedrock-context/prompts/manifest.json.")
    p.add_argument("version", metavar="VERSION", help="folder under include/prompts/")
    p.add_argument("--author", default=getpass.getuser(), help="who publishes (default: the login name)")
    p.add_argument("--change", help="one more change-log line for this publication")
    p.add_argument("--force", action="store_true", help="replace a version that is already published")
    p.add_argument("--include-dir", type=Path, help="folder holding prompts/ (default: the project's include/)")
    p.add_argument("--ssm-parameter", metavar="NAME", help="also write the version to this SSM parameter")
    p.set_defaults(run=cmd_publish)

    p = actions.add_parser("list", parents=[common], help="the published versions",
                           description="The versions in bedrock-context/prompts/manifest.json (* the latest).")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=cmd_list)


__all__ = ["PromptLake", "add_parser", "publish", "version_files"]
