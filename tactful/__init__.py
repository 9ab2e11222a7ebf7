"""The composition root: the one package that wires every layer together.

``rules`` decides, ``scheduler`` runs, ``web`` serves; none of them builds the
others. This package does: it loads the settings, builds the ``Tactful`` object
(settings, database, channel adapters) and hands it to ``web.create_app``. The
``tactful`` command (``tactful.cli``) and the WSGI entry point for gunicorn
(``tactful.wsgi``) live here. It may import every layer; no layer imports it
(``tests/test_architecture.py``).
"""
