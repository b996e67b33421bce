"""What the family tests (sharing, lookups, Notify, RCS) read off a refused call: the
error's code, reason and resource, and the answers they expect, built one way."""

from __future__ import annotations


def error_of(excinfo) -> dict:
    """The parts of a botocore ClientError (from `pytest.raises`) that a test asserts on."""
    response = excinfo.value.response
    return {
        "Code": response["Error"]["Code"],
        "Reason": response.get("Reason"),
        "ResourceType": response.get("ResourceType"),
        "ResourceId": response.get("ResourceId"),
    }


def reason(excinfo) -> tuple[str, str | None]:
    """(Code, Reason) of a botocore ClientError: what most refusals are asserted by."""
    response = excinfo.value.response
    return response["Error"]["Code"], response.get("Reason")


def not_found(resource_type: str, resource_id: str) -> dict:
    """What `error_of` reads off a ResourceNotFoundException for this resource."""
    return {"Code": "ResourceNotFoundException", "Reason": None,
            "ResourceType": resource_type, "ResourceId": resource_id}


def conflict(reason: str, resource_type: str, resource_id: str) -> dict:
    """What `error_of` reads off a ConflictException with this reason and resource."""
    return {"Code": "ConflictException", "Reason": reason,
            "ResourceType": resource_type, "ResourceId": resource_id}
