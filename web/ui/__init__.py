"""The HTML UI: login, the queue, the post form, incidents, condolences, the audit
log, feeds, channel accounts, and accounts (one's own; every user's for admins).

Views read the form into the shape the services take, open one transaction, call a
service, and render. On a ``ValidationError`` the form comes back with HTTP 400, each
message next to its field and the submitted values kept.

One blueprint, ``bp`` (``ui``), made in ``web.ui.common`` with the helpers every area
shares; each area module adds its routes to it when imported here.
"""

from __future__ import annotations

# Importing an area module registers its routes on ``bp``.
from web.ui import (  # noqa: F401
    accounts,
    api_docs,
    approval,
    audit,
    channel_admin,
    channels,
    composer,
    condolences,
    feeds,
    imports,
    incident_page,
    incidents,
    overview,
    queue,
    rules,
    session,
    user_admin,
)
from web.ui.common import bp

__all__ = ["bp"]
