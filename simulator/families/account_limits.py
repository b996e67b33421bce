"""DescribeAccountLimits: every limit the model names, with what each family uses.

`Max` is read from the region's quota table (`region.DEFAULT_QUOTAS` with the simulator's
overrides), the same value `AccountRegion.require_quota` enforces, so a program that reads
its limits sees the one it will meet.
"""

from __future__ import annotations

from ..wire.model import enum_values
from ..wire.paging import page_result
from . import Family, operation


class AccountLimits(Family):
    name = "account_limits"

    @operation("DescribeAccountLimits")
    def describe_limits(self, params: dict) -> dict:
        # A name a newer botocore adds is enforced nowhere here: left out, not reported as Max 0.
        limits = [{"Name": name, "Used": self.region.used(name), "Max": self.region.quotas[name]}
                  for name in enum_values("AccountLimitName") if name in self.region.quotas]
        return page_result("DescribeAccountLimits", "AccountLimits", limits, params)[0]
