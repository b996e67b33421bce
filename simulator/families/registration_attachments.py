"""Registration attachments: the files a registration form points at (opt-in
screenshots, letters of authorization). CreateRegistrationAttachment takes the file
as a body or as an S3 URL, "either AttachmentUrl or AttachmentBody ... If both are
specified then an exception is returned" [model doc].

AWS uploads the file after answering: an attachment is UPLOAD_IN_PROGRESS, then
UPLOAD_COMPLETE a few seconds later, and a form field bound to it before that is refused
with ConflictException RESOURCE_NOT_ACTIVE [obs: a public script's PutRegistrationFieldValue
failed so, "AWS processes the upload asynchronously"; it now polls every 3 s]. The upload is
a lifecycle step on the simulator's clock:
`--duration registration-attachment:UPLOAD_IN_PROGRESS->UPLOAD_COMPLETE=SECONDS`.
"""

from __future__ import annotations

import base64
import binascii
import functools
from dataclasses import dataclass, field
from typing import ClassVar

from ..engine.lifecycle import Lifecycled, LifecycleSpec
from ..wire import errors, paging
from ..wire.model import enum_values
from ..wire.projection import tag_dict
from . import Family, operation
from .parts import restored, saved

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024  # "The maximum file size is 5MB" [model doc]
# File signatures of the types AWS takes: "valid file extensions are PDF, JPEG and PNG" [model doc]
ATTACHMENT_MAGIC = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
ATTACHMENT_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")

ATTACHMENT_FILTERS = {"attachment-status": lambda a: a.state}

# The states are the model's AttachmentStatus. How long an upload takes AWS does not publish:
# "seconds, occasionally longer" [obs: a script's ~14 field puts between upload and bind were
# not always enough; it waits up to 120 s]; 5 s here [inf]. UPLOAD_FAILED has no arrow in: no
# source says what makes an upload fail.
KIND = "registration-attachment"


@functools.cache
def lifecycle() -> LifecycleSpec:
    """Built on first use: the model is read then, never at import."""
    return LifecycleSpec(
        kind=KIND,
        states=tuple(enum_values("AttachmentStatus")),
        initial="UPLOAD_IN_PROGRESS",
        transitions=(
            {"trigger": "uploaded", "source": "UPLOAD_IN_PROGRESS", "dest": "UPLOAD_COMPLETE"},
            {"trigger": "delete", "source": ["UPLOAD_IN_PROGRESS", "UPLOAD_COMPLETE", "UPLOAD_FAILED"],
             "dest": "DELETED"},
        ),
        automatic={"UPLOAD_IN_PROGRESS": "uploaded"},
        durations={"UPLOAD_IN_PROGRESS->UPLOAD_COMPLETE": 5.0},
    )


@dataclass(eq=False)
class Attachment(Lifecycled):
    WIRE: ClassVar[dict[str, str]] = {
        "RegistrationAttachmentArn": "arn",
        "RegistrationAttachmentId": "id",
        "AttachmentStatus": "state",
        "CreatedTimestamp": "created",
        "AttachmentUrl": "url",
    }
    id: str = ""
    arn: str = ""
    created: float = 0.0
    size: int = 0
    media_type: str = ""
    url: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


class RegistrationAttachments(Family):
    name = "registration_attachments"
    arn_types = ("registration-attachment",)

    @classmethod
    def lifecycles(cls) -> tuple[LifecycleSpec, ...]:
        return (lifecycle(),)

    def __init__(self, region):
        super().__init__(region)
        self.attachments: dict[str, Attachment] = {}

    def get(self, ref: str) -> Attachment:
        return self.region.find(self.attachments, ref, "registration-attachment")

    def by_id(self, resource_id: str) -> Attachment | None:
        return self.attachments.get(resource_id)

    def ready(self, ref: str) -> str:
        """The id of an attachment a form field may point at (uploaded), or AWS's error
        [obs: ConflictException RESOURCE_NOT_ACTIVE, ResourceType registration-attachment]."""
        attachment = self.get(ref)
        if attachment.state != "UPLOAD_COMPLETE":
            raise errors.conflict(
                "RESOURCE_NOT_ACTIVE",
                "registration-attachment",
                attachment.id,
                f"Attachment {attachment.id} is {attachment.state}; a form field takes it once "
                "its upload is complete (DescribeRegistrationAttachments shows UPLOAD_COMPLETE).",
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
        self.region.lifecycles.place(attachment, KIND, attachment.created)
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
            data = base64.b64decode(body or "", validate=True)
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
            observe=self.region.lifecycles.observed,
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
        self.region.lifecycles.move(attachment, "delete", self.region.now())
        return attachment

    # -- state view and --state ------------------------------------------------------------------
    def view_rows(self) -> dict[str, tuple]:
        def row(a):
            return {
                "RegistrationAttachmentId": a.id,
                "AttachmentStatus": a.state,
                "Size": a.size,
                "MediaType": a.media_type,
            }

        return {"registration_attachments": (self.attachments.values(), row)}

    saved_by = {"attachments": "id"}

    def saved_row(self, part: str, attachment: Attachment) -> dict:
        return saved(attachment)

    def restore(self, data: dict) -> None:
        for row in data["attachments"]:
            if "status" in row:  # saved before uploads took time: complete, as it was then
                row = {k: v for k, v in row.items() if k != "status"}
                row["lifecycle"] = [KIND, "UPLOAD_COMPLETE", row["created"], 0]
            attachment = restored(Attachment, row, self.region.lifecycles)
            self.attachments[attachment.id] = attachment
