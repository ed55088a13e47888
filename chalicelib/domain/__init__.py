"""Domain rules: plain Python, no AWS."""
