#!/usr/bin/env python3
"""Deploys KloudHub's functions onto the emulator's local AWS (a moto server checking signatures
and IAM policies) as infra/ deploys them onto AWS: each function gets a role of its own whose
policy allows exactly its manifest's awsActions and reading its database role's secret, and the
connection string of each database role is stored as a Secrets Manager secret. Prints, as one
JSON object, the secrets' ARNs and each function's temporary credentials for its role (what
Lambda gives a function).

Usage: local_aws_provision.py ENDPOINT REGION REQUEST_FILE
  REQUEST_FILE holds: {"installation": "local", "admin": {"accessKeyID": ..., "secretAccessKey": ...},
            "databaseURLs": {"api": URL, "worker": URL, "maintenance": URL},
            "functions": [{"name": "scan", "awsActions": ["sts:AssumeRole", ...], "databaseRole": "worker"}]}
"""
import json
import sys

import boto3

endpoint, region, request_file = sys.argv[1], sys.argv[2], sys.argv[3]
with open(request_file) as file:
    request = json.load(file)
admin = {"aws_access_key_id": request["admin"]["accessKeyID"],
         "aws_secret_access_key": request["admin"]["secretAccessKey"]}
installation = request["installation"]


def client(service):
    return boto3.client(service, endpoint_url=endpoint, region_name=region, **admin)


caller = client("sts").get_caller_identity()
account = caller["Account"]
secrets = client("secretsmanager")
secret_arns = {}
for role, url in sorted(request["databaseURLs"].items()):
    name = f"kloudhub-local/{installation}/database/{role}"
    value = json.dumps({"url": url})
    try:
        secret_arns[role] = secrets.create_secret(Name=name, SecretString=value)["ARN"]
    except secrets.exceptions.ResourceExistsException:
        secret_arns[role] = secrets.put_secret_value(SecretId=name, SecretString=value)["ARN"]

iam = client("iam")
sts = client("sts")
# In AWS the Lambda service assumes a function's role; here the emulator stands in for it, as
# KloudHub's administrator.
administrator = caller["Arn"]
trust = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": administrator}, "Action": "sts:AssumeRole"}]})
credentials = {}
for function in request["functions"]:
    role_name = f"kloudhub-local-{function['name']}-function"
    statements = []
    if function["awsActions"]:
        statements.append({"Sid": "Manifest", "Effect": "Allow", "Action": sorted(function["awsActions"]),
                           "Resource": "*"})
    if function.get("databaseRole"):
        # Its own database role's secret, in any local installation, and no other role's.
        statements.append({
            "Sid": "DatabaseSecret", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
            "Resource": f"arn:aws:secretsmanager:{region}:{account}:secret:kloudhub-local/*/database/"
                        f"{function['databaseRole']}-*"})
    try:
        iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=trust, MaxSessionDuration=43200)
    except iam.exceptions.EntityAlreadyExistsException:
        iam.update_assume_role_policy(RoleName=role_name, PolicyDocument=trust)
    if statements:
        iam.put_role_policy(RoleName=role_name, PolicyName="least-privilege",
                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    else:
        try:
            iam.delete_role_policy(RoleName=role_name, PolicyName="least-privilege")
        except iam.exceptions.NoSuchEntityException:
            pass
    assumed = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role_name}",
                              RoleSessionName=f"{installation}-{function['name']}"[:64],
                              DurationSeconds=43200)["Credentials"]
    credentials[function["name"]] = {
        "accessKeyID": assumed["AccessKeyId"], "secretAccessKey": assumed["SecretAccessKey"],
        "sessionToken": assumed["SessionToken"]}

print(json.dumps({"secrets": secret_arns, "functions": credentials}))
