"""DescribeAccountLimits: every limit the model names, with what each family uses."""

from __future__ import annotations

from ..model import enum_values
from ..paging import page_result
from . import Family, operation, register


@register
class AccountLimits(Family):
    name = "account_limits"

    @operation("DescribeAccountLimits")
    def describe_limits(self, params: dict) -> dict:
        limits = [{"Name": name, "Used": self.region.used(name), "Max": self.region.quotas.get(name, 0)}
                  for name in enum_values("AccountLimitName")]
        return page_result("DescribeAccountLimits", "AccountLimits", limits, params)[0]
