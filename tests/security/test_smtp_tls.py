"""SMTP never sends a login in clear (monev.mail): against real aiosmtpd servers on
loopback, one offering STARTTLS with a self-signed certificate made here, one offering
none. With a user configured the first sees STARTTLS before AUTH (even when
MONEV_SMTP_STARTTLS is left at its default), the second gets no AUTH and no message
unless the operator allowed a plaintext login."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from monev import mail
from monev.config import SmtpSettings

USER, PASSWORD = "monev-mailer", "smtp-secret-Zq81"


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "smtp.crt", folder / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_file.chmod(0o600)
    return cert_file, key_file


class Recorder:
    """What the server saw, in order: each EHLO and AUTH with whether TLS was on."""

    def __init__(self) -> None:
        self.events: list[tuple[str, bool]] = []
        self.logins: list[tuple[str, str]] = []
        self.messages: list[bytes] = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.events.append(("EHLO", session.ssl is not None))
        session.host_name = hostname  # what aiosmtpd does when no hook is given
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"

    def authenticator(self, server, session, envelope, mechanism, auth_data):
        self.events.append(("AUTH", session.ssl is not None))
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server(tls: ssl.SSLContext | None) -> Iterator[tuple[Recorder, int]]:
    rec = Recorder()
    port = _free_port()
    # auth_require_tls=False: the plaintext server WOULD take a login in clear — the
    # client must not offer it
    ctl = Controller(rec, hostname="127.0.0.1", port=port, tls_context=tls,
                     authenticator=rec.authenticator, auth_require_tls=False)
    ctl.start()
    try:
        yield rec, port
    finally:
        ctl.stop()


@pytest.fixture
def starttls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                    ) -> Iterator[tuple[Recorder, int]]:
    cert, key = _self_signed(tmp_path)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    # the client checks certificates against the system's CAs; this one is trusted here
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    yield from _server(ctx)


@pytest.fixture
def plain_server() -> Iterator[tuple[Recorder, int]]:
    yield from _server(None)


def _cfg(port: int, **kw: object) -> SmtpSettings:
    base: dict = dict(host="127.0.0.1", port=port, user=USER, password=PASSWORD,
                      sender="monev@example.go.id", starttls=False)
    return SmtpSettings(**{**base, **kw})


def test_a_login_goes_only_after_starttls_even_with_starttls_left_off(
        starttls_server: tuple[Recorder, int]) -> None:
    rec, port = starttls_server
    mail.send(["a@example.go.id"], "subject", "body", cfg=_cfg(port))
    assert rec.events[0] == ("EHLO", False)
    auth = rec.events.index(("AUTH", True))
    assert ("EHLO", True) in rec.events[:auth]  # STARTTLS happened before AUTH
    assert ("AUTH", False) not in rec.events
    assert rec.logins == [(USER, PASSWORD)] and len(rec.messages) == 1


def test_a_server_without_starttls_gets_no_login_and_no_message(
        plain_server: tuple[Recorder, int]) -> None:
    rec, port = plain_server
    with pytest.raises(mail.InsecureLogin, match="MONEV_SMTP_ALLOW_PLAINTEXT_AUTH") as err:
        mail.send(["a@example.go.id"], "subject", "body", cfg=_cfg(port))
    assert PASSWORD not in str(err.value)
    assert [e for e in rec.events if e[0] == "AUTH"] == []
    assert rec.logins == [] and rec.messages == []


def test_plaintext_login_only_when_the_operator_allows_it(
        plain_server: tuple[Recorder, int], monkeypatch: pytest.MonkeyPatch) -> None:
    rec, port = plain_server
    monkeypatch.setenv("MONEV_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MONEV_SMTP_PORT", str(port))
    monkeypatch.setenv("MONEV_SMTP_USER", USER)
    monkeypatch.setenv("MONEV_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("MONEV_SMTP_ALLOW_PLAINTEXT_AUTH", "true")
    mail.send(["a@example.go.id"], "subject", "body")  # settings() as deployed
    assert rec.logins == [(USER, PASSWORD)] and len(rec.messages) == 1


def test_an_untrusted_certificate_gets_no_login(
        starttls_server: tuple[Recorder, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """TLS to whoever answers is no better than clear: a certificate the system does not
    trust ends the session before AUTH."""
    rec, port = starttls_server
    monkeypatch.delenv("SSL_CERT_FILE")
    with pytest.raises(ssl.SSLError):
        mail.send(["a@example.go.id"], "subject", "body", cfg=_cfg(port))
    assert rec.logins == [] and rec.messages == []


def test_no_login_configured_still_sends_to_a_plain_catcher(
        plain_server: tuple[Recorder, int]) -> None:
    """Mailpit in the compose stack: no credentials, no TLS, the message goes."""
    rec, port = plain_server
    mail.send(["a@example.go.id"], "subject", "body", cfg=_cfg(port, user=None, password=None))
    assert rec.logins == [] and len(rec.messages) == 1
