"""Localrights shared library: the small, boring parts every service needs the same way."""
