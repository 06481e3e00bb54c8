"""The features' mails, through CKAN's mailer (smtp.* options): Chinese first, English below,
since the portal does not know a recipient's language; signed with the site's name and
address. A mail that cannot be sent is logged, and never undoes what it tells of."""
from __future__ import annotations

import logging
from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckan.lib import mailer

log = logging.getLogger(__name__)


def site_url() -> str:
    return tk.config.get("ckan.site_url", "").rstrip("/")


def bilingual(zh: list[str], en: list[str]) -> str:
    """A mail's body: the Chinese lines, the English lines, the site's signature."""
    site = tk.config.get("ckan.site_title") or ""
    return "\n".join(zh) + "\n\n" + "\n".join(en) + f"\n\n-- \n{site}\n{site_url()}\n"


def mail_each(recipients: list[tuple[str, str, Any]], subject: str,
              body: Callable[[Any], str], what: str) -> int:
    """Mails each (name, address, key) recipient `body(key)`; a mail that fails is logged
    (`what` says about what) and never undoes what it reports. Returns how many were sent."""
    sent = 0
    for name, address, key in recipients:
        try:
            mailer.mail_recipient(name, address, subject, body(key))
            sent += 1
        except Exception as error:   # noqa: BLE001 a mail never undoes the answer
            log.warning("%s: the mail to %s was not sent: %s", what, address, error)
    return sent
