"""The portal as a WSGI application, for a production server (gunicorn, uWSGI).

    CKAN_INI=/path/to/ckan.ini gunicorn --chdir config wsgi:application

CKAN's own wsgi.py (which its pip package does not ship), reading the ini file chain
(use = config:...) with its logging sections as the ckan command does.
"""
import os

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

application = make_app(CKANConfigLoader(os.path.abspath(os.environ["CKAN_INI"])).get_config())
