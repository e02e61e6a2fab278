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

from redshift_optimizer import lake_keys
from redshift_optimizer.agents.prompts import load_project_prompts
from redshift_optimizer.errors import ConfigurationError
from redshift_optimizer.models.agents import AGENT_NAMES
from redshift_optimizer.models.lake import Lake

COMMON = "_common.txt"


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


def published_index(lake: Lake) -> dict[str, Any]:
    """The index of the published versions (empty when none is)."""
    return lake.read_json(lake_keys.prompts_index()) or {"versions": []}


def _area(lake: Lake, version: str | None = None) -> str:
    return lake.uri(lake_keys.prompts(version)) + "/"


def publish(lake: Lake, include_dir: Path, version: str, author: str, change: str | None = None,
            force: bool = False, now: datetime | None = None) -> dict[str, Any]:
    """Upload one version and record it in the index; returns its index entry."""
    files, manifest = version_files(include_dir, version)
    index = published_index(lake)
    published = {entry["version"]: entry for entry in index.get("versions", [])}
    existing = lake.list_keys(lake_keys.prompts(version) + "/")
    if (version in published or existing) and not force:
        raise ConfigurationError(
            f"prompt version {version} is already published in {_area(lake, version)} "
            "(results in the history name it); publish a new version, or pass --force to replace it")
    now = now or datetime.now(timezone.utc)
    changes = list(manifest["changes"])
    if change:
        changes.append({"version": version, "date": now.date().isoformat(), "change": change})
        manifest["changes"] = changes
    texts = {**files, "manifest.json": json.dumps(manifest, indent=2) + "\n"}
    for name, text in texts.items():
        lake.write_text(lake_keys.prompt_file(version, name), text,
                        "application/json" if name.endswith(".json") else "text/plain; charset=utf-8")
    for key in existing:
        if key.rsplit("/", 1)[-1] not in texts:
            lake.delete(key)
    entry = {
        "version": version, "date": manifest["date"], "author": author,
        "published_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "changes": changes,
        "files": {name: hashlib.sha256(text.encode("utf-8")).hexdigest() for name, text in sorted(texts.items())},
    }
    if version in published:
        entry["replaces"] = published[version]["published_at"]
    published[version] = entry
    index = {"versions": sorted(published.values(), key=lambda e: e["published_at"]), "latest": version}
    lake.write_text(lake_keys.prompts_index(), json.dumps(index, indent=2) + "\n", "application/json")
    return entry


# ------------------------------------------------------------------------- the command line


def _lake(args: argparse.Namespace) -> tuple[Lake, Any]:
    import boto3

    from redshift_optimizer.settings import load_settings

    settings = load_settings({"bucket": args.bucket, "key_prefix": args.key_prefix})
    session = boto3.session.Session(region_name=args.region)
    from redshift_optimizer.adapters.lake import MetadataLake

    lake = MetadataLake(settings.bucket, settings.key_prefix, client=session.client("s3"),
                        bucket_setting="bucket, --bucket", prefix_setting="key_prefix, --key-prefix")
    return lake, session


def cmd_publish(args: argparse.Namespace) -> int:
    from redshift_optimizer.settings import load_settings

    lake, session = _lake(args)
    include_dir = args.include_dir or load_settings().resolved_include_dir()
    entry = publish(lake, include_dir, args.version, args.author, args.change, args.force)
    print(f"published prompts {entry['version']} to {_area(lake, entry['version'])} "
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
    index = published_index(lake)
    if args.format == "json":
        print(json.dumps(index, indent=2))
        return 0
    versions = index.get("versions", [])
    if not versions:
        print(f"no prompt version is published in {_area(lake)}")
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
