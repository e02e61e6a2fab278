"""Redshift Query Optimizer: the domain package (models, catalog, rules, agents, adapters)."""

__version__ = "0.1.0"
