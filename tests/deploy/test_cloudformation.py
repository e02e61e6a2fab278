"""The CloudFormation templates under deploy/cloudformation: cfn-lint passes on each, the
history table is the one the code creates, and the templates deploy into the local AWS
endpoint (moto's CloudFormation; the resource types it cannot create are left out, see
tests/deploy/cfn.py), where the metadata refresh and the optimization then run on the
resources the stacks created."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import boto3
import pytest

from tests.deploy.cfn import TEMPLATES, load, without

TEMPLATE_FILES = sorted(p.name for p in TEMPLATES.glob("*.yaml"))
LAKE = {"BucketName": "cfn-optimizer-lake", "SourceBucketName": "cfn-optimizer-source", "KeyPrefix": "team-a/", "HistoryTableName": "cfn-optimization-history",
        "SchemaChangeTopicName": "cfn-metadata-changes", "AlertsTopicName": "cfn-optimization-alerts",
        "AlertEmail": "data-platform@example.com"}


def test_there_is_a_template_per_part():
    assert TEMPLATE_FILES == ["api.yaml", "lake.yaml", "monitoring.yaml", "mwaa.yaml"]


def test_cfn_lint_passes_on_every_template():
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run([str(cfn_lint), *[str(TEMPLATES / n) for n in TEMPLATE_FILES]],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def _sorted(items: list[dict], key: str) -> list[dict]:
    return sorted(items, key=lambda item: item[key])


def test_the_history_table_is_the_one_the_code_creates():
    from redshift_optimizer.history.dynamodb import table_definition

    expected = table_definition("any")
    table = load("lake.yaml")["Resources"]["HistoryTable"]["Properties"]
    assert table["BillingMode"] == expected["BillingMode"]
    assert table["KeySchema"] == expected["KeySchema"]
    assert _sorted(table["AttributeDefinitions"], "AttributeName") == _sorted(expected["AttributeDefinitions"],
                                                                              "AttributeName")
    assert _sorted(table["GlobalSecondaryIndexes"], "IndexName") == _sorted(expected["GlobalSecondaryIndexes"],
                                                                             "IndexName")
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"] == {"SSEEnabled": True}


def test_the_lake_bucket_is_versioned_private_and_expires_the_work_area():
    """What moto's CloudFormation does not apply to a bucket (versioning, public access,
    lifecycle) is checked in the template."""
    bucket = load("lake.yaml")["Resources"]["MetadataBucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    from redshift_optimizer.pipelines.query_optimization import WORK_PREFIX

    assert rules["expire-run-work-area"]["Prefix"] == {"Fn::Sub": f"${{KeyPrefix}}{WORK_PREFIX}/"}
    assert rules["expire-run-work-area"]["ExpirationInDays"] == {"Ref": "RunWorkAreaExpirationDays"}


def deploy(name: str, parameters: dict[str, str]) -> dict[str, str]:
    """Create the stack from the template without moto's unsupported types; its outputs."""
    template, _ = without(load(name))
    cloudformation = boto3.client("cloudformation")
    stack = f"optimizer-{name.removesuffix('.yaml')}"
    cloudformation.create_stack(StackName=stack, TemplateBody=json.dumps(template),
                                Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
                                Capabilities=["CAPABILITY_NAMED_IAM"])
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    assert described["StackStatus"] == "CREATE_COMPLETE", described.get("StackStatusReason")
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


@pytest.fixture(scope="module")
def lake_stack(aws):
    return deploy("lake.yaml", LAKE)


def test_the_lake_stack_creates_the_bucket_table_and_topics(lake_stack):
    from redshift_optimizer.history.dynamodb import table_definition

    assert lake_stack["BucketName"] == LAKE["BucketName"]
    s3 = boto3.client("s3")
    rule = s3.get_bucket_encryption(Bucket=LAKE["BucketName"])["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"

    table = boto3.client("dynamodb").describe_table(TableName=LAKE["HistoryTableName"])["Table"]
    expected = table_definition(LAKE["HistoryTableName"])
    assert table["KeySchema"] == expected["KeySchema"]
    assert [(i["IndexName"], i["KeySchema"], i["Projection"]) for i in table["GlobalSecondaryIndexes"]] == \
        [(i["IndexName"], i["KeySchema"], i["Projection"]) for i in expected["GlobalSecondaryIndexes"]]

    topics = {t["TopicArn"] for t in boto3.client("sns").list_topics()["Topics"]}
    assert {lake_stack["SchemaChangeTopicArn"], lake_stack["AlertsTopicArn"]} <= topics
    assert lake_stack["AlertsTopicArn"].endswith(":cfn-optimization-alerts")


@pytest.fixture(scope="module")
def mwaa_stack(lake_stack):
    return deploy_mwaa(lake_stack)


def deploy_mwaa(lake_stack: dict[str, str]) -> dict[str, str]:
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{i}.0/24", AvailabilityZone=f"us-east-1{z}")
               ["Subnet"]["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
    return deploy("mwaa.yaml", {
        "EnvironmentName": "optimizer-test", "SourceBucketName": lake_stack["SourceBucketName"], "VpcId": vpc,
        "PrivateSubnetIds": ",".join(subnets), "MetadataBucketName": lake_stack["BucketName"],
        "KeyPrefix": lake_stack["KeyPrefix"], "HistoryTableName": lake_stack["HistoryTableName"],
        "SchemaChangeTopicArn": lake_stack["SchemaChangeTopicArn"], "AlertsTopicArn": lake_stack["AlertsTopicArn"],
        "RedshiftWorkgroupName": "analytics", "RedshiftDatabase": "warehouse",
        "BedrockModelId": "us.anthropic.claude-sonnet-4-20250514-v1:0",
        "BedrockFoundationModelId": "anthropic.claude-sonnet-4-20250514-v1:0",
    })


def statements(role_arn: str) -> list[dict]:
    iam = boto3.client("iam")
    name = role_arn.rsplit("/", 1)[-1]
    found = []
    for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        document = iam.get_policy_version(PolicyArn=attached["PolicyArn"],
                                          VersionId=policy["DefaultVersionId"])["PolicyVersion"]["Document"]
        document = json.loads(document) if isinstance(document, str) else document
        found += document["Statement"]
    return found


def test_the_execution_role_grants_what_the_code_calls_on_the_deployed_resources(mwaa_stack, lake_stack):
    granted = {s.get("Sid"): s for s in statements(mwaa_stack["ExecutionRoleArn"])}
    table_arn = lake_stack["HistoryTableArn"]
    assert granted["History"]["Action"] == ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]
    assert granted["History"]["Resource"] == [table_arn, f"{table_arn}/index/*"]
    assert sorted(granted["Alerts"]["Resource"]) == sorted([lake_stack["SchemaChangeTopicArn"],
                                                            lake_stack["AlertsTopicArn"]])
    bucket = lake_stack["BucketArn"]
    assert granted["LakeBucket"]["Resource"] == bucket
    assert granted["LakeWrite"]["Resource"] == [f"{bucket}/team-a/{p}/*" for p in
                                                ("metadata", "recommendations", "optimizer-runs")]
    assert granted["Metrics"]["Condition"] == {"StringEquals": {"cloudwatch:namespace": "RedshiftOptimizer"}}
    assert granted["DataApiExecute"]["Resource"].endswith(":workgroup/*")
    assert "ServerlessCredentials" in granted and "ClusterCredentials" not in granted
    assert granted["Bedrock"]["Resource"] == [
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0",
        "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0"]
    everything = [a for s in granted.values() for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert not [a for a in everything if a.endswith(":*") or a == "*"], "no wildcard actions"


def test_the_monitoring_stack_deploys_its_dashboard(lake_stack):
    deploy("monitoring.yaml", {"AlertsTopicArn": lake_stack["AlertsTopicArn"], "RedshiftDatabase": "warehouse",
                               "EnvironmentName": "optimizer-test", "BedrockModelId": "anthropic.claude"})
    body = json.loads(boto3.client("cloudwatch").get_dashboard(DashboardName="optimizer-test-optimizer")
                      ["DashboardBody"])
    metrics = [m[1] for w in body["widgets"] if w["type"] == "metric" for m in w["properties"]["metrics"]]
    assert {"MetadataTablesProcessed", "SchemaChangesDetected", "DAGDurationSuccess", "InvocationThrottles"} <= set(metrics)


def test_the_metric_names_of_the_templates_are_the_ones_the_code_puts():
    import inspect

    from redshift_optimizer.pipelines import metadata_refresh

    source = inspect.getsource(metadata_refresh)
    for name in ("MetadataTablesProcessed", "SchemaChangesDetected"):
        assert f'"{name}"' in source
    assert 'dimensions={"Database": database}' in source


def test_the_api_stack_deploys_the_function_behind_a_proxy(lake_stack, tmp_path):
    import io
    import zipfile

    from deploy.api import lambda_handler

    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:  # moto stores the code, it does not run it here
        archive.write(lambda_handler.__file__, "lambda_handler.py")
    boto3.client("s3").create_bucket(Bucket="cfn-optimizer-code")
    boto3.client("s3").put_object(Bucket="cfn-optimizer-code", Key="api/api-lambda.zip", Body=package.getvalue())
    outputs = deploy("api.yaml", {
        "CodeBucket": "cfn-optimizer-code", "EnvironmentName": "optimizer-test",
        "MetadataBucketName": lake_stack["BucketName"], "KeyPrefix": lake_stack["KeyPrefix"],
        "HistoryTableName": lake_stack["HistoryTableName"],
        "ApiKeysSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:api-keys",
        "IngestTokenSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:ingest-token"})
    function = boto3.client("lambda").get_function(FunctionName=outputs["FunctionName"])["Configuration"]
    assert function["Handler"] == "lambda_handler.handler" and function["Runtime"] == "python3.12"
    variables = function["Environment"]["Variables"]
    assert variables["OPTIMIZER_API_AIRFLOW_MODE"] == "mwaa"
    assert variables["OPTIMIZER_API_BUCKET"] == lake_stack["BucketName"]
    assert variables["OPTIMIZER_API_HISTORY_TABLE"] == lake_stack["HistoryTableName"]
    assert not [k for k in variables if k in lambda_handler.SECRET_SETTINGS], "no keys in the configuration"
    api_id = outputs["ApiUrl"].split("//")[1].split(".")[0]
    paths = {r["path"] for r in boto3.client("apigateway").get_resources(restApiId=api_id)["items"]}
    assert paths == {"/", "/{proxy+}"}


def _forget_runs(dag_id: str) -> None:
    from airflow.models import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        session.query(DagRun).filter(DagRun.dag_id == dag_id).delete()


def run_pipeline(lake_stack: dict[str, str], monkeypatch, history_reader=None) -> None:
    """The metadata refresh, then the optimization, with the settings an operator gives on
    MWAA (mwaa.yaml's Variable): the stack's bucket, prefix, table and topic ARNs. The test's
    own look at the history table goes through ``history_reader`` (a DynamoDB client; the
    default credentials' when None): the execution role has no Scan, and needs none."""
    from airflow.dag_processing.dagbag import DagBag

    from local import services
    from redshift_optimizer.models.lake import run_day_keys

    settings = {"bucket": lake_stack["BucketName"], "key_prefix": lake_stack["KeyPrefix"],
                "history_table": lake_stack["HistoryTableName"],
                "schema_change_topic": lake_stack["SchemaChangeTopicArn"], "alerts_topic": lake_stack["AlertsTopicArn"],
                "alert_min_severity": "LOW"}
    for name, value in services.demo_variable(settings).items():
        monkeypatch.setenv(name, value)
    dags = Path(__file__).resolve().parents[2] / "dags"
    today = datetime.now(timezone.utc).date()
    s3 = boto3.client("s3")

    refresh = DagBag(dag_folder=str(dags / "redshift_metadata_refresh.py")).dags["redshift_metadata_refresh"]
    _forget_runs(refresh.dag_id)
    assert refresh.test(logical_date=None, run_conf={"run_date": today.isoformat()}).state == "success"
    for name in ("schema_latest", "schema_dated", "profile", "slow_queries"):
        s3.head_object(Bucket=lake_stack["BucketName"], Key=f"team-a/{run_day_keys(today)[name]}")

    optimization = DagBag(dag_folder=str(dags / "redshift_query_optimization.py")).dags["redshift_query_optimization"]
    _forget_runs(optimization.dag_id)
    dag_run = optimization.test(logical_date=None, run_conf={"run_date": today.isoformat(),
                                                             "settings": {"top_queries": 3}})
    assert dag_run.state == "success"
    items = (history_reader or boto3.client("dynamodb")).scan(TableName=lake_stack["HistoryTableName"])["Items"]
    assert len({i["query_hash"]["S"] for i in items if i["run_date"]["S"] == today.isoformat()}) == 3
    archived = s3.list_objects_v2(Bucket=lake_stack["BucketName"],
                                  Prefix=f"team-a/recommendations/{today:%Y/%m/%d}/").get("KeyCount", 0)
    assert archived == 3


def alerts_inbox(topic_arn: str) -> str:
    """An SQS queue subscribed to the topic (what reached it is what was published)."""
    sqs = boto3.client("sqs")
    inbox = sqs.create_queue(QueueName="cfn-alerts-inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=inbox_arn)
    return inbox


def received(inbox: str) -> list[dict]:
    return boto3.client("sqs").receive_message(QueueUrl=inbox, MaxNumberOfMessages=10,
                                               WaitTimeSeconds=2).get("Messages", [])


@pytest.mark.stack
def test_the_pipeline_runs_on_the_deployed_resources(lake_stack, aws, warehouse_connection, airflow_db, monkeypatch):
    inbox = alerts_inbox(lake_stack["AlertsTopicArn"])
    run_pipeline(lake_stack, monkeypatch)
    assert len(received(inbox)) == 1, "one alert per run, to the stack's topic"


def enforceable(statements_: list[dict]) -> list[dict]:
    """The execution role's statements as moto can enforce them: moto checks the action of
    every call, but the resource only for S3 (other services are authorised against "*")
    and knows no condition key but sts:ExternalId; it authorises HeadBucket as an action
    s3:HeadBucket where AWS checks s3:ListBucket, and CloudWatch's actions under their
    endpoint prefix (monitoring:PutMetricData). So: actions as written (with those aliases),
    S3 resources as written, other resources "*", conditions dropped."""
    enforced = []
    for statement in statements_:
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        rewritten = {k: v for k, v in statement.items() if k not in ("Condition", "Sid")}
        aliases = [a.replace("cloudwatch:", "monitoring:", 1) for a in actions if a.startswith("cloudwatch:")]
        aliases += ["s3:HeadBucket"] if "s3:ListBucket" in actions else []
        rewritten["Action"] = [*actions, *aliases]
        if not all(a.startswith("s3:") for a in actions):
            rewritten.pop("NotResource", None)
            rewritten["Resource"] = "*"
        enforced.append(rewritten)
    return enforced


@pytest.mark.stack
def test_the_execution_role_is_enough_for_the_pipeline_under_enforced_iam(tmp_path, warehouse_connection, airflow_db,
                                                                          monkeypatch):
    """On a local endpoint of its own that enforces IAM, the refresh and the optimization
    succeed with the credentials of a role holding only the execution role's statements
    (in the form moto can enforce, see enforceable), and calls outside them are refused."""
    from botocore.exceptions import ClientError

    from local import services

    server = services.MotoServer(services.free_port(), tmp_path / "aws.log").start()
    try:
        for name, value in services.aws_environment(server.url).items():
            monkeypatch.setenv(name, value)
        lake_stack = deploy("lake.yaml", LAKE)
        role_arn = deploy_mwaa(lake_stack)["ExecutionRoleArn"]
        iam = boto3.client("iam")
        iam.create_user(UserName="operator")
        iam.put_user_policy(UserName="operator", PolicyName="assume", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="operator")["AccessKey"]
        iam.create_user(UserName="auditor")  # the test's own reads of what the pipeline stored
        iam.put_user_policy(UserName="auditor", PolicyName="read-history", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:Scan", "Resource": "*"}]}))
        auditor_key = iam.create_access_key(UserName="auditor")["AccessKey"]
        auditor = boto3.client("dynamodb", aws_access_key_id=auditor_key["AccessKeyId"],
                               aws_secret_access_key=auditor_key["SecretAccessKey"])
        iam.create_role(RoleName="enforced-execution", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"AWS": "arn:aws:iam::123456789012:user/operator"}}]}))
        iam.put_role_policy(RoleName="enforced-execution", PolicyName="execution", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": enforceable(statements(role_arn))}))

        urllib.request.urlopen(urllib.request.Request(f"{server.url}/moto-api/reset-auth", data=b"0", method="POST",
                                                      headers={"Content-Type": "text/plain"}))
        operator = boto3.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        assumed = operator.assume_role(RoleArn="arn:aws:iam::123456789012:role/enforced-execution",
                                       RoleSessionName="mwaa")["Credentials"]
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", assumed["AccessKeyId"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", assumed["SecretAccessKey"])
        monkeypatch.setenv("AWS_SESSION_TOKEN", assumed["SessionToken"])
        monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # it keeps the credentials it first found

        with pytest.raises(ClientError, match="AccessDenied"):  # enforcement is on
            boto3.client("s3").put_object(Bucket=LAKE["BucketName"], Key="team-a/elsewhere/x.json", Body=b"{}")
        with pytest.raises(ClientError, match="AccessDenied|not authorized"):
            boto3.client("dynamodb").delete_table(TableName=LAKE["HistoryTableName"])
        run_pipeline(lake_stack, monkeypatch, history_reader=auditor)
    finally:
        server.stop()
