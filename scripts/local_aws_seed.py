#!/usr/bin/env python3
"""Seeds the emulator's local AWS (a moto server) with what KloudHub expects to find in its own
AWS account, and a demo customer account to connect. Prints the result as one JSON object.

Usage: local_aws_seed.py ENDPOINT REGION [unchecked]

Signature checking is switched off while KloudHub's administrator (an IAM user allowed
everything) is made, and switched on again at the end, so every later call must be signed as
AWS checks it and allowed by the caller's IAM policy; with `unchecked` it stays off (the local
Secrets Manager beside real AWS).
"""
import json
import secrets
import sys
import urllib.request

import boto3

endpoint, region = sys.argv[1], sys.argv[2]
checks_signatures = sys.argv[3:] != ["unchecked"]
CUSTOMER_ACCOUNT = "210987654321"


def reset_auth(value):
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth", data=value.encode(), headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(request).read()


def client(service, credentials=None):
    credentials = credentials or {"aws_access_key_id": "AKIASEEDINGONLY00000", "aws_secret_access_key": "seeding"}
    return boto3.client(service, endpoint_url=endpoint, region_name=region, **credentials)


reset_auth("inf")
iam = client("iam")
iam.create_user(UserName="kloudhub-local")
iam.put_user_policy(
    UserName="kloudhub-local", PolicyName="everything",
    PolicyDocument=json.dumps({"Version": "2012-10-17",
                               "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="kloudhub-local")["AccessKey"]
own = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}

kms = client("kms", own)
kms_key = kms.create_key(Description="KloudHub envelope encryption", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
kms.create_alias(AliasName="alias/kloudhub", TargetKeyId=kms_key["KeyId"])

s3 = client("s3", own)
buckets = {}
for purpose in ("state", "logs", "blueprints", "exports"):
    name = f"kloudhub-local-{purpose}"
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    buckets[purpose] = name

ses = client("ses", own)
ses.verify_email_identity(EmailAddress="notifications@kloudhub.local")

# The demo customer: a role in another account that trusts KloudHub's account with an external id.
external_id = "kh-demo-" + secrets.token_hex(8)
bootstrap = client("sts", own).assume_role(
    RoleArn=f"arn:aws:iam::{CUSTOMER_ACCOUNT}:role/OrganizationAccountAccessRole", RoleSessionName="seed")["Credentials"]
customer_iam = client("iam", {"aws_access_key_id": bootstrap["AccessKeyId"],
                              "aws_secret_access_key": bootstrap["SecretAccessKey"],
                              "aws_session_token": bootstrap["SessionToken"]})
own_account = client("sts", own).get_caller_identity()["Account"]
role = customer_iam.create_role(
    RoleName="KloudHubAccess",
    AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{own_account}:root"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]}))["Role"]
customer_iam.put_role_policy(
    RoleName="KloudHubAccess", PolicyName="read-and-deploy",
    PolicyDocument=json.dumps({"Version": "2012-10-17",
                               "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
if checks_signatures:
    reset_auth("0")

print(json.dumps({
    "accessKeyID": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"], "accountID": own_account,
    "kmsKeyID": kms_key["KeyId"], "kmsKeyARN": kms_key["Arn"], "buckets": buckets,
    "demoCustomer": {"accountID": CUSTOMER_ACCOUNT, "roleARN": role["Arn"], "externalID": external_id},
}))
