"""The send gates' routes of the control API (mounted by proxy/control.py): each answer
takes the simulator and the request's query or JSON body and returns (HTTP status, JSON
body); the simulator's own methods (simulator/gates_control.py) do the work.

    GET  /_smsvoice/verification-codes[?number=%2B1...]
    POST /_smsvoice/account-tier      {"tier": "SANDBOX", "account": ..., "region": ...}
    POST /_smsvoice/protect-filters   {"destination": "+1206555*", "body": "(?i)prize", ...}
"""

from __future__ import annotations

from urllib.parse import parse_qs

from smsvoice_sim.simulator.gates import sandbox


def verification_codes_answer(sim, query: str = "") -> tuple[int, dict]:
    """GET /_smsvoice/verification-codes[?number=+1...] -> (status, JSON body)."""
    number = (parse_qs(query).get("number") or [None])[0]
    if number is not None and number.startswith(" "):  # an unescaped `+` reads as a space
        number = "+" + number[1:]
    rows = sim.verification_codes()
    if number is not None:
        rows = [r for r in rows if r["DestinationPhoneNumber"] == number]
    return 200, {"verification_codes": rows}


def account_tier_answer(sim, body: dict) -> tuple[int, dict]:
    """POST /_smsvoice/account-tier {"tier": "SANDBOX", "account": "...", "region": "..."}
    (account defaults to the default account, region to every region) -> (status, JSON)."""
    tier = body.get("tier") if isinstance(body, dict) else None
    if tier not in sandbox.TIERS:
        return 400, {"error": f"tier must be one of {', '.join(sandbox.TIERS)}"}
    bad = _not_strings(body, "account", "region")
    if bad:
        return 400, {"error": bad}
    sim.set_account_tier(tier, body.get("account"), body.get("region"))
    return 200, {"tier": tier, "account": body.get("account") or sim.default_account,
                 "region": body.get("region")}


def protect_filter_answer(sim, body: dict) -> tuple[int, dict]:
    """POST /_smsvoice/protect-filters {"destination": "+1206555*", "body": "(?i)free",
    "account": ..., "region": ...} -> (status, JSON)."""
    if not isinstance(body, dict):
        return 400, {"error": "send a JSON object"}
    bad = _not_strings(body, "destination", "body", "account", "region")
    if bad:
        return 400, {"error": bad}
    try:
        sim.add_protect_filter(body.get("destination"), body.get("body"), body.get("account"),
                               body.get("region") or "us-east-1")
    except ValueError as exc:  # also re.error, a subclass
        return 400, {"error": str(exc)}
    return 200, {"destination": body.get("destination"), "body": body.get("body")}


def _not_strings(body: dict, *keys: str) -> str | None:
    """What is wrong when one of `keys` is present but not a string (else None)."""
    wrong = [k for k in keys if body.get(k) is not None and not isinstance(body[k], str)]
    return f"{', '.join(wrong)} must be strings" if wrong else None
