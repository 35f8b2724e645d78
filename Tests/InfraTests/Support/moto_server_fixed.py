#!/usr/bin/env python3
"""The project's moto server for the Terraform tests: moto_server_sigv4.py (signature checks as
AWS does them), with three more of moto's departures from AWS fixed, each below where it is
fixed: resource policies, Lambda's KMS key and dead-letter queue, SES v2 identity tags.

Usage: moto_server_fixed.py PATH/TO/moto_server_sigv4.py [moto_server arguments]

moto 5.2.1 knows one condition key (sts:ExternalId) and takes a condition on any other key as
met, and it turns a statement whose condition fails into an explicit Deny whatever the
statement's Effect: a TLS-only bucket policy (Deny when aws:SecureTransport is false) refuses
every object call. In AWS a condition on a key the request does not carry is not met (unless
its operator ends in IfExists, or is Null), and a statement whose condition is not met does
not apply. moto also reads a statement with NotResource as one without a resource. These are
evaluated as AWS does here; everything else is moto_server_sigv4.py's.
"""
import runpy
import sys

from moto.iam import access_control as ac
from moto.iam.access_control import IAMPolicyStatement, PermissionResult
from moto.awslambda.models import LambdaFunction
from moto.iam.policy_conditions import TrustRelationShipConditions
from moto.ses.utils import get_arn
from moto.sesv2.models import SESV2Backend


def conditions_hold(self, incoming_condition_values):
    for operator, values in (self._statement.get("Condition") or {}).items():
        for key, expected in values.items():
            present = bool(incoming_condition_values) and key in incoming_condition_values
            if operator == "Null":
                if str(expected).lower() != str(not present).lower():
                    return False
            elif not present:
                if not operator.endswith("IfExists"):
                    return False
            else:
                condition = next(iter(TrustRelationShipConditions({operator: {key: expected}})))
                if not condition.verify_condition([incoming_condition_values[key]]):
                    return False
    return True


def is_action_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
    statement = self._statement
    if "NotAction" in statement:
        concerned = not self._check_element_matches("NotAction", action)
    else:
        concerned = self._check_element_matches("Action", action)
    if not concerned:
        return PermissionResult.NEUTRAL
    if self.is_unknown_principal(statement.get("Principal")):
        return PermissionResult.NEUTRAL
    if principal and not self._check_principal(principal):
        return PermissionResult.DENIED
    if not conditions_hold(self, incoming_condition_values):
        return PermissionResult.NEUTRAL
    if "NotResource" in statement:
        applies = not self._check_element_matches("NotResource", resource)
    elif statement.get("Resource"):
        applies = self._check_element_matches("Resource", resource)
    else:  # a trust policy: no resource element
        applies = True
    if not applies:
        return PermissionResult.NEUTRAL
    return PermissionResult.PERMITTED if statement["Effect"] == "Allow" else PermissionResult.DENIED


IAMPolicyStatement.is_action_permitted = is_action_permitted
assert ac.IAMPolicyStatement.is_action_permitted is is_action_permitted


# Lambda: moto accepts a function's KMSKeyArn (the environment's key) and DeadLetterConfig but
# forgets them, so every later read shows them unset.
_REMEMBERED = ("KMSKeyArn", "DeadLetterConfig")
_original_init = LambdaFunction.__init__
_original_configuration = LambdaFunction.get_configuration
_original_update = LambdaFunction.update_configuration


def _init(self, account_id, spec, *args, **kwargs):
    _original_init(self, account_id, spec, *args, **kwargs)
    self.remembered_configuration = {key: spec[key] for key in _REMEMBERED if spec.get(key)}


def _get_configuration(self, *args, **kwargs):
    return {**_original_configuration(self, *args, **kwargs), **getattr(self, "remembered_configuration", {})}


def _update_configuration(self, config_updates):
    remembered = getattr(self, "remembered_configuration", {})
    for key in _REMEMBERED:
        if key in config_updates:
            if config_updates[key]:
                remembered[key] = config_updates[key]
            else:
                remembered.pop(key, None)
    self.remembered_configuration = remembered
    return _original_update(self, config_updates)


LambdaFunction.__init__ = _init
LambdaFunction.get_configuration = _get_configuration
LambdaFunction.update_configuration = _update_configuration


# SES v2: an email identity's ARN is arn:aws:ses:REGION:ACCOUNT:identity/NAME; moto files its
# tags under email-identity/NAME, where ListTagsForResource never looks.
_original_create_identity = SESV2Backend.create_email_identity


def _create_email_identity(self, email_identity, tags, *args, **kwargs):
    identity = _original_create_identity(self, email_identity, None, *args, **kwargs)
    if tags:
        self.core_backend.tagger.tag_resource(arn=get_arn(self, "ses", f"identity/{email_identity}"), tags=tags)
    return identity


SESV2Backend.create_email_identity = _create_email_identity

server = sys.argv[1]
sys.argv = [server] + sys.argv[2:]
runpy.run_path(server, run_name="__main__")
