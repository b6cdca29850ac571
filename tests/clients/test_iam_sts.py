"""IAM and STS with boto3 and the AWS CLI, against lathe and moto alike."""

import json

import botocore.exceptions
import pytest

from conftest import error_code, status_code

ACCOUNT = "000000000000"
MOTO_ACCOUNT = "123456789012"


def account(target):
    return ACCOUNT if target.kind == "lathe" else MOTO_ACCOUNT


def trust_account(target):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account(target)}:root"}, "Action": "sts:AssumeRole"}],
        }
    )


TRUST_BEDROCK = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "bedrock.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            }
        ],
    }
)
READ_DATA = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]}],
    }
)


def test_role_lifecycle(target, unique):
    iam = target.client("iam")
    # Terraform's name_prefix: the prefix, a timestamp and a counter.
    name = unique("terraform") + "0001"
    role = iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=TRUST_BEDROCK,
        Description="training jobs",
        Tags=[{"Key": "team", "Value": "ml"}],
    )["Role"]
    assert role["Arn"] == f"arn:aws:iam::{account(target)}:role/{name}"
    assert role["RoleId"].startswith("AROA")
    fetched = iam.get_role(RoleName=name)["Role"]
    assert fetched["AssumeRolePolicyDocument"] == json.loads(TRUST_BEDROCK)
    assert fetched["Description"] == "training jobs"
    with pytest.raises(botocore.exceptions.ClientError) as duplicate:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_BEDROCK)
    assert error_code(duplicate) == "EntityAlreadyExists"
    assert status_code(duplicate) == 409
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=trust_account(target))
    assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == json.loads(trust_account(target))
    assert name in [r["RoleName"] for r in iam.list_roles()["Roles"]]
    iam.tag_role(RoleName=name, Tags=[{"Key": "stage", "Value": "dev"}])
    iam.untag_role(RoleName=name, TagKeys=["team"])
    assert iam.list_role_tags(RoleName=name)["Tags"] == [{"Key": "stage", "Value": "dev"}]
    iam.delete_role(RoleName=name)
    with pytest.raises(botocore.exceptions.ClientError) as missing:
        iam.get_role(RoleName=name)
    assert error_code(missing) == "NoSuchEntity"
    assert status_code(missing) == 404


def test_policies_attachments_and_inline(target, unique):
    iam = target.client("iam")
    role = unique("role")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST_BEDROCK)
    policy_name = unique("policy")
    policy = iam.create_policy(PolicyName=policy_name, PolicyDocument=READ_DATA, Description="read data")["Policy"]
    arn = policy["Arn"]
    assert arn == f"arn:aws:iam::{account(target)}:policy/{policy_name}"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v1"
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert version["Document"] == json.loads(READ_DATA)
    assert arn in [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]]
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]] == [arn]
    if target.enforces_every_rule:
        with pytest.raises(botocore.exceptions.ClientError) as attached:
            iam.delete_policy(PolicyArn=arn)
        assert error_code(attached) == "DeleteConflict"
    with pytest.raises(botocore.exceptions.ClientError) as busy_role:
        iam.delete_role(RoleName=role)
    assert error_code(busy_role) == "DeleteConflict"
    iam.put_role_policy(RoleName=role, PolicyName="inline", PolicyDocument=READ_DATA)
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["inline"]
    assert iam.get_role_policy(RoleName=role, PolicyName="inline")["PolicyDocument"] == json.loads(READ_DATA)
    iam.delete_role_policy(RoleName=role, PolicyName="inline")
    with pytest.raises(botocore.exceptions.ClientError) as no_inline:
        iam.get_role_policy(RoleName=role, PolicyName="inline")
    assert error_code(no_inline) == "NoSuchEntity"
    iam.detach_role_policy(RoleName=role, PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)
    iam.delete_role(RoleName=role)
    with pytest.raises(botocore.exceptions.ClientError) as gone:
        iam.get_policy(PolicyArn=arn)
    assert error_code(gone) == "NoSuchEntity"


def test_malformed_policy_document(target, unique):
    iam = target.client("iam")
    with pytest.raises(botocore.exceptions.ClientError) as malformed:
        iam.create_policy(PolicyName=unique("broken"), PolicyDocument='{"Version": "2012-10-17", "Statement": [')
    assert error_code(malformed) == "MalformedPolicyDocument"


def test_caller_identity_and_assume_role(target, unique):
    sts = target.client("sts")
    identity = sts.get_caller_identity()
    assert identity["Account"] == account(target)
    iam = target.client("iam")
    role = unique("worker")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust_account(target))
    assumed = sts.assume_role(RoleArn=f"arn:aws:iam::{account(target)}:role/{role}", RoleSessionName="job-1", DurationSeconds=900)
    credentials = assumed["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{account(target)}:assumed-role/{role}/job-1"
    as_role = target.client(
        "sts",
        access_key=credentials["AccessKeyId"],
        secret_key=credentials["SecretAccessKey"],
        session_token=credentials["SessionToken"],
    )
    assert as_role.get_caller_identity()["Arn"] == f"arn:aws:sts::{account(target)}:assumed-role/{role}/job-1"


def test_iam_and_sts_from_the_cli(target, unique):
    role = unique("cli-role")
    created = target.cli("iam", "create-role", "--role-name", role, "--assume-role-policy-document", trust_account(target))
    assert created["Role"]["RoleName"] == role
    policy = target.cli("iam", "create-policy", "--policy-name", unique("cli-policy"), "--policy-document", READ_DATA)
    target.cli("iam", "attach-role-policy", "--role-name", role, "--policy-arn", policy["Policy"]["Arn"])
    attached = target.cli("iam", "list-attached-role-policies", "--role-name", role)
    assert attached["AttachedPolicies"][0]["PolicyArn"] == policy["Policy"]["Arn"]
    identity = target.cli("sts", "get-caller-identity")
    assert identity["Account"] == account(target)
    assumed = target.cli("sts", "assume-role", "--role-arn", created["Role"]["Arn"], "--role-session-name", "cli")
    assert assumed["Credentials"]["SessionToken"]
    target.cli("iam", "detach-role-policy", "--role-name", role, "--policy-arn", policy["Policy"]["Arn"])
    target.cli("iam", "delete-policy", "--policy-arn", policy["Policy"]["Arn"])
    target.cli("iam", "delete-role", "--role-name", role)
    missing = target.cli("iam", "get-role", "--role-name", role, check=False)
    assert missing.returncode != 0 and "NoSuchEntity" in missing.stderr


def test_policy_versions(target, unique):
    iam = target.client("iam")
    arn = iam.create_policy(PolicyName=unique("evolving"), PolicyDocument=READ_DATA)["Policy"]["Arn"]
    read_all = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    version = iam.create_policy_version(PolicyArn=arn, PolicyDocument=read_all, SetAsDefault=True)["PolicyVersion"]
    assert version["VersionId"] == "v2" and version["IsDefaultVersion"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    listed = {v["VersionId"]: v["IsDefaultVersion"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]}
    assert listed == {"v1": False, "v2": True}
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["Document"] == json.loads(READ_DATA)
    with pytest.raises(botocore.exceptions.ClientError) as default:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    assert error_code(default) == "DeleteConflict"
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    iam.delete_policy(PolicyArn=arn)
