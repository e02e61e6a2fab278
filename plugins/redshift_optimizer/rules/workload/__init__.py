"""Workload rules (C codes): the slow-query window and the tables it reads."""

RULES: list = []
