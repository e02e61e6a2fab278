"""Pydantic models at every boundary of the product."""
