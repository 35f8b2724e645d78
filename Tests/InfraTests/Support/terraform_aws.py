#!/usr/bin/env python3
"""The local AWS side of the Terraform tests, against a moto server that checks signatures.

Usage:
  terraform_aws.py seed ENDPOINT       makes an IAM user allowed everything (with signature
                                       checks off for that moment) and prints its key as JSON
  terraform_aws.py inventory ENDPOINT  prints every resource of the kinds infra/ creates, as a
                                       sorted JSON list of "kind name" strings (signed with the
                                       key in the environment)

A KMS key pending deletion, a NAT gateway deleted and the default VPC's parts are what AWS
leaves too, and are not listed.
"""
import json
import sys
import urllib.request

import boto3

command, endpoint = sys.argv[1], sys.argv[2]
REGION = "us-east-1"


def client(service, **credentials):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, **credentials)


def seed():
    def reset_auth(value):
        request = urllib.request.Request(
            f"{endpoint}/moto-api/reset-auth", data=value.encode(), headers={"Content-Type": "text/plain"})
        urllib.request.urlopen(request).read()

    reset_auth("inf")
    iam = client("iam", aws_access_key_id="AKIASEEDINGONLY00000", aws_secret_access_key="seeding")
    iam.create_user(UserName="terraform")
    iam.put_user_policy(UserName="terraform", PolicyName="everything", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="terraform")["AccessKey"]
    reset_auth("0")
    print(json.dumps({"accessKeyID": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}))


def inventory():
    found = []
    add = lambda kind, names: found.extend(f"{kind} {name}" for name in names)
    add("lambda-function", [f["FunctionName"] for f in client("lambda").list_functions()["Functions"]])
    add("lambda-layer", [layer["LayerName"] for layer in client("lambda").list_layers()["Layers"]])
    add("s3-bucket", [b["Name"] for b in client("s3").list_buckets()["Buckets"]])
    iam = client("iam")
    add("iam-role", [r["RoleName"] for r in iam.list_roles()["Roles"]])
    add("iam-user", [u["UserName"] for u in iam.list_users()["Users"]])
    add("log-group", [g["logGroupName"] for g in client("logs").describe_log_groups()["logGroups"]])
    add("http-api", [a["Name"] for a in client("apigatewayv2").get_apis()["Items"]])
    scheduler = client("scheduler")
    add("schedule", [s["Name"] for s in scheduler.list_schedules()["Schedules"]])
    add("schedule-group", [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"] if g["Name"] != "default"])
    add("sqs-queue", client("sqs").list_queues().get("QueueUrls", []))
    add("secret", [s["Name"] for s in client("secretsmanager").list_secrets()["SecretList"]])
    kms = client("kms")
    add("kms-key", [k["KeyId"] for k in kms.list_keys()["Keys"]
                    if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] != "PendingDeletion"])
    add("kms-alias", [a["AliasName"] for a in kms.list_aliases()["Aliases"] if not a["AliasName"].startswith("alias/aws/")])
    add("ses-identity", [i["IdentityName"] for i in client("sesv2").list_email_identities()["EmailIdentities"]])
    ec2 = client("ec2")
    add("vpc", [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")])
    add("nat-gateway", [n["NatGatewayId"] for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] != "deleted"])
    add("elastic-ip", [a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]])
    rds = client("rds")
    add("db-instance", [d["DBInstanceIdentifier"] for d in rds.describe_db_instances()["DBInstances"]])
    add("db-proxy", [p["DBProxyName"] for p in rds.describe_db_proxies()["DBProxies"]])
    print(json.dumps(sorted(found)))


{"seed": seed, "inventory": inventory}[command]()
