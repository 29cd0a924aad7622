"""Localrights recommendations service."""
