"""Suggestions while typing in the search boxes (entries, departments, themes; by Chinese,
English, pinyin or initials), "did you mean" when a search finds nothing, and the index
fields both read. Only the public catalog is ever suggested, whoever types."""
