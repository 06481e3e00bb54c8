"""The machine-readable open catalog (DCAT-AP 3, schema.org), see docs/dcat.md.

- vocab.py: the portal's SKOS concept schemes and the EU vocabularies, from codes.yaml;
- profile.py: the RDF profiles (catalog entry <-> DCAT-AP 3, schema.org);
- public.py: which entries and fields are public, as the profiles' input;
- writers.py: fast Turtle / RDF/XML / JSON-LD / N-Triples writers for triple lists;
- catalog.py: catalog pages and datasets, with each dataset's triples cached;
- dump.py: the complete catalog dump, regenerated in the background;
- views.py: the endpoints.
"""
