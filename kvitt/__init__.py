"""Kvitt: a settlement hub for Nordic healthcare."""

__version__ = "0.1.0"
