"""Inbound messages as a platform (or a mail server, or an attacker) would send them, as raw bytes.

Built by hand rather than with the email package wherever the point is a message the email package
would never write (raw 8-bit headers, lying charsets, broken MIME). Shared by the unit tests and the
IMAP integration tests.
"""

from __future__ import annotations

import base64
import random
from email.message import EmailMessage

INBOUND = "appeals@example.org"
PLATFORM = "appeals-team@wishful.example"
DATE = "Tue, 02 Jul 2024 09:30:00 +0800"
MB = 1024 * 1024


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def reply_with_token(
    token: str = "k3x9q2", *, body: str = "", message_id: str = "<r1@wishful.example>"
) -> bytes:
    body = body or (
        "Hello,\n\nThank you for your appeal. We need more information: please provide the\n"
        "invoices for the affected orders.\n\nWishful Seller Support\n\n"
        "On Mon, 1 Jul 2024 at 10:00, Coalition wrote:\n"
        "> We ask that our accounts be reinstated and our funds released.\n"
    )
    return _crlf(
        f"From: Wishful Seller Support <{PLATFORM}>\n"
        f"To: Coalition <appeals+{token}@example.org>\n"
        f"Subject: Re: Collective appeal, round 1\n"
        f"Date: {DATE}\n"
        f"Message-ID: {message_id}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\n" + body
    )


def reply_delivered_to_token(token: str = "k3x9q2") -> bytes:
    """The platform answered an organiser in copy; only the envelope shows the plus address."""
    return _crlf(
        f"Delivered-To: appeals+{token}@EXAMPLE.org\n"
        f"From: {PLATFORM}\n"
        "To: olivia@organisers.example\n"
        "Subject: Your appeal\n"
        f"Date: {DATE}\n"
        "Message-ID: <r2@wishful.example>\n\n"
        "Your accounts have been reinstated.\n"
    )


def reply_in_thread(
    in_reply_to: str = "<round-1.abc@coalition.example>",
    references: str = "<older@coalition.example> <round-1.abc@coalition.example>",
) -> bytes:
    """No token anywhere: only In-Reply-To / References tie it to the round."""
    return _crlf(
        f"From: {PLATFORM}\n"
        "To: someone-else@example.org\n"
        "Subject: RE: Collective appeal\n"
        f"Date: {DATE}\n"
        "Message-ID: <r3@wishful.example>\n"
        f"In-Reply-To: {in_reply_to}\n"
        f"References: {references}\n\n"
        "We are unable to reinstate the accounts listed.\n"
    )


def auto_reply(kind: str = "auto-submitted") -> bytes:
    headers = {
        "auto-submitted": "Auto-Submitted: auto-replied\nSubject: Re: Collective appeal\n",
        "x-autoreply": "X-Autoreply: yes\nSubject: Re: Collective appeal\n",
        "precedence": "Precedence: auto_reply\nSubject: Re: Collective appeal\n",
        "out-of-office": "Subject: Out of Office: Re: Collective appeal\n",
        "chinese": "Subject: =?utf-8?b?6Ieq5Yqo5Zue5aSN?=: Re: Collective appeal\n",
    }[kind]
    return _crlf(
        f"From: {PLATFORM}\nTo: appeals+k3x9q2@example.org\n{headers}"
        f"Date: {DATE}\nMessage-ID: <auto-{kind}@wishful.example>\n\n"
        "I am out of the office until Monday and will reply when I am back.\n"
    )


def html_only() -> bytes:
    return _crlf(
        f"From: {PLATFORM}\nTo: appeals+k3x9q2@example.org\nSubject: Decision\n"
        "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
        "<html><head><title>Decision</title><style>p { color: red }</style>"
        "<script>document.write('tracking')</script></head><body>"
        "<p>Dear seller,</p><p>Your funds have been <b>released</b> &amp; the hold lifted.</p>"
        "<ul><li>Store A</li><li>Store B</li></ul></body></html>\n"
    )


def chinese(charset: str, text: str, subject: str) -> bytes:
    """A body and an RFC 2047 subject in a Chinese charset (gb18030, gbk, gb2312, big5)."""
    encoded_subject = base64.b64encode(subject.encode(_codec(charset))).decode()
    body = base64.encodebytes(text.encode(_codec(charset))).decode()
    return _crlf(
        f"From: {PLATFORM}\nTo: appeals+k3x9q2@example.org\n"
        f"Subject: =?{charset}?b?{encoded_subject}?=\nMIME-Version: 1.0\n"
        f"Content-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: base64\n\n{body}"
    )


def _codec(charset: str) -> str:
    return {"big5": "big5hkscs", "gb2312": "gb18030", "gbk": "gb18030"}.get(charset, charset)


def unknown_charset() -> bytes:
    return (
        b"From: " + PLATFORM.encode() + b"\r\nTo: appeals+k3x9q2@example.org\r\n"
        b"Subject: =?x-made-up?q?Stores_reinstated?=\r\n"
        b"Content-Type: text/plain; charset=x-made-up\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        + "Vos comptes ont été rétablis — your accounts are reinstated.\r\n".encode()
    )


def raw_8bit_headers() -> bytes:
    """Headers in raw GB18030 bytes, no RFC 2047, as some webmail still sends."""
    return (
        b"From: " + "王经理".encode("gb18030") + b" <" + PLATFORM.encode() + b">\r\n"
        b"To: appeals+k3x9q2@example.org\r\n"
        b"Subject: "
        + "关于您的申诉".encode("gb18030")
        + b"\r\n\r\n"
        + "已收到您的申诉。".encode("gb18030")
        + b"\r\n"
    )


def malformed() -> bytes:
    """A multipart with no closing boundary, a part with broken base64 and a bad Date."""
    return (
        b"From: " + PLATFORM.encode() + b"\r\nTo: appeals+k3x9q2@example.org\r\n"
        b"Subject: broken\r\nDate: the day after tomorrow\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease provide the invoices.\r\n"
        b"--b1\r\nContent-Type: application/pdf; name=invoice.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64 at all===\r\nJVBER\r\n"
    )


def unmatched() -> bytes:
    return _crlf(
        "From: newsletter@shop-tools.example\nTo: info@example.org\n"
        "Subject: Ten tips for your store\n"
        f"Date: {DATE}\nMessage-ID: <news-1@shop-tools.example>\n\nBuy our tool.\n"
    )


def forged_from() -> bytes:
    """Claims to be the platform; the receiving server says the claim does not hold."""
    return _crlf(
        "Authentication-Results: mx.example.org; spf=fail smtp.mailfrom=evil.example;\n"
        " dkim=none; dmarc=fail header.from=wishful.example\n"
        f'From: "{PLATFORM}" <support@evil.example>\n'
        "To: appeals+k3x9q2@example.org\nSubject: Your appeal is granted\n"
        f"Date: {DATE}\nMessage-ID: <forged@evil.example>\n\n"
        "Your accounts are reinstated. Log in here to confirm: http://evil.example/\n"
    )


def with_attachment(size: int, *, filename: str = "statement.pdf", seed: int = 0) -> bytes:
    """A reply with one attachment of `size` bytes (random, so incompressible)."""
    data = random.Random(seed).randbytes(size)
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    head = _crlf(
        f"From: {PLATFORM}\nTo: appeals+k3x9q2@example.org\n"
        "Subject: Re: Collective appeal: our statement\n"
        f"Date: {DATE}\nMessage-ID: <big-{size}@wishful.example>\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="zz"\n\n'
        "--zz\nContent-Type: text/plain; charset=utf-8\n\nOur statement is attached.\n"
        f'--zz\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="{filename}"\n'
        "Content-Transfer-Encoding: base64\n\n"
    )
    return head + encoded + b"\r\n--zz--\r\n"


def built(**headers: str) -> bytes:
    """A plain, well-formed message from the email package, with any headers."""
    body = headers.pop("body", "Thank you.")
    message = EmailMessage()
    message["From"] = headers.pop("From", PLATFORM)
    message["To"] = headers.pop("To", "appeals+k3x9q2@example.org")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()
