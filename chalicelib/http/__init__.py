"""HTTP plumbing shared by every blueprint: requests, responses, auth, errors, OpenAPI."""
