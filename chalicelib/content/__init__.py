"""Texts the portal shows: terms of service and consent wording, each with a version."""
