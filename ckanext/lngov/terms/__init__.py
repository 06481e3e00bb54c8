"""The words people search with and the catalog's words for the same things: renamed
agencies and abbreviations (synonyms.py, synonyms.yaml), and the pinyin of Chinese text
(pinyin.py) that suggestions and corrections match typed Latin letters against."""
