"""What the caching front and the web nodes keep and send (production shapes,
docs/architecture.md):

- cache.py: which anonymous answers the caching front (nginx) may keep, and the generation that
  puts everything it keeps out of date after each committed change;
- memory.py: what each web node keeps in its own memory until the next generation;
- accel.py: files the front sends itself once CKAN has authorised them (X-Accel-Redirect).
"""
