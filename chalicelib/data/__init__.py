"""Data files shipped with the Lambdas (common-password list from Django, BSD licence)."""
