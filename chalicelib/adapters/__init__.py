"""Adapters to AWS services and the outside world."""
