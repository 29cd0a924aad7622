"""Rules that know neither HTTP nor SQL: countries, SDGs, import formats, the annex."""
