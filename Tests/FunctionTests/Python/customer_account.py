#!/usr/bin/env python3
"""What the deployment tests check in the local AWS with boto3, a client KloudHub did not write.

Usage: customer_account.py ENDPOINT ROLE_ARN EXTERNAL_ID inventory
       customer_account.py ENDPOINT - - sent-emails

inventory: the customer account's S3 buckets, SQS queue names and IAM role names, reached by
assuming the customer role as KloudHub does (with KloudHub's own keys from the environment).
sent-emails: how many emails KloudHub's own account has sent through SES.
"""
import json
import sys

import boto3


def main():
    endpoint, role_arn, external_id, command = sys.argv[1:5]
    own = boto3.Session(region_name="us-east-1")
    if command == "sent-emails":
        points = own.client("ses", endpoint_url=endpoint).get_send_statistics()["SendDataPoints"]
        print(json.dumps(sum(point["DeliveryAttempts"] for point in points)))
        return
    credentials = own.client("sts", endpoint_url=endpoint).assume_role(
        RoleArn=role_arn, RoleSessionName="deploy-test", ExternalId=external_id)["Credentials"]
    customer = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"], region_name="us-east-1")
    buckets = [bucket["Name"] for bucket in customer.client("s3", endpoint_url=endpoint).list_buckets()["Buckets"]]
    queues = [url.rsplit("/", 1)[-1] for url in
              customer.client("sqs", endpoint_url=endpoint).list_queues().get("QueueUrls", [])]
    roles = [role["RoleName"] for role in customer.client("iam", endpoint_url=endpoint).list_roles()["Roles"]]
    print(json.dumps({"buckets": buckets, "queues": queues, "roles": roles}))


if __name__ == "__main__":
    main()
