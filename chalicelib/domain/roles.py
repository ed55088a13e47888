"""Who an account is: a customer (its login is its customer number) or a system account
(the billing system's integration account, staff, admins)."""

from __future__ import annotations

CUSTOMER = "customer"
SYSTEM_ROLES = ("integration", "staff", "admin")
EVERY_ROLE = (CUSTOMER, *SYSTEM_ROLES)
