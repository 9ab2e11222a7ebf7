"""The WSGI entry point: ``gunicorn -w 4 'tactful.wsgi:create_app()'``.

Each web process builds its own ``Tactful`` from the settings (``--config`` is not
available under gunicorn: ``TACTFUL_CONFIG``, else ``./config.toml``, else the packaged
defaults) and migrates a SQLite database, as every command that changes something
does. It never applies the configuration's channel accounts and feeds: the workers
(and ``tactful config apply``) do.
"""

from __future__ import annotations

from flask import Flask

from scheduler.cli import build_app
from scheduler.config import load_settings
from web import create_app as create_web_app


def create_app() -> Flask:
    """The web app over the application objects built from the settings."""
    return create_web_app(build_app(load_settings()))
