"""Every resource, the clock and the id generator as plain JSON, and back.

Restored resources re-enter their lifecycle at the moment they entered their
state, so their schedule carries on where it stopped.
"""

from __future__ import annotations

from dataclasses import fields

from .region import AccountRegion
from .resources import Keyword, PhoneNumber, Pool, SenderId

FORMAT = 2  # 2: one entry per family
_LIFECYCLE_FIELDS = {"kind", "state", "entered_at", "reads", "generation"}


def _plain(obj, skip: set[str] = frozenset()) -> dict:
    out = {}
    for f in fields(obj):
        if f.name in skip or f.name in _LIFECYCLE_FIELDS:
            continue
        value = getattr(obj, f.name)
        if isinstance(value, set):
            value = sorted(value)
        out[f.name] = value
    return out


def _lifecycle(obj) -> dict:
    return {"state": obj.state, "entered_at": obj.entered_at, "reads": obj.reads}


def _keywords(words: dict[str, Keyword]) -> list[list[str]]:
    return [[k.keyword, k.message, k.action] for k in words.values()]


def export_state(sim) -> dict:
    parts = []
    for part in sim.partitions.values():
        parts.append({
            "account": part.account, "region": part.region,
            "families": {name: family.export() for name, family in part.families.items()},
            "sender_ids": [_plain(s) for s in part.sender_ids.values()],
            "phones": [{**_plain(p, {"keywords"}), **_lifecycle(p),
                        "keywords": _keywords(p.keywords)} for p in part.phones.values()],
            "pools": [{**_plain(p, {"keywords", "members"}), **_lifecycle(p),
                       "keywords": _keywords(p.keywords),
                       "members": [["phone", m.phone_number_id] if isinstance(m, PhoneNumber)
                                   else ["sender", m.sender_id, m.iso_country_code]
                                   for m in p.members]} for p in part.pools.values()],
            "sent_messages": part.sent_messages,
            "idempotency": [[op, token, fp, result]
                            for (op, token), (fp, result) in part.idempotency.items()],
        })
    return {"format": FORMAT, "clock": sim.clock.saved(), "ids": sim.ids.saved(),
            "partitions": parts}


def _keyword_map(rows) -> dict[str, Keyword]:
    return {k: Keyword(k, m, a) for k, m, a in rows}


def import_state(sim, data: dict) -> None:
    if data.get("format") != FORMAT:
        raise ValueError(f"state format {data.get('format')} is not {FORMAT}")
    sim.clock.restore(data["clock"])
    sim.ids.restore(data["ids"])
    for p in data["partitions"]:
        part: AccountRegion = sim.partition(p["account"], p["region"])
        for name, saved in p["families"].items():
            family = part.families.get(name)
            if family is None:
                raise ValueError(f"the state file holds {name}, a family this smsvoice-sim lacks")
            family.restore(saved)
        for row in p["sender_ids"]:
            sender = SenderId(**{**row, "pool_ids": set(row["pool_ids"])})
            part.sender_ids[sender.key] = sender
        for row in p["phones"]:
            life = {k: row.pop(k) for k in ("state", "entered_at", "reads")}
            phone = PhoneNumber(**{**row, "keywords": _keyword_map(row["keywords"])})
            sim.lifecycles.adopt(phone, "phone-number", life["entered_at"], life["state"])
            phone.reads = life["reads"]
            part.phones[phone.phone_number_id] = phone
        for row in p["pools"]:
            life = {k: row.pop(k) for k in ("state", "entered_at", "reads")}
            members = row.pop("members")
            pool = Pool(**{**row, "keywords": _keyword_map(row["keywords"])})
            pool.members = [part.phones[m[1]] if m[0] == "phone" else part.sender_ids[(m[1], m[2])]
                            for m in members]
            sim.lifecycles.adopt(pool, "pool", life["entered_at"], life["state"])
            pool.reads = life["reads"]
            part.pools[pool.pool_id] = pool
        part.sent_messages = p["sent_messages"]
        for op, token, fp, result in p["idempotency"]:
            part.idempotency[(op, token)] = (fp, result)
