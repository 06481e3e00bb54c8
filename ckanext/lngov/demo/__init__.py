"""The demo portal's catalog as data: departments.yaml, catalog.yaml and the generator of each
public entry's data file (files.py)."""
