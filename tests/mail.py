"""A real SMTP server on 127.0.0.1 (aiosmtpd) that the portal's mails go to, and what it
received, for the notification tests: `mailbox` points CKAN's mailer (smtp.server) at it."""
from __future__ import annotations

import email
import socket
import threading
from dataclasses import dataclass, field
from email import policy
from typing import Iterator

import pytest
from aiosmtpd.controller import Controller

from ckan.common import config


@dataclass
class Received:
    sender: str
    recipients: list[str]
    subject: str
    body: str


@dataclass
class Mailbox:
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):   # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        part = message.get_body(preferencelist=("plain",))
        with self.lock:
            self.messages.append(Received(
                envelope.mail_from, list(envelope.rcpt_tos), str(message["Subject"]),
                part.get_content() if part is not None else ""))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [m for m in self.messages if address in m.recipients]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield box, controller.port
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_server, monkeypatch) -> Mailbox:
    """The SMTP server, emptied, with CKAN's mailer sending to it."""
    box, port = smtp_server
    box.clear()
    monkeypatch.setitem(config, "smtp.server", f"127.0.0.1:{port}")
    monkeypatch.setitem(config, "smtp.mail_from", "noreply@data.ln.gov.cn")
    return box
