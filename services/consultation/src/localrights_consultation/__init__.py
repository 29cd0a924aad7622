"""Consultation service: public consultation rounds that residents answer."""
