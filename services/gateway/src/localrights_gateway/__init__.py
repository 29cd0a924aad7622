"""Localrights gateway service."""
