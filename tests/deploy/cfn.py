"""Reading the CloudFormation templates in tests: YAML with the short intrinsic tags, the
references between resources, and a template without the resource types the local AWS
endpoint (moto) cannot create."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

TEMPLATES = Path(__file__).resolve().parents[2] / "deploy" / "cloudformation"

# Resource types moto's CloudFormation cannot create (moto 5.2): the deploy tests leave them
# out, with every resource and output that refers to them; cfn-lint still checks them.
NOT_IN_MOTO = (
    "AWS::MWAA::Environment",          # no MWAA in moto
    "AWS::SecretsManager::Secret",     # Secrets Manager works, but not through CloudFormation
    "AWS::SNS::Subscription",
    "AWS::CloudWatch::Alarm",
    "AWS::S3::BucketPolicy",
    "AWS::ApiGateway::DomainName",
    "AWS::ApiGateway::BasePathMapping",
    "Custom::",                        # custom resources invoke a Lambda function (needs Docker)
)


class _Loader(yaml.SafeLoader):
    pass


def _intrinsic(loader: _Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_Loader.add_multi_constructor("!", _intrinsic)


def load(name: str) -> dict[str, Any]:
    """A template as CloudFormation's JSON form (long-form intrinsic functions)."""
    return yaml.load((TEMPLATES / name).read_text(), Loader=_Loader)  # noqa: S506 - SafeLoader subclass


def references(node: Any) -> set[str]:
    """Logical ids (and parameters) a fragment refers to."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0])
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text)}
                if not isinstance(value, str):
                    found |= references(value[1])
            else:
                found |= references(value)
    elif isinstance(node, list):
        for value in node:
            found |= references(value)
    return found


def without(template: dict[str, Any], types: tuple[str, ...] = NOT_IN_MOTO) -> tuple[dict[str, Any], list[str]]:
    """The template without resources of ``types`` and whatever refers to them; returns it
    and the logical ids left out."""
    resources = dict(template["Resources"])
    removed = [name for name, r in resources.items() if r["Type"].startswith(types)]
    changed = True
    while changed:
        changed = False
        for name, resource in list(resources.items()):
            if name in removed:
                continue
            depends = resource.get("DependsOn", [])
            depends = [depends] if isinstance(depends, str) else depends
            if (references(resource) | set(depends)) & set(removed):
                removed.append(name)
                changed = True
    kept = {**template, "Resources": {n: r for n, r in resources.items() if n not in removed}}
    kept["Outputs"] = {n: o for n, o in template.get("Outputs", {}).items() if not references(o) & set(removed)}
    return kept, removed
