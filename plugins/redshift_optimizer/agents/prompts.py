"""The agents' system prompts, versioned: ``include/prompts/<version>/`` in the project, or
``bedrock-context/prompts/<version>/`` in the metadata lake (setting ``prompt_source``).

A version folder holds ``manifest.json`` (version, date, change log, one file per agent and
an optional common part appended to each) and the prompt files. In S3 the agent files are
``<agent>.txt`` (the lake contract), the manifest optional. The version is stored with every
result, and a new version is a new analysis beside the old one in the history.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redshift_optimizer import lake_keys
from redshift_optimizer.errors import ConfigurationError
from redshift_optimizer.models.agents import AGENT_NAMES
from redshift_optimizer.models.lake import Lake


@dataclass(frozen=True)
class PromptSet:
    """One version of the four prompts."""

    version: str
    date: str | None
    source: str
    prompts: dict[str, str] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)

    def prompt(self, agent_name: str) -> str:
        try:
            return self.prompts[agent_name]
        except KeyError:
            raise ConfigurationError(
                f"prompt set {self.version} ({self.source}) has no prompt for agent {agent_name}"
            ) from None

    def digest(self, agent_name: str) -> str:
        """Short hash of one prompt's text (an edit without a version bump shows here)."""
        return hashlib.sha256(self.prompt(agent_name).encode()).hexdigest()[:12]


def _compose(common: str | None, text: str) -> str:
    return f"{text.strip()}\n\n{common.strip()}\n" if common else text.strip() + "\n"


def load_project_prompts(include_dir: Path, version: str) -> PromptSet:
    """The prompt set under ``include/prompts/<version>/`` (each agent's file as its manifest,
    else its unit, names it)."""
    from redshift_optimizer.agents.registry import agent as agent_unit

    folder = include_dir / "prompts" / version
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise ConfigurationError(
            f"setting prompt_version = {version!r}: no {manifest_path} (versions here: "
            f"{', '.join(sorted(p.name for p in (include_dir / 'prompts').glob('*') if p.is_dir())) or 'none'})"
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("version") != version:
        raise ConfigurationError(f"{manifest_path} says version {manifest.get('version')!r}, expected {version!r}")
    common = (folder / manifest["common"]).read_text(encoding="utf-8") if manifest.get("common") else None
    prompts = {}
    for agent in AGENT_NAMES:
        name = manifest.get("agents", {}).get(agent, agent_unit(agent).prompt_file)
        path = folder / name
        if not path.is_file():
            raise ConfigurationError(f"prompt set {version}: missing {path}")
        prompts[agent] = _compose(common, path.read_text(encoding="utf-8"))
    return PromptSet(version, manifest.get("date"), str(folder), prompts, manifest.get("changes", []))


def load_s3_prompts(lake: Lake, version: str) -> PromptSet:
    """The prompt set under ``bedrock-context/prompts/<version>/`` in the lake."""
    prefix = lake_keys.prompts(version)
    manifest = lake.read_json(f"{prefix}/manifest.json") or {}
    common_name = manifest.get("common")
    common = lake.read_text(f"{prefix}/{common_name}") if common_name else lake.read_text(f"{prefix}/_common.txt")
    prompts = {}
    for agent in AGENT_NAMES:
        name = manifest.get("agents", {}).get(agent, f"{agent}.txt")
        text = lake.read_text(f"{prefix}/{name}")
        if text is None:
            raise ConfigurationError(
                f"setting prompt_source = s3, prompt_version = {version!r}: no {prefix}/{name} in the lake"
            )
        prompts[agent] = _compose(common, text)
    return PromptSet(manifest.get("version", version), manifest.get("date"), f"s3:{prefix}", prompts,
                     manifest.get("changes", []))


def load_prompts(settings: Any, lake: Lake | None = None) -> PromptSet:
    """The prompt set the settings name (``prompt_source``, ``prompt_version``)."""
    if settings.prompt_source == "s3":
        if lake is None:
            raise ConfigurationError("setting prompt_source = s3 needs the metadata lake")
        return load_s3_prompts(lake, settings.prompt_version)
    return load_project_prompts(settings.resolved_include_dir(), settings.prompt_version)


__all__ = ["PromptSet", "load_project_prompts", "load_prompts", "load_s3_prompts"]
