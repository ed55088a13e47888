"""Chalice blueprints, one per area; routes are thin (see chalicelib.http.endpoint)."""
