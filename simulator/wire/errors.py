"""Service errors, shaped exactly as the model says each error looks."""

from __future__ import annotations

from .model import error_shape


class ServiceError(Exception):
    """An error the service answers with. Members outside the model's error shape are dropped."""

    def __init__(self, code: str, message: str, status: int | None = None, **members):
        super().__init__(message)
        self.code = code
        self.message = message
        self.members = {k: v for k, v in members.items() if v is not None}
        shape = error_shape(code)
        if status is None:
            status = (shape.metadata.get("error", {}).get("httpStatusCode") if shape else None) or (
                500 if code == "InternalServerException" else 400
            )
        self.status = status

    def body(self) -> dict:
        shape = error_shape(self.code)
        out: dict = {"__type": self.code}
        if shape is None:
            # Errors outside the model (auth, framing) use AWS's lowercase `message`.
            out["message"] = self.message
            return out
        out["Message"] = self.message
        for name in shape.members:
            if name in self.members:
                out[name] = self.members[name]
        return out


def conflict(reason: str, resource_type: str, resource_id: str, message: str) -> ServiceError:
    return ServiceError("ConflictException", message, Reason=reason,
                        ResourceType=resource_type, ResourceId=resource_id)


def not_found(resource_type: str, resource_id: str, message: str | None = None) -> ServiceError:
    return ServiceError(
        "ResourceNotFoundException",
        message or f"The {resource_type} {resource_id} was not found.",
        ResourceType=resource_type, ResourceId=resource_id,
    )


def validation(reason: str, message: str, fields: list[dict] | None = None) -> ServiceError:
    return ServiceError("ValidationException", message, Reason=reason, Fields=fields)


def invalid(member: str, message: str, reason: str = "INVALID_PARAMETER") -> ServiceError:
    """A ValidationException about one member, named in `Fields` with the same message."""
    return validation(reason, message, [{"Name": member, "Message": message}])


def quota_exceeded(reason: str, message: str) -> ServiceError:
    return ServiceError("ServiceQuotaExceededException", message, Reason=reason)


def serialization(message: str) -> ServiceError:
    return ServiceError("SerializationException", message)
