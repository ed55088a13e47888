"""Repositories: DynamoDB access through PynamoDB; PynamoDB errors become domain errors here."""
