"""Vocabulary every layer shares: months, labels, clock (Beijing time), rounding and ranking.

Depends on nothing else in `credit`; everything may depend on it.
"""
