"""Registration attachments: the files a registration form points at (opt-in
screenshots, letters of authorization). CreateRegistrationAttachment takes the file
as a body or as an S3 URL, "either AttachmentUrl or AttachmentBody ... If both are
specified then an exception is returned" [model doc]."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import ClassVar

from ..wire import errors, paging
from ..wire.projection import tag_dict
from . import Family, operation

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024  # "The maximum file size is 5MB" [model doc]
# File signatures of the types AWS takes: "valid file extensions are PDF, JPEG and PNG" [model doc]
ATTACHMENT_MAGIC = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
ATTACHMENT_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")

ATTACHMENT_FILTERS = {"attachment-status": lambda a: a.status}


@dataclass(eq=False)
class Attachment:
    WIRE: ClassVar[dict[str, str]] = {
        "RegistrationAttachmentArn": "arn",
        "RegistrationAttachmentId": "id",
        "AttachmentStatus": "status",
        "CreatedTimestamp": "created",
        "AttachmentUrl": "url",
    }
    id: str
    arn: str
    created: float
    size: int
    media_type: str
    url: str | None = None
    status: str = "UPLOAD_COMPLETE"
    tags: dict[str, str] = field(default_factory=dict)


class RegistrationAttachments(Family):
    name = "registration_attachments"
    arn_types = ("registration-attachment",)

    def __init__(self, region):
        super().__init__(region)
        self.attachments: dict[str, Attachment] = {}

    def get(self, ref: str) -> Attachment:
        return self.region.find(self.attachments, ref, "registration-attachment")

    def ready(self, ref: str) -> str:
        """The id of an attachment a form field may point at (uploaded), or AWS's error."""
        attachment = self.get(ref)
        if attachment.status != "UPLOAD_COMPLETE":
            raise errors.validation(
                "INVALID_PARAMETER",
                f"Attachment {attachment.id} is {attachment.status}.",
                [{"Name": "registrationAttachmentId", "Message": "Attachment is not uploaded"}],
            )
        return attachment.id

    def used(self, quota: str) -> int | None:
        return len(self.attachments) if quota == "REGISTRATION_ATTACHMENTS" else None

    @operation("CreateRegistrationAttachment")
    def create(self, params: dict) -> Attachment:
        body, url = params.get("AttachmentBody"), params.get("AttachmentUrl")
        if body is not None and url is not None:
            raise errors.validation(
                "PARAMETERS_CANNOT_BE_USED_TOGETHER",
                "Use either AttachmentUrl or AttachmentBody.",
                [{"Name": "attachmentBody", "Message": "Cannot be used with AttachmentUrl"}],
            )
        if body is None and url is None:
            raise errors.validation(
                "MISSING_PARAMETER",
                "Give the file as AttachmentBody or AttachmentUrl.",
                [{"Name": "attachmentBody", "Message": "AttachmentBody or AttachmentUrl is required"}],
            )
        size, media_type = self._inspect(body, url)
        self.region.require_quota("REGISTRATION_ATTACHMENTS", "REGISTRATION_ATTACHMENTS_PER_ACCOUNT")
        att_id = f"attachment-{self.region.ids.hex32()}"
        attachment = Attachment(
            id=att_id,
            arn=self.region.arn(f"registration-attachment/{att_id}"),
            created=self.region.now(),
            size=size,
            media_type=media_type,
            url=url,
            tags=tag_dict(params.get("Tags")),
        )
        self.attachments[att_id] = attachment
        return attachment

    @staticmethod
    def _inspect(body: str | None, url: str | None) -> tuple[int, str]:
        if url is not None:
            if not url.startswith("s3://") or "/" not in url[5:]:
                raise errors.validation(
                    "INVALID_PARAMETER",
                    f"{url} is not an S3 URI (s3://BucketName/FileName).",
                    [{"Name": "attachmentUrl", "Message": "Not an S3 URI"}],
                )
            if not url.lower().endswith(ATTACHMENT_EXTENSIONS):
                raise errors.validation(
                    "ATTACHMENT_TYPE_NOT_SUPPORTED",
                    f"{url}: the file must be a PDF, JPEG or PNG.",
                    [{"Name": "attachmentUrl", "Message": "Unsupported file type"}],
                )
            return 0, "application/octet-stream"  # nothing is fetched from S3
        try:
            data = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise errors.validation(
                "INVALID_PARAMETER",
                "AttachmentBody is not base64.",
                [{"Name": "attachmentBody", "Message": "Not base64"}],
            ) from None
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise errors.validation(
                "MAXIMUM_SIZE_EXCEEDED",
                f"The file is {len(data)} bytes; the maximum is 5 MB.",
                [{"Name": "attachmentBody", "Message": "File too large"}],
            )
        media_type = next((t for magic, t in ATTACHMENT_MAGIC.items() if data.startswith(magic)), None)
        if media_type is None:
            raise errors.validation(
                "ATTACHMENT_TYPE_NOT_SUPPORTED",
                "The file must be a PDF, JPEG or PNG.",
                [{"Name": "attachmentBody", "Message": "Unsupported file type"}],
            )
        return len(data), media_type

    @operation("DescribeRegistrationAttachments")
    def describe(self, params: dict) -> dict:
        return paging.describe(
            "DescribeRegistrationAttachments",
            "RegistrationAttachments",
            params,
            "RegistrationAttachmentIds",
            self.get,
            self.attachments.values(),
            ATTACHMENT_FILTERS,
        )

    @operation("DeleteRegistrationAttachment")
    def delete(self, params: dict) -> Attachment:
        attachment = self.get(params["RegistrationAttachmentId"])
        in_use = self.region.registrations.attachment_in_use(attachment.id)
        if in_use is not None:
            registration, version = in_use
            raise errors.conflict(
                "RESOURCE_DELETION_NOT_ALLOWED",
                "registration-attachment",
                attachment.id,
                f"Attachment {attachment.id} is part of version {version.number} of "
                f"{registration.id}, which is {version.state}.",
            )
        del self.attachments[attachment.id]
        attachment.status = "DELETED"
        return attachment

    # -- state view and --state ------------------------------------------------------------------
    def view(self) -> dict[str, list]:
        return {
            "registration_attachments": [
                {
                    "RegistrationAttachmentId": a.id,
                    "AttachmentStatus": a.status,
                    "Size": a.size,
                    "MediaType": a.media_type,
                }
                for a in self.attachments.values()
            ]
        }

    def export(self) -> dict:
        return {
            "attachments": [
                {
                    "id": a.id,
                    "arn": a.arn,
                    "created": a.created,
                    "size": a.size,
                    "media_type": a.media_type,
                    "url": a.url,
                    "status": a.status,
                    "tags": a.tags,
                }
                for a in self.attachments.values()
            ]
        }

    def restore(self, data: dict) -> None:
        self.attachments = {row["id"]: Attachment(**row) for row in data["attachments"]}
