"""The demo portal's catalog as data: departments.yaml, catalog.yaml, and each public entry's
data file, made by files.make_file from the tables of places.yaml, statistics.yaml, words.yaml,
registers.yaml and the rules of columns.yaml and generate/ (load.py loads it all into CKAN)."""
