#!/usr/bin/env python3
"""The emulator's local AWS: moto_server_sigv4.py (signature checks as AWS does them), with one
more of moto's departures from AWS fixed: moto authorizes every action but S3's against the
resource "*", so a policy that names a resource never allows anything. A Secrets Manager call
that names a secret is authorized against that secret's ARN here, so a function's role allows
reading its own database role's secret and no other, as in AWS.

Usage: local_aws_server.py SERVER [moto_server arguments]
  SERVER: the path of moto_server_sigv4.py, or moto.server (moto's own, where that file is missing)
"""
import runpy
import sys

from moto.secretsmanager.responses import SecretsManagerResponse


def secret_resource(self):
    secret_id = self._get_param("SecretId")
    if not secret_id:
        return "*"
    try:
        return self.backend.describe_secret(secret_id).arn
    except Exception:
        # An unknown secret: the action itself answers ResourceNotFoundException once allowed.
        return "*"


SecretsManagerResponse._determine_resource = secret_resource

server = sys.argv.pop(1)
if server.endswith(".py"):
    runpy.run_path(server, run_name="__main__")
else:
    runpy.run_module(server, run_name="__main__", alter_sys=True)
