"""Data quality: completeness of an offer, duplicates across providers, freshness."""
