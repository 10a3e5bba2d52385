"""Use cases: each owns one transaction and speaks the domain."""
