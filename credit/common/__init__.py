"""Vocabulary every layer shares, one definition each: `months` (validate, parse, label "2022年3月",
arithmetic), `labels` (the two peer groups and their names), `clock` (stored stamps, Beijing time),
and rounding/ranking.

Depends on nothing in `credit` but `credit.errors`; everything may depend on it.
"""
