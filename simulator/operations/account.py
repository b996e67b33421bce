"""DescribeAccountLimits: every limit the model names, with what is used."""

from __future__ import annotations

from ..model import enum_values
from ..paging import page_result
from ..region import AccountRegion
from . import operation


@operation("DescribeAccountLimits")
def describe_account_limits(part: AccountRegion, params: dict) -> dict:
    limits = [{"Name": name, "Used": part.used(name), "Max": part.quotas.get(name, 0)}
              for name in enum_values("AccountLimitName")]
    result, _ = page_result("DescribeAccountLimits", "AccountLimits", limits, params, lambda x: x)
    return result
