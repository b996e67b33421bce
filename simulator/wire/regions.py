"""Which regions the service answers in: the ones botocore's endpoint data lists for
pinpoint-sms-voice-v2 in every partition (read from botocore, never retyped), plus the ones
a user allows (`Simulator(extra_regions=...)`, the CLI's `--region-allow NAME`).

A request whose SigV4 credential scope names any other region is refused before it can
create anything: every invented scope string used to become an account-region of its own
(20,000 DescribePools with made-up regions: +147 MiB). AWS answers a credential scoped to a
region its endpoint does not serve with InvalidSignatureException "Credential should be
scoped to a valid region" [inf: the message AWS gives for a scope naming another region
than the endpoint's; AWS does not document what it answers for a region that does not exist,
whose endpoint host does not resolve].
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from .errors import ServiceError

SERVICE = "pinpoint-sms-voice-v2"
# What a region name looks like (`us-east-1`, `us-gov-west-1`, `eusc-de-east-1`).
_REGION_NAME = re.compile(r"^[a-z]{2,8}(-[a-z]+)+-\d{1,2}$")


@functools.cache
def served_regions() -> frozenset[str]:
    """Every region botocore's endpoint data lists for this service, in every partition."""
    import botocore.session
    session = botocore.session.Session()
    return frozenset(region for partition in session.get_available_partitions()
                     for region in session.get_available_regions(SERVICE, partition_name=partition))


def extra_regions(names: Iterable[str]) -> frozenset[str]:
    """The regions a user allows beside the served ones; ValueError for a name that is not
    shaped like a region (so a typo is caught where it was made)."""
    found = frozenset(names)
    wrong = sorted(name for name in found if not isinstance(name, str) or not _REGION_NAME.match(name))
    if wrong:
        raise ValueError(f"{wrong[0]!r} is not a region name (like us-east-1)")
    return found


def check_region(region: str, extra: frozenset[str] = frozenset()) -> None:
    """Refuse, as AWS would, a request signed for a region this service does not answer in."""
    if region not in extra and region not in served_regions():
        raise ServiceError("InvalidSignatureException",
                           f"Credential should be scoped to a valid region, not '{region[:64]}'. "
                           "(smsvoice-sim answers in the regions botocore lists for this service; "
                           "allow another with extra_regions= / --region-allow)")
