"""Everything both the API and the indexer need about the search index: document fields and
builders, index settings, synonyms, filters, the answer cache, the Meilisearch clients and the
search service. The indexer imports this package; nothing here imports the indexer."""
