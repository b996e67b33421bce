"""Resource parts more than one family holds: keywords (numbers and pools answer
them) and the origination settings a pool shares with its phone numbers.

Field names are the model's member names in snake_case, so responses project
from them without a mapping (see projection.py) and Update* parameters set them
by name.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

from ..engine.lifecycle import LIFECYCLE_FIELDS
from ..wire import errors
from ..wire.projection import snake


@dataclass(eq=False)
class Keyword:
    WIRE: ClassVar[dict[str, str]] = {"KeywordMessage": "message", "KeywordAction": "action"}
    keyword: str
    message: str
    action: str

    def copy(self) -> Keyword:
        return Keyword(self.keyword, self.message, self.action)


def default_keywords() -> dict[str, Keyword]:
    # Every new number answers HELP and STOP; STOP opts the sender out. [doc]
    return {
        "HELP": Keyword("HELP", "Reply STOP to unsubscribe. Msg&data rates may apply.",
                        "AUTOMATIC_RESPONSE"),
        "STOP": Keyword("STOP", "You have been unsubscribed. No more messages will be sent.",
                        "OPT_OUT"),
    }


@dataclass(eq=False)
class OriginationSettings:
    """What a pool shares with (and requires of) its phone numbers."""

    two_way_enabled: bool = False
    two_way_channel_arn: str | None = None
    two_way_channel_role: str | None = None
    self_managed_opt_outs_enabled: bool = False
    opt_out_list_name: str = "Default"
    deletion_protection_enabled: bool = False


# A pool takes these from its first phone number (deletion protection aside) [doc];
# a number joining the pool must match the ones a MISMATCH reason names.
INHERITED = tuple(f.name for f in fields(OriginationSettings) if f.name != "deletion_protection_enabled")


# Parameters that name the resource an Update* call changes, never a change.
IDENTIFIERS = frozenset({"pool_id", "phone_number_id", "sender_id", "iso_country_code"})


def settable(params: dict, resource) -> dict[str, object]:
    """The attributes an Update* call sets: each parameter whose snake_case names a field
    of `resource`."""
    names = {f.name for f in fields(resource)} - IDENTIFIERS
    return {snake(member): value for member, value in params.items() if snake(member) in names}


def apply(resource, changes: dict[str, object]):
    """Set what an Update* call changes (every check has passed); the resource back."""
    for attr, value in changes.items():
        setattr(resource, attr, value)
    return resource


def settings_changes(region, target: OriginationSettings, params: dict,
                     action: str) -> dict[str, object]:
    """What UpdatePool/UpdatePhoneNumber (`action`) change, once every check passed (nothing
    is set)."""
    changes = settable(params, target)
    if "opt_out_list_name" in changes:
        lists = region.opt_out_lists
        changes["opt_out_list_name"] = lists.reference(lists.get(params["OptOutListName"], action))
    if changes.get("two_way_enabled") and not (changes.get("two_way_channel_arn")
                                               or target.two_way_channel_arn):
        raise errors.validation("TWO_WAY_CHANNEL_NOT_PRESENT",
                                "TwoWayEnabled needs a TwoWayChannelArn.",
                                [{"Name": "TwoWayChannelArn", "Message": "Required for two-way"}])
    return changes


# -- saved state: a resource as JSON and back (Family.export / restore) -----------------
def saved(resource, skip: frozenset[str] | set[str] = frozenset()) -> dict:
    """A resource dataclass as JSON: its fields, its place in its lifecycle if it has one."""
    out = {}
    for f in fields(resource):
        if f.name in skip or f.name in LIFECYCLE_FIELDS:
            continue
        value = getattr(resource, f.name)
        if isinstance(value, set):
            value = sorted(value)
        elif f.name == "keywords":
            value = [[k.keyword, k.message, k.action] for k in value.values()]
        out[f.name] = value
    if hasattr(resource, "entered_at"):
        out["lifecycle"] = [resource.kind, resource.state, resource.entered_at, resource.reads]
    return out


def restored(cls, row: dict, lifecycles=None):
    """The resource `saved` wrote, back in its lifecycle (when it has one)."""
    row = dict(row)
    life = row.pop("lifecycle", None)
    for f in fields(cls):
        if f.name not in row:
            continue
        if f.name == "keywords":
            row[f.name] = {k: Keyword(k, m, a) for k, m, a in row[f.name]}
        elif f.default_factory is set:
            row[f.name] = set(row[f.name])
    resource = cls(**row)
    if life is not None:
        kind, state, entered_at, reads = life
        lifecycles.place(resource, kind, entered_at, state)
        resource.reads = reads
    return resource


# -- replay, then simulate: what a recorded response shows (Family.learn_from) --------------
# Never taken from a response body: identity, lifecycle and membership go their own ways.
NOT_LEARNED = frozenset({"arn", "state", "tags", "keywords", "members", "pool_id", "pool_ids"})


def learn_fields(resource, item: dict, skip: frozenset[str] = frozenset()) -> None:
    """Every member of `item` that names a field of the resource (as responses are projected),
    but the parts a family learns its own way (`skip`)."""
    names = {f.name for f in fields(resource)} - NOT_LEARNED - skip
    wire = getattr(type(resource), "WIRE", {})
    for member, value in item.items():
        attr = wire.get(member) or snake(member)
        if attr in names:
            setattr(resource, attr, list(value) if isinstance(value, list) else value)


def shown(body: dict, key: str) -> list[dict]:
    """The response itself and every item of its `key` list: where a resource can show."""
    return [body] + [i for i in body.get(key, []) if isinstance(i, dict)]


def learn_status(region, resource, kind: str, state: str) -> None:
    """Place a learned resource in the state the recording showed, from now."""
    if getattr(resource, "state", None) != state:
        region.lifecycles.place(resource, kind, region.now(), state)


def is_us_toll_free(identity) -> bool:
    """A US toll-free number (a number, or anything else: False): the kind whose STOP the
    carrier owns and whose international sending InternationalSendingEnabled governs [doc]."""
    return getattr(identity, "number_type", None) == "TOLL_FREE" and \
        getattr(identity, "iso_country_code", None) == "US"
