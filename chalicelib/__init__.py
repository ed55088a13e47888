"""IBOK: the Internet Customer Service Office for water and sewage utilities."""
