"""The billing import: JSON Lines batches under `imports/` in the data bucket."""
