"""Online payments: a provider interface (provider.py) and its implementations."""
