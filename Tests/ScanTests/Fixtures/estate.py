#!/usr/bin/env python3
"""Seeds a realistic AWS estate into a moto server and prints the exact scan result expected for it.

Usage:
  estate.py --endpoint URL --access-key-id K --secret-access-key S [--session-token T]
            --regions us-east-1,eu-west-1 --as-of 2027-03-09T12:00:00Z [--scale N] [--seed N]

The credentials are those of the account to seed (normally obtained by AssumeRole into the customer
account). The account is expected to be empty of the scanned resource types. `--as-of` is the time the
scan judges ages and metric windows by; CloudWatch datapoints are written relative to it.

The expected result is computed from what this script created (ids, the root volumes moto attaches,
snapshot start times and stop reasons are read back from moto's responses), with the price table and
the waste rules of issue 7, in exact decimal arithmetic. It is printed as one JSON document on stdout;
progress and timings go to stderr. See README.md in this folder.
"""
import argparse
import datetime as dt
import io
import json
import random
import re
import sys
import time
import zipfile
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import boto3
from botocore.config import Config

D = Decimal
HOURS = D(730)
GIB = D(1073741824)
FOUR = D("0.0001")

# ---------------------------------------------------------------------------------------------
# Price table (USD). A region not listed: everything there is unpriced.
# ---------------------------------------------------------------------------------------------
_US = {
    "ebs": {"gp2": "0.10", "gp3": "0.08", "io1": "0.125", "io2": "0.125", "st1": "0.045", "sc1": "0.015",
            "standard": "0.05"},
    "snapshot": "0.05", "ipv4": "0.005", "nat": "0.045", "alb": "0.0225", "nlb": "0.0225",
    "ec2": {"t3.micro": "0.0104", "t3.small": "0.0208", "t3.medium": "0.0416", "t3.large": "0.0832",
            "m5.large": "0.096", "m5.xlarge": "0.192", "c5.large": "0.085", "c5.xlarge": "0.17",
            "r5.large": "0.126", "t2.micro": "0.0116", "t2.medium": "0.0464", "m4.large": "0.10",
            "c4.large": "0.10", "r4.large": "0.133"},
    "rds": {"db.t3.micro": "0.017", "db.t3.small": "0.034", "db.t3.medium": "0.068", "db.m5.large": "0.171"},
    "rds_storage": {"gp2": "0.115", "gp3": "0.115"}, "logs": "0.03",
}
_EU = {
    "ebs": {"gp2": "0.11", "gp3": "0.088", "io1": "0.138", "io2": "0.138", "st1": "0.05", "sc1": "0.0168",
            "standard": "0.055"},
    "snapshot": "0.05", "ipv4": "0.005", "nat": "0.048", "alb": "0.0252", "nlb": "0.0252",
    "ec2": {"t3.micro": "0.0114", "t3.small": "0.0228", "t3.medium": "0.0456", "t3.large": "0.0912",
            "m5.large": "0.107", "m5.xlarge": "0.214", "c5.large": "0.096", "c5.xlarge": "0.192",
            "r5.large": "0.141", "t2.micro": "0.0126", "t2.medium": "0.05", "m4.large": "0.111",
            "c4.large": "0.113", "r4.large": "0.148"},
    "rds": {"db.t3.micro": "0.018", "db.t3.small": "0.036", "db.t3.medium": "0.072", "db.m5.large": "0.19"},
    "rds_storage": {"gp2": "0.127", "gp3": "0.127"}, "logs": "0.0315",
}
_AP = {
    "ebs": {"gp2": "0.12", "gp3": "0.096", "io1": "0.138", "io2": "0.138", "st1": "0.054", "sc1": "0.018",
            "standard": "0.08"},
    "snapshot": "0.055", "ipv4": "0.005", "nat": "0.059", "alb": "0.0252", "nlb": "0.0252",
    "ec2": {"t3.micro": "0.0132", "t3.small": "0.0264", "t3.medium": "0.0528", "t3.large": "0.1056",
            "m5.large": "0.12", "m5.xlarge": "0.24", "c5.large": "0.111", "c5.xlarge": "0.222",
            "r5.large": "0.151", "t2.micro": "0.0146", "t2.medium": "0.0584", "m4.large": "0.125",
            "c4.large": "0.13", "r4.large": "0.16"},
    "rds": {"db.t3.micro": "0.026", "db.t3.small": "0.052", "db.t3.medium": "0.104", "db.m5.large": "0.236"},
    "rds_storage": {"gp2": "0.138", "gp3": "0.138"}, "logs": "0.033",
}
PRICES = {"us-east-1": _US, "us-west-2": _US, "eu-west-1": _EU, "ap-southeast-2": _AP}
PREVIOUS_GENERATION = {"t2": "t3", "m4": "m5", "c4": "c5", "r4": "r5"}


class Pricing:
    def __init__(self, region):
        self.table = PRICES.get(region)

    def _get(self, *path):
        node = self.table
        for key in path:
            if node is None or key not in node:
                return None
            node = node[key]
        return D(node)

    def instance(self, itype, state):
        hourly = self._get("ec2", itype)
        if hourly is None:
            return None
        if state in ("running", "pending"):
            return hourly * HOURS
        return D(0)  # stopped/stopping: priced, compute is free

    def volume(self, vtype, size):
        price = self._get("ebs", vtype)
        return None if price is None else D(size) * price

    def snapshot(self, size):
        price = self._get("snapshot")
        return None if price is None else D(size) * price

    def elastic_ip(self):
        price = self._get("ipv4")
        return None if price is None else price * HOURS

    def nat(self):
        price = self._get("nat")
        return None if price is None else price * HOURS

    def load_balancer(self, lb_type):
        key = {"application": "alb", "network": "nlb"}.get(lb_type)
        price = self._get(key) if key else None
        return None if price is None else price * HOURS

    def rds_compute(self, cls, multi_az):
        hourly = self._get("rds", cls)
        return None if hourly is None else hourly * HOURS * (2 if multi_az else 1)

    def rds(self, cls, storage_type, allocated, multi_az):
        compute = self.rds_compute(cls, multi_az)
        storage = self._get("rds_storage", storage_type)
        if compute is None or storage is None:
            return None
        return compute + D(allocated) * storage * (2 if multi_az else 1)

    def log_group(self, stored_bytes):
        price = self._get("logs")
        return None if price is None else D(stored_bytes) / GIB * price

    def previous_generation_saving(self, itype):
        family, _, size = itype.partition(".")
        if family not in PREVIOUS_GENERATION:
            return None
        old = self._get("ec2", itype)
        new = self._get("ec2", f"{PREVIOUS_GENERATION[family]}.{size}")
        if old is None or new is None:
            return None
        return (old - new) * HOURS


def money(value):
    return None if value is None else str(value.quantize(FOUR, rounding=ROUND_HALF_UP))


STOP_REASON = re.compile(r"^User initiated \((\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (GMT|UTC)\)$")


def parse_stop_time(reason):
    """AWS writes 'User initiated (2024-01-02 03:04:05 GMT)'; moto 5.2.1 writes '... UTC)'. Both accepted."""
    match = STOP_REASON.match(reason or "")
    if not match:
        return None
    return dt.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.timezone.utc)


# ---------------------------------------------------------------------------------------------
# CPU / traffic / connection profiles: one datapoint a day at as_of - k days - 12 h (k = 0..13),
# so every point sits in the middle of its daily bucket. A point at k = 14 (outside the 14-day
# window) or k >= 7 for RDS (outside the 7-day window) tests that the scanner keeps to its window.
# ---------------------------------------------------------------------------------------------
def cpu_profile(kind, rng):
    if kind == "low":          # 5 days <= 10 (one exactly 10.0) -> finding
        lows = {0: 10.0, 2: 3.5, 5: 7.25, 9: 1.0, 12: 9.9}
        return {k: lows.get(k, round(rng.uniform(35, 80), 2)) for k in range(14)}
    if kind == "low-all":      # every day <= 10 -> finding
        return {k: round(rng.uniform(0.5, 9.5), 2) for k in range(14)}
    if kind == "busy3":        # exactly 3 days <= 10 in the window, one more just outside it -> no finding
        values = {k: round(rng.uniform(40, 90), 2) for k in range(14)}
        values.update({1: 10.0, 6: 4.0, 13: 2.5, 14: 1.0})
        return values
    if kind == "busy":
        return {k: round(rng.uniform(30, 95), 2) for k in range(14)}
    return {}


def nat_profile(kind):
    if kind == "idle":         # 14 x 50 MB = 700 MB < 1 GB (plus 5 GB just outside the window) -> finding
        values = {k: 50_000_000.0 for k in range(14)}
        values[14] = 5_000_000_000.0
        return values
    if kind == "busy":
        return {k: 3_000_000_000.0 for k in range(14)}
    if kind == "exact":        # exactly 1,000,000,000 bytes: not < 1 GB -> no finding
        values = {k: 71_428_571.0 for k in range(13)}
        values[13] = 1_000_000_000.0 - 13 * 71_428_571.0
        return values
    return {}                  # "none": no datapoints count as 0 -> finding


def rds_profile(kind, rng):
    if kind == "idle":         # 0 on each of the last 7 days, connections before that -> finding
        return {k: (0.0 if k < 7 else float(rng.randint(3, 12))) for k in range(14)}
    if kind == "busy":
        values = {k: float(rng.randint(2, 40)) for k in range(14)}
        values[3] = 0.0
        return values
    return {}


# ---------------------------------------------------------------------------------------------
class Estate:
    def __init__(self, args):
        self.args = args
        self.as_of = parse_time(args.as_of)
        self.rng = random.Random(args.seed)
        self.token = "%08x" % self.rng.getrandbits(32)
        self.creds = {"aws_access_key_id": args.access_key_id, "aws_secret_access_key": args.secret_access_key}
        if args.session_token:
            self.creds["aws_session_token"] = args.session_token
        # moto's server fails (HTTP 500, BadGzipFile) on gzip-compressed request bodies, which botocore sends
        # for PutMetricData bodies over 10 KiB: keep requests uncompressed.
        self.config = Config(retries={"mode": "standard", "max_attempts": 5}, disable_request_compression=True)
        self.resources = []
        self.findings = []
        self.calls = 0
        self.account = self.client("sts", args.regions[0]).get_caller_identity()["Account"]

    def client(self, service, region):
        c = boto3.client(service, endpoint_url=self.args.endpoint, region_name=region, config=self.config,
                         **self.creds)
        c.meta.events.register("before-call", self._count)
        return c

    def _count(self, **_):
        self.calls += 1

    def resource(self, arn, rtype, region, name, cost):
        self.resources.append({"arn": arn, "resource_type": rtype, "region": region, "name": name,
                               "_cost": cost})

    def finding(self, arn, rule, saving):
        if saving is None:  # a saving that cannot be priced is not reported (see README)
            return
        self.findings.append({"arn": arn, "rule": rule, "_saving": saving})

    # -----------------------------------------------------------------------------------------
    def seed_global(self):
        region = self.args.regions[0]
        iam = self.client("iam", region)
        role_name = f"kloudhub-estate-lambda-{self.token}"
        try:
            self.lambda_role = iam.create_role(
                RoleName=role_name,
                AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
        except iam.exceptions.EntityAlreadyExistsException:
            self.lambda_role = iam.get_role(RoleName=role_name)["Role"]["Arn"]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as archive:
            archive.writestr("handler.py", "def handler(event, context):\n    return {'ok': True}\n")
        self.lambda_zip = buf.getvalue()

        s3 = self.client("s3", region)
        for u in range(self.args.scale):
            name = f"kloudhub-estate-{self.token}-assets-{u}"
            if region == "us-east-1":
                s3.create_bucket(Bucket=name)
            else:
                s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
            self.resource(f"arn:aws:s3:::{name}", "s3:bucket", "global", name, None)

    # -----------------------------------------------------------------------------------------
    def seed_region(self, ri, region):
        p = Pricing(region)
        acct = self.account
        ec2 = self.client("ec2", region)
        elb = self.client("elbv2", region)
        rds = self.client("rds", region)
        lam = self.client("lambda", region)
        logs = self.client("logs", region)
        cw = self.client("cloudwatch", region)
        rng = random.Random(f"{self.args.seed}:{region}")

        azs = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2]
        vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{16 * i}.0/20", AvailabilityZone=az)["Subnet"]["SubnetId"]
                   for i, az in enumerate(azs)]
        image = sorted(i["ImageId"] for i in ec2.describe_images(Owners=["amazon"])["Images"])[0]

        def tags(rtype, name):
            return [{"ResourceType": rtype, "Tags": [{"Key": "Name", "Value": name}]}] if name else []

        volumes = {}    # id -> dict(size, type, state, name)
        instances = {}  # id -> dict(type, state, name, attached volumes)
        metrics = []    # put_metric_data datums

        def add_metric(namespace, metric, dim_name, dim_value, values, unit):
            for k, value in values.items():
                metrics.append({"MetricName": metric, "Dimensions": [{"Name": dim_name, "Value": dim_value}],
                                "Timestamp": self.as_of - dt.timedelta(days=k, hours=12), "Value": value,
                                "Unit": unit, "_ns": namespace})

        def run(name, itype, root=None, cpu=None):
            kwargs = {"ImageId": image, "InstanceType": itype, "MinCount": 1, "MaxCount": 1,
                      "SubnetId": subnets[0], "TagSpecifications": tags("instance", name)}
            if root:
                kwargs["BlockDeviceMappings"] = [{"DeviceName": "/dev/xvda", "Ebs": {
                    "VolumeSize": root[1], "VolumeType": root[0], "DeleteOnTermination": True}}]
            inst = ec2.run_instances(**kwargs)["Instances"][0]
            iid = inst["InstanceId"]
            instances[iid] = {"type": itype, "state": "running", "name": name, "cpu": cpu}
            return iid

        def volume(name, vtype, size, attach_to=None, device=None):
            kwargs = {"AvailabilityZone": azs[0], "Size": size, "VolumeType": vtype,
                      "TagSpecifications": tags("volume", name)}
            if vtype in ("io1", "io2"):
                kwargs["Iops"] = 100
            vid = ec2.create_volume(**kwargs)["VolumeId"]
            volumes[vid] = {"size": size, "type": vtype, "state": "available", "name": name}
            if attach_to:
                ec2.attach_volume(VolumeId=vid, InstanceId=attach_to, Device=device)
                volumes[vid]["state"] = "in-use"
                volumes[vid]["instance"] = attach_to
            return vid

        snapshots = []  # (id, volume id, size, start time, name)

        def snapshot(vid, name):
            snap = ec2.create_snapshot(VolumeId=vid, TagSpecifications=tags("snapshot", name))
            start = snap["StartTime"].astimezone(dt.timezone.utc)
            snapshots.append((snap["SnapshotId"], vid, snap["VolumeSize"], start, name))

        addresses = []  # (allocation id, associated, name)

        def address(name, instance=None):
            alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
            if name:
                ec2.create_tags(Resources=[alloc], Tags=[{"Key": "Name", "Value": name}])
            if instance:
                ec2.associate_address(AllocationId=alloc, InstanceId=instance)
            addresses.append([alloc, bool(instance), name])
            return alloc

        nats = []
        lbs = []
        dbs = []

        for u in range(self.args.scale):
            odd = (ri + u) % 2 == 1
            # --- instances -------------------------------------------------------------------
            web_a = run(f"web-{u}a", "t3.micro", cpu="busy")
            run(f"web-{u}b", "t3.micro", cpu="low")
            api = run(f"api-{u}", "t3.medium", cpu="low")
            app = run(f"app-{u}", "m5.large", root=("gp3", 20), cpu="busy3")
            run(f"batch-{u}", "c5.large" if not odd else "c5.xlarge")                 # no metrics
            run(f"cache-{u}", "r5.large", root=("gp3", 30), cpu="low-all")
            run(f"legacy-{u}", "t2.micro", cpu="low")                                  # prev gen + low
            run(f"old-app-{u}", "m4.large", cpu="busy")                                # prev gen
            if odd:
                run(f"search-{u}", "r4.large", cpu="busy")                             # prev gen r4 -> r5
            else:
                run("", "t2.medium", cpu="busy3")                                      # unnamed, prev gen
            run(f"ml-{u}", "x2idn.16xlarge", cpu="low-all")                           # unpriced
            old_worker = run(f"old-worker-{u}", "c4.large")                            # stopped long
            dev = run(f"dev-{u}", "t3.medium")                                         # stopped, extra volume
            if u == 0:
                gone = run(f"tmp-{u}", "t3.micro")
                ec2.terminate_instances(InstanceIds=[gone])
                del instances[gone]

            # root volumes moto attached to the instances (8 GiB gp2 by default, or the mapping given)
            for page in ec2.get_paginator("describe_volumes").paginate(
                    Filters=[{"Name": "attachment.instance-id", "Values": list(instances)}]):
                for v in page["Volumes"]:
                    if v["VolumeId"] not in volumes:
                        volumes[v["VolumeId"]] = {"size": v["Size"], "type": v["VolumeType"],
                                                  "state": v["State"], "name": "",
                                                  "instance": v["Attachments"][0]["InstanceId"]}

            # --- volumes ----------------------------------------------------------------------
            volume(f"api-data-{u}", "gp2", 200 + 10 * ri, attach_to=api, device="/dev/sdf")
            app_data = volume(f"app-data-{u}", "gp3", 100, attach_to=app, device="/dev/sdf")
            volume(f"dev-data-{u}", "gp2", 50, attach_to=dev, device="/dev/sdf")
            scratch = volume(f"scratch-{u}", "gp2", 100)
            volume("", "gp3", 50)
            if odd:
                volume("", "io1", 20)
            else:
                volume(f"archive-{u}", "st1", 500)
            temp = volume(f"temp-{u}", "gp2", 30 + ri)

            # --- snapshots --------------------------------------------------------------------
            snapshot(app_data, f"app-data-backup-{u}")
            snapshot(scratch, "")
            snapshot(temp, f"old-backup-{u}")
            ec2.delete_volume(VolumeId=temp)
            del volumes[temp]

            # --- Elastic IPs ------------------------------------------------------------------
            address(f"web-ip-{u}", instance=web_a)
            address("")
            if odd:
                address(f"spare-ip-{u}")

            # --- NAT gateway ------------------------------------------------------------------
            nat_eip = address(f"nat-ip-{u}")
            nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=nat_eip,
                                         TagSpecifications=tags("natgateway", f"nat-{u}"))["NatGateway"]["NatGatewayId"]
            addresses[-1][1] = True  # the NAT gateway's address is associated with its network interface
            nats.append((nat, f"nat-{u}", ["idle", "busy", "none", "exact"][(ri + u) % 4]))
            if u == 0 and ri == 0:   # a deleted (private, address-less) NAT gateway: skipped by the scan
                gone_nat = ec2.create_nat_gateway(SubnetId=subnets[0], ConnectivityType="private")
                ec2.delete_nat_gateway(NatGatewayId=gone_nat["NatGateway"]["NatGatewayId"])

            # --- load balancers ---------------------------------------------------------------
            alb = elb.create_load_balancer(Name=f"web-alb-{u}", Subnets=subnets, Type="application")["LoadBalancers"][0]
            tg = elb.create_target_group(Name=f"web-tg-{u}", Protocol="HTTP", Port=80, VpcId=vpc,
                                         TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
            elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": web_a}])
            elb.create_listener(LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                                DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
            lbs.append((alb, True))
            nlb = elb.create_load_balancer(Name=f"tcp-nlb-{u}", Subnets=subnets, Type="network")["LoadBalancers"][0]
            tg = elb.create_target_group(Name=f"tcp-tg-{u}", Protocol="TCP", Port=80, VpcId=vpc,
                                         TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
            elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": dev}])  # dev is stopped below: "unused"
            elb.create_listener(LoadBalancerArn=nlb["LoadBalancerArn"], Protocol="TCP", Port=80,
                                DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
            lbs.append((nlb, False))
            if not odd:
                spare = elb.create_load_balancer(Name=f"spare-alb-{u}", Subnets=subnets,
                                                 Type="application")["LoadBalancers"][0]
                lbs.append((spare, False))  # no target groups at all

            # --- stop instances (after registering dev as a target) ----------------------------
            ec2.stop_instances(InstanceIds=[old_worker, dev])
            instances[old_worker]["state"] = instances[dev]["state"] = "stopped"

            # --- RDS ----------------------------------------------------------------------------
            def db(ident, cls, storage, size, multi_az, profile):
                d = rds.create_db_instance(
                    DBInstanceIdentifier=ident, DBInstanceClass=cls, Engine="postgres", MasterUsername="estate",
                    MasterUserPassword="estate-password-1", AllocatedStorage=size, StorageType=storage,
                    MultiAZ=multi_az)["DBInstance"]
                dbs.append((d["DBInstanceArn"], ident, cls, storage, size, multi_az, profile))

            db(f"orders-db-{u}", "db.t3.micro", "gp2", 20, False, "idle")
            db(f"users-db-{u}", "db.t3.micro", "gp2", 50, True, "busy")
            if odd:
                db(f"reports-db-{u}", "db.t3.small", "gp2", 100, False, "none")
            if u == 0 and ri == 0:
                db(f"analytics-db-{u}", "db.r6g.large", "gp3", 100, True, "idle")  # unpriced class

            # --- Lambda -------------------------------------------------------------------------
            fn = lam.create_function(FunctionName=f"thumbnailer-{u}", Runtime="python3.12", Role=self.lambda_role,
                                     Handler="handler.handler", Code={"ZipFile": self.lambda_zip})["FunctionArn"]
            self.resource(fn, "lambda:function", region, f"thumbnailer-{u}", None)

            # --- log groups ---------------------------------------------------------------------
            def log_group(name, retention, stored):
                logs.create_log_group(logGroupName=name)
                if retention:
                    logs.put_retention_policy(logGroupName=name, retentionInDays=retention)
                if stored:
                    logs.create_log_stream(logGroupName=name, logStreamName="main")
                    chunk, left = 200_000, stored
                    stamp = int(time.time() * 1000)
                    while left:
                        batch = []
                        while left and len(batch) < 5:
                            size = min(chunk, left)
                            batch.append({"timestamp": stamp, "message": "x" * size})
                            left -= size
                        logs.put_log_events(logGroupName=name, logStreamName="main", logEvents=batch)
                arn = f"arn:aws:logs:{region}:{acct}:log-group:{name}"
                cost = p.log_group(stored)
                self.resource(arn, "logs:log-group", region, name, cost)
                if not retention:
                    self.finding(arn, "log_group_without_retention", cost)

            big = (3 + 2 * ri) * 1_000_000 if u == 0 else 1234 + u
            log_group(f"/kloudhub-estate/{u}/app", None, big)
            log_group(f"/kloudhub-estate/{u}/audit", 30, 4096 + ri)
            log_group(f"/kloudhub-estate/{u}/empty", None, 0)

        # --- read back what moto decided (stop reasons) --------------------------------------
        stopped_at = {}
        for page in ec2.get_paginator("describe_instances").paginate(InstanceIds=list(instances)):
            for res in page["Reservations"]:
                for inst in res["Instances"]:
                    if instances[inst["InstanceId"]]["state"] == "stopped":
                        stopped_at[inst["InstanceId"]] = parse_stop_time(inst.get("StateTransitionReason"))

        # --- metrics --------------------------------------------------------------------------
        for iid, inst in instances.items():
            if inst["cpu"] and inst["state"] == "running":
                add_metric("AWS/EC2", "CPUUtilization", "InstanceId", iid, cpu_profile(inst["cpu"], rng), "Percent")
        for nat, _, profile in nats:
            add_metric("AWS/NATGateway", "BytesOutToDestination", "NatGatewayId", nat, nat_profile(profile), "Bytes")
        for arn, ident, *_, profile in dbs:
            add_metric("AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", ident, rds_profile(profile, rng),
                       "Count")
        by_ns = {}
        for m in metrics:
            by_ns.setdefault(m.pop("_ns"), []).append(m)
        for ns, data in by_ns.items():
            for i in range(0, len(data), 500):
                cw.put_metric_data(Namespace=ns, MetricData=data[i:i + 500])
        # expected evaluation uses the same values (index them)
        series = {}
        for m in metrics:
            key = (m["MetricName"], m["Dimensions"][0]["Value"])
            series.setdefault(key, []).append((m["Timestamp"], D(str(m["Value"]))))

        def window(key, days):
            lo = self.as_of - dt.timedelta(days=days)
            return [v for t, v in series.get(key, []) if lo < t <= self.as_of]

        # --- expected resources and findings ----------------------------------------------------
        for iid, inst in instances.items():
            arn = f"arn:aws:ec2:{region}:{acct}:instance/{iid}"
            cost = p.instance(inst["type"], inst["state"])
            self.resource(arn, "ec2:instance", region, inst["name"], cost)
            if inst["state"] == "stopped":
                when = stopped_at.get(iid)
                if when is not None and self.as_of - when > dt.timedelta(days=7):
                    attached = [p.volume(v["type"], v["size"]) for v in volumes.values()
                                if v.get("instance") == iid]
                    self.finding(arn, "long_stopped_instance", sum((c or D(0) for c in attached), D(0)))
            if inst["state"] == "running":
                if cost is not None:
                    days = window(("CPUUtilization", iid), 14)
                    if sum(1 for v in days if v <= 10) >= 4:
                        self.finding(arn, "low_utilization_instance", cost / 2)
                self.finding(arn, "previous_generation_instance", p.previous_generation_saving(inst["type"]))

        for vid, v in volumes.items():
            arn = f"arn:aws:ec2:{region}:{acct}:volume/{vid}"
            cost = p.volume(v["type"], v["size"])
            self.resource(arn, "ec2:volume", region, v["name"], cost)
            if v["state"] == "available":
                self.finding(arn, "unattached_volume", cost)
            elif v["type"] == "gp2":
                gp2, gp3 = p.volume("gp2", v["size"]), p.volume("gp3", v["size"])
                self.finding(arn, "gp2_volume", None if gp2 is None or gp3 is None else gp2 - gp3)

        for sid, vid, size, start, name in snapshots:
            arn = f"arn:aws:ec2:{region}::snapshot/{sid}"
            cost = p.snapshot(size)
            self.resource(arn, "ec2:snapshot", region, name, cost)
            if self.as_of - start > dt.timedelta(days=90) and vid not in volumes:
                self.finding(arn, "orphaned_snapshot", cost)

        for alloc, associated, name in addresses:
            arn = f"arn:aws:ec2:{region}:{acct}:elastic-ip/{alloc}"
            cost = p.elastic_ip()
            self.resource(arn, "ec2:elastic-ip", region, name, cost)
            if not associated:
                self.finding(arn, "unassociated_elastic_ip", cost)

        for nat, name, profile in nats:
            arn = f"arn:aws:ec2:{region}:{acct}:natgateway/{nat}"
            cost = p.nat()
            self.resource(arn, "ec2:natgateway", region, name, cost)
            if sum(window(("BytesOutToDestination", nat), 14), D(0)) < D(1_000_000_000):
                self.finding(arn, "idle_nat_gateway", cost)

        for lb, healthy in lbs:
            cost = p.load_balancer(lb["Type"])
            self.resource(lb["LoadBalancerArn"], "elbv2:load-balancer", region, lb["LoadBalancerName"], cost)
            if not healthy:
                self.finding(lb["LoadBalancerArn"], "idle_load_balancer", cost)

        for arn, ident, cls, storage, size, multi_az, profile in dbs:
            self.resource(arn, "rds:db", region, ident, p.rds(cls, storage, size, multi_az))
            points = window(("DatabaseConnections", ident), 7)
            if points and all(v == 0 for v in points):
                self.finding(arn, "idle_rds_instance", p.rds_compute(cls, multi_az))

    # -----------------------------------------------------------------------------------------
    def result(self):
        resources = sorted(self.resources, key=lambda r: r["arn"])
        findings = sorted(self.findings, key=lambda f: (f["arn"], f["rule"]))
        out_r = []
        total_cost = D(0)
        for r in resources:
            cost = money(r["_cost"])
            if cost is not None:
                total_cost += D(cost)
            out_r.append({"arn": r["arn"], "resource_type": r["resource_type"], "region": r["region"],
                          "name": r["name"], "monthly_cost": cost})
        out_f = []
        total_saving = D(0)
        for f in findings:
            saving = money(f["_saving"])
            total_saving += D(saving)
            out_f.append({"arn": f["arn"], "rule": f["rule"], "monthly_saving": saving})
        return {"resources": out_r, "findings": out_f,
                "total_monthly_cost": money(total_cost), "total_monthly_saving": money(total_saving),
                "counts": dict(sorted(Counter(r["resource_type"] for r in resources).items()))}


def parse_time(text):
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--access-key-id", required=True)
    ap.add_argument("--secret-access-key", required=True)
    ap.add_argument("--session-token")
    ap.add_argument("--regions", required=True, type=lambda s: [r.strip() for r in s.split(",") if r.strip()])
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if args.scale < 1:
        ap.error("--scale must be at least 1")

    started = time.monotonic()
    estate = Estate(args)
    estate.seed_global()
    for ri, region in enumerate(args.regions):
        t0 = time.monotonic()
        estate.seed_region(ri, region)
        print(f"estate: seeded {region} in {time.monotonic() - t0:.1f}s", file=sys.stderr)
    result = estate.result()
    print(f"estate: {len(result['resources'])} resources, {len(result['findings'])} findings, "
          f"{estate.calls} calls, {time.monotonic() - started:.1f}s", file=sys.stderr)
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
