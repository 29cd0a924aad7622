"""Localrights notifications service."""
