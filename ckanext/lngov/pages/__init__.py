"""The portal's own pages: home data, the developer page, statistics, the sitemap."""
