"""How search results are ordered beyond the text's relevance: an entry whose title is the
query comes first; among entries about as relevant, fresher and more used ones come ahead.

Both are edismax's `boost`, a function the relevance score is multiplied by (package_search
passes it on to Solr):

- exact title (Chinese or English, normalised as suggest/index.py indexes it): × EXACT;
- freshness, 1 / (1 + years since the last update (release_date)), and use, the magnitude
  of views and downloads (lngov_used, 0 to USED_CAP): each adds up to TIE_BREAK to 1. So
  two entries of the same relevance are ordered by them, while an entry matched better
  keeps its place (a score lower by more than 2 × TIE_BREAK is never lifted above).
"""
from __future__ import annotations

from ckanext.lngov.suggest.index import exact

EXACT = 100
TIE_BREAK = 0.1
USED_CAP = 16
YEAR_MS = 3.16e-11   # 1 / milliseconds in a year


def _literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def boost(query: str) -> str:
    """The `boost` function of a free-text query."""
    fresh = f"recip(ms(NOW/DAY,release_date),{YEAR_MS},1,1)"
    use = f"min(div(field(lngov_used),{USED_CAP}),1)"
    ahead = f"sum(1,product({TIE_BREAK},{fresh}),product({TIE_BREAK},{use}))"
    title = f"if(termfreq(lngov_title_exact,{_literal(exact(query))}),{EXACT},1)"
    return f"product({title},{ahead})"
