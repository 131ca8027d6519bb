"""The ``signkit`` command."""
