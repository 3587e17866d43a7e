"""Business logic; services flush but never commit (the caller owns the transaction)."""
