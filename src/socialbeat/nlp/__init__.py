"""Sentiment and civic-category models: labelled data, training, registry, scoring and enrichment."""
