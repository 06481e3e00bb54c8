"""Open tables in the DataStore: every tabular file of a public open entry (CSV, XLSX) is
loaded by a background job (CKAN's RQ worker), typed from the entry's data items.

`read` opens a file as a header and rows (encoding detected, XLSX's first sheet), `types`
maps the national type codes to PostgreSQL types and converts values, `quality` collects the
values that do not fit, `status` keeps each resource's load record (task_status), `load`
schedules the jobs and swaps a new table in atomically (and says what happened: its signals),
`actions` and `auth` release a file held back for review (lngov_table_release), `examples`
writes the Data API panel's examples, `xlsx` gives a table as an XLSX download.
"""
