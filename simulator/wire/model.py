"""botocore's service model for pinpoint-sms-voice-v2: the single source of truth.

Operations, shapes, constraints, enums, error shapes and idempotency tokens are
read from here, never retyped.
"""

from __future__ import annotations

import functools

import botocore.session
from botocore.model import NoShapeFoundError, OperationModel, ServiceModel, Shape

SERVICE_NAME = "pinpoint-sms-voice-v2"
SIGNING_NAME = "sms-voice"


@functools.cache
def service_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model(SERVICE_NAME)


def target_prefix() -> str:
    return service_model().metadata["targetPrefix"]


@functools.cache
def operation_names() -> frozenset[str]:
    return frozenset(service_model().operation_names)


@functools.cache
def operation(name: str) -> OperationModel:
    return service_model().operation_model(name)


@functools.cache
def idempotency_token_members(operation_name: str) -> frozenset[str]:
    """Top-level input members the model marks as idempotency tokens (ClientToken)."""
    shape = operation(operation_name).input_shape
    if shape is None:
        return frozenset()
    return frozenset(
        name for name, member in shape.members.items() if member.metadata.get("idempotencyToken")
    )


@functools.cache
def error_shape(code: str) -> Shape | None:
    try:
        shape = service_model().shape_for(code)
    except NoShapeFoundError:
        return None
    return shape if shape.metadata.get("exception") else None


def enum_values(shape_name: str) -> list[str]:
    return list(service_model().shape_for(shape_name).enum)
