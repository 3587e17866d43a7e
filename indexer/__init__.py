"""The indexer: drains the outbox into Meilisearch, rebuilds and checks the index."""
