#!/usr/bin/env python3
"""Baseline for the scan benchmark: a plain, sequential boto3 scan making the same calls as KloudHub's scanner.

Usage:
  sequential_scan.py --endpoint URL --access-key-id K --secret-access-key S [--session-token T]
                     --regions us-east-1,eu-west-1,us-west-2,ap-southeast-2 [--as-of ISO8601]
  sequential_scan.py --endpoint URL --access-key-id K --secret-access-key S
                     --role-arn arn:aws:iam::210987654321:role/KloudHubAccess --external-id ID --regions ...

With --role-arn the given (KloudHub) credentials are used to AssumeRole into the customer account first.
Metric windows end at --as-of (default: now). Prints one JSON object:
  {"seconds": wall time of the scan, "resources": n, "calls": API calls made, "peak_rss_kb": peak RSS}

Calls, one after another, every list paginated to the end (botocore "standard" retry mode):
  per region: EC2 DescribeInstances (MaxResults 1000), DescribeVolumes (MaxResults 500),
  DescribeSnapshots (OwnerIds self, MaxResults 1000), DescribeAddresses, DescribeNatGateways (MaxResults 1000);
  ELBv2 DescribeLoadBalancers (PageSize 400), DescribeTargetGroups (PageSize 400), DescribeTargetHealth per
  target group; RDS DescribeDBInstances (MaxRecords 100); Lambda ListFunctions (MaxItems 50);
  Logs DescribeLogGroups (limit 50); CloudWatch GetMetricStatistics per running instance (CPUUtilization,
  Average, 14 days), per NAT gateway (BytesOutToDestination, Sum, 14 days), per RDS instance
  (DatabaseConnections, Maximum, 7 days), all with Period 86400; once: S3 ListBuckets.
"""
import argparse
import datetime as dt
import json
import resource
import sys
import time

import boto3
from botocore.config import Config

CONFIG = Config(retries={"mode": "standard"})


class Scan:
    def __init__(self, endpoint, creds, as_of, owner_filter=False):
        self.owner_filter = owner_filter
        self.endpoint = endpoint
        self.creds = creds
        self.as_of = as_of
        self.calls = 0
        self.resources = 0
        self.by_operation = {}  # operation -> [calls, seconds]

    def client(self, service, region):
        c = boto3.client(service, endpoint_url=self.endpoint, region_name=region, config=CONFIG, **self.creds)
        c.meta.events.register("before-call", self._before)  # once per operation (retries are not counted)
        c.meta.events.register("after-call", self._after)
        return c

    def _before(self, model, context, **_):
        self.calls += 1
        context["bench_started"] = time.monotonic()

    def _after(self, model, context, **_):
        entry = self.by_operation.setdefault(model.name, [0, 0.0])
        entry[0] += 1
        entry[1] += time.monotonic() - context.get("bench_started", time.monotonic())

    def pages(self, c, operation, key, **kwargs):
        for page in c.get_paginator(operation).paginate(**kwargs):
            yield from page.get(key, [])

    def stats(self, cw, namespace, metric, dim_name, dim_value, statistic, days):
        return cw.get_metric_statistics(
            Namespace=namespace, MetricName=metric, Dimensions=[{"Name": dim_name, "Value": dim_value}],
            StartTime=self.as_of - dt.timedelta(days=days), EndTime=self.as_of, Period=86400,
            Statistics=[statistic])["Datapoints"]

    def region(self, region, account):
        ec2 = self.client("ec2", region)
        running = []
        for res in self.pages(ec2, "describe_instances", "Reservations", PaginationConfig={"PageSize": 1000}):
            for inst in res["Instances"]:
                if inst["State"]["Name"] == "terminated":
                    continue
                self.resources += 1
                if inst["State"]["Name"] == "running":
                    running.append(inst["InstanceId"])
        self.resources += sum(1 for _ in self.pages(ec2, "describe_volumes", "Volumes",
                                                     PaginationConfig={"PageSize": 500}))
        # moto ignores OwnerIds=self (it returns the public AMI snapshots of other owners too): keep our own.
        extra = {"Filters": [{"Name": "owner-id", "Values": [account]}]} if self.owner_filter else {}
        self.resources += sum(1 for s in self.pages(ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"],
                                                     PaginationConfig={"PageSize": 1000}, **extra)
                              if s.get("OwnerId") == account)
        self.resources += len(ec2.describe_addresses()["Addresses"])
        nats = [n["NatGatewayId"] for n in self.pages(ec2, "describe_nat_gateways", "NatGateways",
                                                      PaginationConfig={"PageSize": 1000})
                if n["State"] not in ("deleted", "deleting")]
        self.resources += len(nats)

        elb = self.client("elbv2", region)
        self.resources += sum(1 for _ in self.pages(elb, "describe_load_balancers", "LoadBalancers",
                                                     PaginationConfig={"PageSize": 400}))
        for tg in list(self.pages(elb, "describe_target_groups", "TargetGroups", PaginationConfig={"PageSize": 400})):
            elb.describe_target_health(TargetGroupArn=tg["TargetGroupArn"])

        rds = self.client("rds", region)
        dbs = [d["DBInstanceIdentifier"] for d in self.pages(rds, "describe_db_instances", "DBInstances",
                                                             PaginationConfig={"PageSize": 100})]
        self.resources += len(dbs)

        lam = self.client("lambda", region)
        self.resources += sum(1 for _ in self.pages(lam, "list_functions", "Functions",
                                                     PaginationConfig={"PageSize": 50}))
        logs = self.client("logs", region)
        self.resources += sum(1 for _ in self.pages(logs, "describe_log_groups", "logGroups",
                                                     PaginationConfig={"PageSize": 50}))

        cw = self.client("cloudwatch", region)
        for iid in running:
            self.stats(cw, "AWS/EC2", "CPUUtilization", "InstanceId", iid, "Average", 14)
        for nat in nats:
            self.stats(cw, "AWS/NATGateway", "BytesOutToDestination", "NatGatewayId", nat, "Sum", 14)
        for db in dbs:
            self.stats(cw, "AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", db, "Maximum", 7)

    def run(self, regions):
        account = self.client("sts", regions[0]).get_caller_identity()["Account"]
        self.calls -= 1  # identity lookup is not part of the scanner's call list
        for region in regions:
            self.region(region, account)
        s3 = self.client("s3", regions[0])
        self.resources += len(s3.list_buckets()["Buckets"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--access-key-id", required=True)
    ap.add_argument("--secret-access-key", required=True)
    ap.add_argument("--session-token")
    ap.add_argument("--role-arn")
    ap.add_argument("--external-id")
    ap.add_argument("--regions", required=True, type=lambda s: [r.strip() for r in s.split(",") if r.strip()])
    ap.add_argument("--as-of", help="end of the metric windows (ISO 8601); default now")
    ap.add_argument("--owner-id-filter", action="store_true",
                    help="also pass Filters owner-id=<account> to DescribeSnapshots (use if the scanner does)")
    ap.add_argument("--verbose", action="store_true", help="per-operation call counts and seconds on stderr")
    args = ap.parse_args()

    creds = {"aws_access_key_id": args.access_key_id, "aws_secret_access_key": args.secret_access_key}
    if args.session_token:
        creds["aws_session_token"] = args.session_token
    as_of = dt.datetime.now(dt.timezone.utc)
    if args.as_of:
        as_of = dt.datetime.fromisoformat(args.as_of.replace("Z", "+00:00"))
        if as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=dt.timezone.utc)

    started = time.monotonic()
    if args.role_arn:
        sts = boto3.client("sts", endpoint_url=args.endpoint, region_name=args.regions[0], config=CONFIG, **creds)
        kwargs = {"RoleArn": args.role_arn, "RoleSessionName": "kloudhub-sequential-scan"}
        if args.external_id:
            kwargs["ExternalId"] = args.external_id
        c = sts.assume_role(**kwargs)["Credentials"]
        creds = {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
                 "aws_session_token": c["SessionToken"]}
    scan = Scan(args.endpoint, creds, as_of, args.owner_id_filter)
    scan.run(args.regions)
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"seconds": round(seconds, 3), "resources": scan.resources, "calls": scan.calls,
                      "peak_rss_kb": peak}))
    if args.verbose:
        for name, (count, secs) in sorted(scan.by_operation.items(), key=lambda kv: -kv[1][1]):
            print(f"{name:28} {count:5} calls {secs:8.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
