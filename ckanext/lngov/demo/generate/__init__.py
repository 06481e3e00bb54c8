"""The generator of the demo's data files, in small modules: data (the YAML tables), rows
(a file's Table and Row), codes (credit codes), entities (organizations, projects), rules (the
column registry) and the rules of registers, projects, services, transport and statistics,
tables (the rows of a file) and writers (CSV, XLSX). ``demo.files.make_file`` is the entry
point."""
