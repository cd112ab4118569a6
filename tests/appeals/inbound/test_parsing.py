"""Reading inbound mail: whatever arrives gives plain values and a clear note, never an exception."""

from __future__ import annotations

import base64
import email
import time
from datetime import UTC, datetime

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appeals.inbound import parsing
from appeals.inbound.parsing import (
    Parsed,
    case_references_in,
    normalise_case_reference,
    normalise_message_id,
    parse,
    safe_filename,
    suggest_classification,
    token_from_addresses,
)
from tests.appeals.inbound import samples

LIMIT = 20 * samples.MB
SUGGESTIONS = {
    parsing.ACKNOWLEDGED,
    parsing.INFO_REQUESTED,
    parsing.GRANTED,
    parsing.PARTIAL,
    parsing.REJECTED,
}


def read(raw: bytes, limit: int = LIMIT) -> Parsed:
    return parse(raw, max_attachment_bytes=limit)


def assert_sane(parsed: Parsed) -> None:
    """What any caller may rely on, whatever the input was."""
    assert isinstance(parsed, Parsed)
    texts = [
        parsed.message_id,
        parsed.in_reply_to,
        parsed.from_address,
        parsed.from_display,
        parsed.subject,
        parsed.text,
        parsed.auto_reply_reason,
        *parsed.references,
        *parsed.recipients,
        *parsed.problems,
        *parsed.from_warnings,
        *(a.filename for a in parsed.attachments),
        *(a.note for a in parsed.attachments),
    ]
    for text in texts:
        assert isinstance(text, str)
        text.encode("utf-8")  # no lone surrogates: storable as is
        assert "\x00" not in text  # PostgreSQL refuses NUL in text
    assert parsed.date is None or parsed.date.utcoffset().total_seconds() == 0
    for attachment in parsed.attachments:
        assert "/" not in attachment.filename and "\\" not in attachment.filename
        assert attachment.content is None or len(attachment.content) == attachment.size


# --- the round token and the thread -----------------------------------------------------------------


def test_token_in_the_to_address_is_found():
    parsed = read(samples.reply_with_token("k3x9q2"))
    assert parsed.recipients == ["appeals+k3x9q2@example.org"]
    assert token_from_addresses(parsed.recipients, samples.INBOUND) == "k3x9q2"


def test_token_only_in_delivered_to_is_found_whatever_the_case_of_the_domain():
    parsed = read(samples.reply_delivered_to_token("k3x9q2"))
    assert "appeals+k3x9q2@EXAMPLE.org" in parsed.recipients
    assert token_from_addresses(parsed.recipients, samples.INBOUND) == "k3x9q2"


def test_recipients_come_from_to_cc_and_the_envelope_headers():
    raw = samples.built(
        To="a@x.example",
        Cc="B <b@x.example>",
        X_Original_To="c@x.example",
        Envelope_To="d@x.example",
    )
    assert read(raw).recipients == ["a@x.example", "b@x.example", "c@x.example", "d@x.example"]


@pytest.mark.parametrize(
    "address",
    [
        "appeals@example.org",  # no token
        "appeals+k3x9q2@example.com",  # another domain
        "other+k3x9q2@example.org",  # another local part
        "appeals+k3/x9@example.org",  # not a token's characters
        "appeals+ab@example.org",  # too short to be one
        "not an address",
    ],
)
def test_addresses_without_our_token_give_none(address):
    assert token_from_addresses([address], samples.INBOUND) is None


def test_token_is_given_in_lower_case_because_servers_change_the_case_of_addresses():
    assert token_from_addresses(['"Appeals+K3X9Q2"@Example.Org'], samples.INBOUND) == "k3x9q2"


def test_the_first_token_wins_when_several_addresses_carry_one():
    addresses = ["x@y.example", "appeals+first1@example.org", "appeals+second@example.org"]
    assert token_from_addresses(addresses, samples.INBOUND) == "first1"


def test_in_reply_to_and_references_are_read_as_message_ids():
    parsed = read(samples.reply_in_thread())
    assert parsed.message_id == "<r3@wishful.example>"
    assert parsed.in_reply_to == "<round-1.abc@coalition.example>"
    assert parsed.references == ["<older@coalition.example>", "<round-1.abc@coalition.example>"]
    assert token_from_addresses(parsed.recipients, samples.INBOUND) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(" <a.b@c.example> ", "<a.b@c.example>"), ("a.b@c.example", "<a.b@c.example>"), ("", "")],
)
def test_message_ids_are_normalised_to_angle_brackets(value, expected):
    assert normalise_message_id(value) == expected


# --- text, in whatever charset --------------------------------------------------------------------


def test_plain_reply_gives_sender_subject_date_and_text():
    parsed = read(samples.reply_with_token())
    assert parsed.from_address == samples.PLATFORM
    assert parsed.from_display == "Wishful Seller Support"
    assert parsed.subject == "Re: Collective appeal, round 1"
    assert parsed.date == datetime(2024, 7, 2, 1, 30, tzinfo=UTC)
    assert parsed.text.startswith("Hello,\n\nThank you for your appeal.")
    assert parsed.problems == [] and parsed.from_warnings == [] and not parsed.is_auto_reply


def test_html_only_mail_gives_its_visible_text_without_scripts_or_styles():
    parsed = read(samples.html_only())
    assert "Your funds have been released & the hold lifted." in parsed.text
    assert "- Store A\n- Store B" in parsed.text
    assert "tracking" not in parsed.text and "color" not in parsed.text
    assert "Decision" not in parsed.text  # the <title> is not body text


def test_plain_part_is_preferred_over_the_html_alternative():
    raw = samples.built(body="Plain words.")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    message.add_alternative("<p>HTML words.</p>", subtype="html")
    assert read(message.as_bytes()).text == "Plain words."


@pytest.mark.parametrize(
    ("charset", "text", "subject"),
    [
        ("gb18030", "您的申诉已恢复，𠀀号店铺已解封。", "关于您的申诉"),
        ("gbk", "请提供相关发票。", "申诉结果"),
        # Labelled GB2312 but using a character only GB18030 has: what clients really send.
        ("gb2312", "您好，䶮先生，我们已收到。", "回复"),
        ("big5", "您的申訴已恢復。", "關於您的申訴"),
        # Labelled Big5 but using an HKSCS character (嘅): read as Big5-HKSCS.
        ("big5", "我哋嘅決定：駁回。", "申訴結果"),
    ],
)
def test_chinese_bodies_and_subjects_are_decoded(charset, text, subject):
    parsed = read(samples.chinese(charset, text, subject))
    assert parsed.text == text
    assert parsed.subject == subject
    assert parsed.problems == []


def test_unknown_charset_is_decoded_best_effort_with_a_note():
    with translation.override("en"):  # the note is in the reader's language
        parsed = read(samples.unknown_charset())
    assert parsed.text == "Vos comptes ont été rétablis — your accounts are reinstated."
    assert parsed.subject == "Stores reinstated"
    assert any("unknown charset “x-made-up”" in p for p in parsed.problems)


def test_bytes_no_charset_can_read_show_as_replacement_characters_with_a_note():
    raw = (
        b"From: a@b.example\r\nContent-Type: text/plain; charset=big5\r\n\r\n"
        b"ok \xff\xfe\xff end\r\n"
    )
    parsed = read(raw)
    assert (
        parsed.text.startswith("ok ") and parsed.text.endswith(" end") and "\ufffd" in parsed.text
    )
    assert any("could not be decoded" in p for p in parsed.problems)


def test_raw_8bit_headers_are_decoded_by_guessing_their_charset():
    parsed = read(samples.raw_8bit_headers())
    assert parsed.subject == "关于您的申诉"
    assert parsed.from_display == "王经理" and parsed.from_address == samples.PLATFORM
    assert parsed.text == "已收到您的申诉。"


def test_rfc2047_words_keep_the_space_before_plain_text():
    raw = b"From: a@b.example\r\nSubject: =?utf-8?b?5L2g5aW9?= world\r\n =?utf-8?q?caf=C3=A9?=\r\n\r\n"
    assert read(raw).subject == "你好 world café"


# --- broken mail ----------------------------------------------------------------------------------


def test_malformed_mime_gives_notes_and_whatever_text_could_be_read():
    parsed = read(samples.malformed())
    assert parsed.text == "Please provide the invoices."
    assert parsed.date is None
    assert parsed.problems == [
        "the Date header could not be read: the day after tomorrow",
        "malformed MIME: close boundary not found",
        "malformed MIME: invalid base64 characters",
    ]
    [attachment] = parsed.attachments  # what base64 could be read from it, kept as is
    assert attachment.filename == "invoice.pdf"
    assert_sane(parsed)


def test_a_multipart_without_its_boundary_is_read_as_text():
    raw = b"From: a@b.example\r\nContent-Type: multipart/mixed\r\n\r\nWe cannot reinstate.\r\n"
    parsed = read(raw)
    assert parsed.text == "We cannot reinstate." and parsed.attachments == []
    assert "malformed MIME: no boundary in multipart" in parsed.problems


def test_table_cells_keep_their_words_apart():
    raw = b"Content-Type: text/html\r\n\r\n<table><tr><td>Store</td><td>Outcome</td></tr></table>"
    assert read(raw).text == "Store Outcome"


def test_a_line_that_is_not_a_header_ends_the_headers_with_a_note():
    raw = b"From: a@b.example\r\nthis is no header\r\nSubject: lost\r\n\r\nbody\r\n"
    parsed = read(raw)
    assert parsed.subject == "" and parsed.text == "this is no header\nSubject: lost\n\nbody"
    assert parsed.problems == ["malformed MIME: missing header body separator"]


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\r\n\r\n",
        b"\x00" * 50,
        b"Content-Type: multipart/mixed\r\n\r\nno boundary at all",
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n"
        + b"--x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" * 200,
        b"Subject: =?utf-8?b?!!!?=\r\nDate: Feb 30 99999\r\nFrom: <<<@>>>\r\n\r\n",
        b"Content-Type: text/plain; charset=unicode_escape\r\n\r\n\\N{BOGUS} \\x",
        b"Content-Type: text/plain; charset=base64\r\n\r\nabc",
        b"Content-Type: message/rfc822\r\n\r\n",
    ],
)
def test_garbage_gives_a_result_not_an_exception(raw):
    assert_sane(read(raw))


def test_parts_nested_beyond_what_the_parser_can_follow_give_the_headers_and_a_note():
    nested = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (n, n)
        for n in range(3000)
    )
    parsed = read(b"From: a@b.example\r\nSubject: deep\r\n" + nested)
    assert (parsed.from_address, parsed.subject) == ("a@b.example", "deep")
    assert parsed.problems == ["the message nests its parts too deeply: only its headers were read"]


@pytest.mark.parametrize(
    "raw",
    [
        b"From: " + b"a" * 300_000 + b" <x@y.example>\r\n\r\nbody",
        b"Subject: " + b"1a-" * 100_000 + b"\r\n\r\nbody",
        b"To: " + b'"a",' * 50_000 + b"\r\n\r\n",
        b"From: " + b"(" * 50_000 + b"\r\n\r\n",
        b"Content-Type: text/plain\r\n\r\n" + b"unable to reinstate " * 200_000,
    ],
    ids=["long-name", "long-subject", "many-quotes", "many-parens", "long-text"],
)
def test_absurdly_long_headers_and_bodies_are_read_in_time(raw):
    started = time.monotonic()
    assert_sane(read(raw))
    assert time.monotonic() - started < 5


def test_something_that_is_not_bytes_gives_a_note_not_an_exception():
    parsed = parse("a str, not bytes", max_attachment_bytes=LIMIT)  # type: ignore[arg-type]
    assert parsed.problems and parsed.problems[0].startswith("could not read this message")


def test_a_message_bigger_than_can_be_read_gives_its_headers_and_a_note():
    parsed = parse(
        samples.with_attachment(3000), max_attachment_bytes=LIMIT, max_message_bytes=1000
    )
    assert parsed.subject == "Re: Collective appeal: our statement"
    assert parsed.message_id == "<big-3000@wishful.example>"
    assert parsed.attachments == [] and parsed.text == ""
    assert parsed.problems == ["the message is 0 MB: only its headers were read"]


# --- attachments ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def forty_megabytes() -> bytes:
    return samples.with_attachment(40 * samples.MB)


def test_attachment_over_the_evidence_limit_is_left_in_the_raw_message_with_a_note(forty_megabytes):
    parsed = read(forty_megabytes, limit=20 * samples.MB)
    [attachment] = parsed.attachments
    assert (attachment.filename, attachment.size, attachment.content) == (
        "statement.pdf",
        40 * samples.MB,
        None,
    )
    assert attachment.note == (
        "“statement.pdf” (40 MB) is over the 20 MB limit for evidence: it is kept only inside "
        "the original message"
    )
    assert attachment.note in parsed.problems
    assert parsed.text == "Our statement is attached."


def test_attachment_within_the_limit_keeps_its_bytes():
    raw = samples.with_attachment(5000, seed=7)
    [attachment] = read(raw, limit=5000).attachments
    assert attachment.size == 5000 and attachment.content == samples.random.Random(7).randbytes(
        5000
    )
    assert attachment.content_type == "application/pdf" and attachment.note == ""


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\invoice.pdf", "invoice.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # a right-to-left override hid ".exe"
        ("bad\x00na\x1fme.txt", "badname.txt"),
        ('a<b>:"c|?*.pdf', "a_b___c___.pdf"),
        ("...hidden", "hidden"),
        ("", "attachment"),
        ("   ", "attachment"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),  # 120 characters, the extension kept
    ],
)
def test_attachment_names_are_made_safe(name, expected):
    assert safe_filename(name) == expected


def test_attachment_without_a_name_gets_one_from_its_type():
    raw = (
        b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n"
        b"--q\r\nContent-Type: text/plain\r\n\r\nSee the image.\r\n"
        b"--q\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode(b"\x89PNG....")
        + b"\r\n--q--\r\n"
    )
    [attachment] = read(raw).attachments
    assert attachment.filename == "attachment-1.png" and attachment.content == b"\x89PNG...."


def test_encoded_and_raw_8bit_attachment_names_are_decoded():
    raw = (
        b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n"
        b'Content-Type: application/pdf; name="=?utf-8?b?5Y+R56WoLnBkZg==?="\r\n\r\nx\r\n--q\r\n'
        b'Content-Disposition: attachment; filename="'
        + "收据.pdf".encode("gb18030")
        + b'"\r\n\r\ny\r\n--q--\r\n'
    )
    assert [a.filename for a in read(raw).attachments] == ["发票.pdf", "收据.pdf"]


def test_a_forwarded_message_is_one_attachment_not_more_body_text():
    inner = samples.reply_in_thread()
    raw = (
        b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n"
        b"--q\r\nContent-Type: text/plain\r\n\r\nForwarding our earlier answer.\r\n"
        b"--q\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--q--\r\n"
    )
    parsed = read(raw)
    assert parsed.text == "Forwarding our earlier answer."
    [attachment] = parsed.attachments
    assert (
        attachment.filename == "attachment-1.eml" and b"unable to reinstate" in attachment.content
    )


# --- auto-replies and the sender ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("auto-submitted", "Auto-Submitted: auto-replied"),
        ("x-autoreply", "X-Autoreply header"),
        ("precedence", "Precedence: auto_reply"),
        ("out-of-office", "an out-of-office subject"),
        ("chinese", "an out-of-office subject"),
    ],
)
def test_auto_replies_are_recognised(kind, reason):
    parsed = read(samples.auto_reply(kind))
    assert parsed.is_auto_reply and parsed.auto_reply_reason == reason


def test_auto_submitted_no_is_a_person_writing():
    parsed = read(samples.built(Auto_Submitted="no", Subject="Your appeal"))
    assert not parsed.is_auto_reply and parsed.auto_reply_reason == ""


def test_a_bounce_is_automatic():
    raw = (
        b"From: MAILER-DAEMON@mx.wishful.example\r\nSubject: Undelivered Mail\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n"
        b"--r\r\nContent-Type: text/plain\r\n\r\nThe message could not be delivered.\r\n--r--\r\n"
    )
    parsed = read(raw)
    assert parsed.is_auto_reply and parsed.auto_reply_reason == "a delivery status report"


def test_a_forged_from_is_reported_with_the_real_address():
    parsed = read(samples.forged_from())
    assert parsed.from_address == "support@evil.example"
    assert parsed.from_display == samples.PLATFORM
    assert parsed.from_warnings == [
        f"the sender's name shows the address {samples.PLATFORM}, but the mail came from "
        "support@evil.example",
        "the receiving mail server could not verify the sender (spf=fail, dmarc=fail)",
    ]


def test_a_verified_sender_has_no_warnings():
    raw = samples.built(
        Authentication_Results="mx.example.org; spf=pass; dkim=pass; dmarc=pass", Subject="x"
    )
    assert read(raw).from_warnings == []


def test_several_senders_or_none_are_doubtful():
    assert read(samples.built(From="a@x.example, b@y.example")).from_warnings == [
        "the From header names more than one sender"
    ]
    assert read(b"Subject: x\r\n\r\nbody").from_warnings == [
        "the message has no readable From address"
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 02 Jul 2024 09:30:00 +0800", datetime(2024, 7, 2, 1, 30, tzinfo=UTC)),
        ("Tue, 02 Jul 2024 09:30:00 -0000", datetime(2024, 7, 2, 9, 30, tzinfo=UTC)),
        ("2 Jul 2024 09:30 EST", datetime(2024, 7, 2, 14, 30, tzinfo=UTC)),
    ],
)
def test_dates_are_aware_utc(value, expected):
    assert read(samples.built(Date=value)).date == expected


# --- case references ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "first"),
    [
        ("Re: Case 12345678 - your appeal", "12345678"),
        ("[Ticket#2024-000123] Your appeal", "2024-000123"),
        ("Case ID: AB-77-XY9", "AB-77-XY9"),
        ("回复：您的申诉（案件编号：CN20240001）", "CN20240001"),
        ("工单号 558812 已处理", "558812"),
        ("Your appeal W-99812 was reviewed", "W-99812"),
    ],
)
def test_case_references_are_found_in_subjects(subject, first):
    assert case_references_in(subject)[0] == first


def test_a_subject_without_a_reference_gives_none():
    assert case_references_in("Re: Collective appeal, round 1") == []
    assert case_references_in("") == []


def test_case_references_compare_without_case_spaces_or_hash():
    assert normalise_case_reference(" #ab-12 ") == normalise_case_reference("AB-12") == "AB-12"


# --- a suggested classification -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We need more information about the affected orders.", parsing.INFO_REQUESTED),
        ("Please provide the invoices for these stores.", parsing.INFO_REQUESTED),
        ("We cannot proceed unless you provide additional documents.", parsing.INFO_REQUESTED),
        ("请提供相关发票。", parsing.INFO_REQUESTED),
        ("请在7天内补充材料。", parsing.INFO_REQUESTED),
        ("Your accounts have been reinstated.", parsing.GRANTED),
        ("The funds have been released to your account.", parsing.GRANTED),
        ("您的店铺已恢复正常。", parsing.GRANTED),
        ("We are unable to reinstate your account.", parsing.REJECTED),
        ("Your appeal was denied.", parsing.REJECTED),
        ("The account will not be reinstated.", parsing.REJECTED),
        ("您的申诉已被驳回。", parsing.REJECTED),
        ("我们无法恢复您的账户。", parsing.REJECTED),
        ("Your account has been reinstated. If you cannot log in, write to us.", parsing.GRANTED),
        ("Your account has been partially reinstated.", parsing.PARTIAL),
        ("部分退款已完成。", parsing.PARTIAL),
        ("We have received your appeal and it is under review.", parsing.ACKNOWLEDGED),
        ("已收到您的申诉，正在审核。", parsing.ACKNOWLEDGED),
        ("Hello.", None),
        ("", None),
    ],
)
def test_classification_is_suggested_from_plain_rules(text, expected):
    assert suggest_classification(text) == expected


def test_the_quoted_letter_does_not_count():
    text = (
        "Thanks, noted.\n\nOn Mon, 1 Jul 2024 at 10:00, Coalition wrote:\n"
        "> We ask that our accounts be reinstated. We cannot accept this.\n"
    )
    assert suggest_classification(text) is None
    chinese = "好的。\n\n------------------ 原始邮件 ------------------\n发件人: Coalition\n请恢复我们的账户，已恢复"
    assert suggest_classification(chinese) is None


def test_a_reply_subject_echoing_ours_does_not_count_but_the_platforms_own_does():
    assert suggest_classification("", "Re: Accounts reinstated?") is None
    assert suggest_classification("", "回复：申诉已恢复") is None
    assert suggest_classification("", "Your account has been reinstated") == parsing.GRANTED


def test_every_suggestion_is_a_platform_response_classification():
    from appeals.models import PlatformResponse

    assert set(PlatformResponse.Classification.values) >= SUGGESTIONS


# --- never raises, whatever the bytes -------------------------------------------------------------

SAMPLES = [
    samples.reply_with_token(),
    samples.reply_in_thread(),
    samples.html_only(),
    samples.malformed(),
    samples.raw_8bit_headers(),
    samples.unknown_charset(),
    samples.forged_from(),
    samples.chinese("big5", "您的申訴已恢復。", "關於您的申訴"),
    samples.with_attachment(300),
]
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise(raw):
    assert_sane(read(raw, limit=100))


@PROPERTY
@given(
    st.sampled_from(SAMPLES),
    st.lists(
        st.tuples(st.integers(0, 10_000), st.binary(max_size=8), st.integers(0, 8)), max_size=8
    ),
)
def test_damaged_real_messages_never_raise(raw, damage):
    data = bytearray(raw)
    for position, inserted, removed in damage:
        at = position % (len(data) + 1)
        data[at : at + removed] = inserted
    assert_sane(read(bytes(data), limit=100))


_HEADER_NAMES = st.sampled_from(
    ["From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
     "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Auto-Submitted",
     "Delivered-To", "Authentication-Results"]
)  # fmt: skip


@PROPERTY
@given(
    st.lists(st.tuples(_HEADER_NAMES, st.text(max_size=80)), max_size=12),
    st.text(max_size=300),
    st.sampled_from(["utf-8", "gb18030", "big5hkscs", "latin-1"]),
)
def test_random_headers_and_bodies_in_any_charset_never_raise(headers, body, charset):
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    raw = (head + "\r\n" + body).encode(charset, errors="replace")
    assert_sane(read(raw, limit=100))


@PROPERTY
@given(st.text(max_size=400), st.text(max_size=100), st.lists(st.text(max_size=60), max_size=5))
def test_the_rules_never_raise_on_any_text(text, subject, addresses):
    assert suggest_classification(text, subject) in {None, *SUGGESTIONS}
    assert all(isinstance(c, str) for c in case_references_in(subject))
    token = token_from_addresses(addresses, samples.INBOUND)
    assert token is None or isinstance(token, str)
