"""Who an account is: a customer (its login is its customer number) or a system account
(the billing system's integration account, staff, admins)."""

from __future__ import annotations

CUSTOMER = "customer"
SYSTEM_ROLES = ("integration", "staff", "admin")
EVERY_ROLE = (CUSTOMER, *SYSTEM_ROLES)
STAFF = "staff"
ADMIN = "admin"
# Staff log in with a password and a TOTP code; their sessions admit nothing else until the
# code is given (http/endpoint.py) and end sooner when idle (STAFF_SESSION_IDLE_MINUTES).
STAFF_ROLES = (STAFF, ADMIN)
