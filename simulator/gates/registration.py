"""Registrations gate sends: the send gate of the registrations family."""

from __future__ import annotations

from ..wire import errors


def registration_gate(backend, send) -> None:
    """Refuse a send from an identity whose registration is not complete.

    Which error: the model gives SendTextMessage ConflictException with Reason
    REGISTRATION_NOT_COMPLETE, the enum value that says exactly this, and public
    code waits for "REGISTRATION_NOT_COMPLETE"-style refusals; AWS documents no
    mapping ([inf]). A PENDING number is refused earlier by the send path's own
    RESOURCE_NOT_ACTIVE; this gate catches an ACTIVE number whose registration
    was revoked, closed or deleted, and a pool whose every member is such a
    number. An unregistered sender ID in a country whose registration type
    provisions sender IDs gets ValidationException SENDER_ID_NOT_REGISTERED.
    An RCS message goes from an RCS agent, whose launches decide where it sends,
    even through a pool whose numbers are not registered.
    """
    family = backend.registrations
    origin = send.origination
    if origin is None or send.channel == "RCS":
        return
    members = getattr(origin, "members", None)
    if members is not None:  # a pool: it sends from a member that may send
        if members and not any(_usable(family, m) for m in members):
            raise errors.conflict(
                "REGISTRATION_NOT_COMPLETE",
                "pool",
                origin.pool_id,
                f"No origination identity in pool {origin.pool_id} has a completed registration.",
            )
        return
    if not _usable(family, origin):
        if hasattr(origin, "phone_number_id"):
            raise errors.conflict(
                "REGISTRATION_NOT_COMPLETE",
                "phone-number",
                origin.phone_number_id,
                f"{origin.phone_number} is a {origin.iso_country_code} {origin.number_type} number: it "
                "sends once a registration associated with it is COMPLETE.",
            )
        raise errors.validation(
            "SENDER_ID_NOT_REGISTERED",
            f"Sender ID {origin.sender_id} needs a completed registration in {origin.iso_country_code}.",
            [{"Name": "originationIdentity", "Message": "Sender ID is not registered"}],
        )


def _usable(family, identity) -> bool:
    if hasattr(identity, "phone_number_id"):
        return not family.needs_registration(identity) or family.may_send(identity)
    needs = any(
        f.supported_association("SENDER_ID", identity.iso_country_code) for f in family.desk.catalogue
    )
    return not needs or identity.registered
