from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cleaner.document import Document, Reject
from cleaner.steps import pii
from cleaner.steps.pii import Pii, PiiConfig, _any_digit, _email, find_emails


def redact(text: str, **options) -> Document | Reject:
    return Pii(PiiConfig(**options)).apply(Document(id="x", text=text, source="x"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Email: usmangull36[at]gmail.com", "Email: [EMAIL]"),
        ("Schreiben Sie an redaktion@zeitung.de.", "Schreiben Sie an [EMAIL]."),
        ("Paris news@infocomcgt.fr4 rue Guyton", "Paris [EMAIL]4 rue Guyton"),  # the next block glued to it
        ("contacto: ana.ruiz (arroba) ejemplo (punto) es", "contacto: [EMAIL]"),
        ("Call +1 415 555 0134 today", "Call [PHONE] today"),
        ("Tel. 0221 / 123 45 67", "Tel. [PHONE]"),
        ("Zadzwoń: +48 22 123 45 67.", "Zadzwoń: [PHONE]."),
        ("logged from 81.2.69.160 at noon", "logged from [IP] at noon"),
        ("Zugriff von 2a02:8070:a2c4:1d00:9c3f:11aa:4b1e:70e2.", "Zugriff von [IP]."),
        ("Telefon: 030 12345678 (Zentrale)", "Telefon: [PHONE] (Zentrale)"),
        ("Rufen Sie an: +49 89 1234567.", "Rufen Sie an: [PHONE]."),
        ("Standard : +33 1 23 45 67 89", "Standard : [PHONE]"),
        (
            "Spendenkonto: IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX",
            "Spendenkonto: IBAN [IBAN], BIC COBADEFFXXX",
        ),
        ("Payments to GB82WEST12345698765432 only.", "Payments to [IBAN] only."),
        ("Zadzwoń: tel. 601 234 567", "Zadzwoń: tel. [PHONE]"),
    ],
)
def test_personal_data_is_redacted(text: str, expected: str):
    doc = redact(text)
    assert doc.text == expected
    assert doc.metadata["pii_count"] == 1


@pytest.mark.parametrize(
    "text",
    [
        "In 2021 the budget grew by 1,500,000 dollars to 3.5 billion.",
        "ISBN 978-3-16-148410-0 and the report of 2021-05-04 on page 12.",
        "Version 2.0 of the law, article 12, paragraph 3, 45 votes to 12.",
        "Meet me at noon; the address is 12 Main Street.",
        "The IP address 999.1.1.1 is not valid.",
        "Open 192.168.1.1 in the browser and log in as admin.",  # a router's private address identifies no one
        "The player in Version 3.6.1.12 fixes the bug; v1.2.3.4 followed.",
        "Update to Firefox 3.0.0.4 or Thunderbird 2.0.0.21; Android 4.4.2.1 needs no patch.",  # product versions
        "Issue 306\n04/2021",  # a page number above a date: digit groups on two lines are not one number
        "Le déficit atteint 2 500 000 000 euros, selon le ministère.",  # thousands apart, not a phone number
        "Budżet wyniósł 1 250 000 000 zł w 2022 roku.",
        "Le contrat vaut 100 000 000 euros, dit-il.",
        "Wyniki: 10\t11\t12\t13\t14 punktów.",
        "The code DE89 3704 0044 0532 0130 01 fails its checksum and is no IBAN.",
    ],
)
def test_numbers_that_are_not_personal_data_stay(text: str):
    doc = redact(text)
    assert doc.text == text and "pii_count" not in doc.metadata


def test_keep_and_reject_modes():
    kept = redact("write to jane@example.org", action="keep")
    assert kept.text == "write to jane@example.org" and kept.stats == {"pii_email": 1}
    rejected = redact("write to jane@example.org", action="reject")
    assert isinstance(rejected, Reject) and rejected.reason == "pii.found"


def test_two_numbers_in_a_row_are_both_found():
    doc = redact("Zentrale: +49 711 44891-120 Service: +49 7031 6620-99 +49 30 1234567")
    assert doc.text == "Zentrale: [PHONE] Service: [PHONE] [PHONE]"
    assert doc.stats == {"pii_phone": 3}


def test_private_addresses_can_be_redacted_too_and_are_never_phone_numbers():
    text = "Server: 10.20.30.40, router 192.168.100.200"
    assert redact(text, private_ips=True).text == "Server: [IP], router [IP]"
    assert redact(text).text == text  # kept, and not taken for the phone number its digits would make
    assert redact(text, ips=False).text == text


@pytest.mark.parametrize("digit", ["²", "①", "٣", "7"])
def test_a_text_whose_only_digits_are_unusual_is_still_scanned(digit: str):
    assert _any_digit().search(f"Note {digit} of the report")
    assert not _any_digit().search("No digit in this text at all")


def test_an_address_needs_its_dotted_octets_and_an_ipv6_its_colons():
    step = Pii()
    text = "Server 8.8.8.8 and 2001:4860:4860:0000:0000:0000:0000:8888 answer; 3.14 is pi; at 10:30 we met."
    assert [kind for _, _, kind in step.find(text)] == ["ip", "ip"]


# An IBAN's pattern as it was: its start found by a lookahead, not by the first check digit.
LOOKAHEAD_IBAN = r"(?=[0-9])(?<=(?<![\w-])[A-Z]{2})[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\w-])"
# Octets and check digits; hex groups, country codes and what stands between them (an Arabic-Indic digit is a \d).
ADDRESS_LIKE = ["1", "25", "255", "256", "0", "89", "\u0663"]
ADDRESS_LIKE += ["7f", "db8", "AB", "DE", "X", "a", ".", ":", " ", "-", "\n"]


@settings(max_examples=3000, derandomize=True)
@given(st.lists(st.sampled_from(ADDRESS_LIKE), max_size=40).map("".join))
@example("DE89 3704 0044 0532 0130 00 and 8.8.8.8, 2001:4860:4860:0:0:0:0:8888")
@example("1.2.3.4.5 9.168.1.1:80 fe80:0:0:0:0:0:0:1:2 1.2.3.4 . 2001:db8:0:0:0:0:0:1")
@example("255.25.1.0 at 100.1.1.1, 12.255.0.1; 1.2.3.4.5.6.7.8 and 1.2.3.4")
@example("v1.2.3, " * 40 + "10.0.0.1 and 1.1.1.1" + " 1.1." * 40)  # past the hints tried one by one
def test_addresses_and_ibans_are_found_where_scanning_the_whole_text_finds_them(text: str):
    """The scans for addresses start at the first place an address may hold its hint; an IBAN's starts at its
    first check digit: each finds exactly what its full pattern finds over the whole text."""
    expected = [*pii.IPV4.finditer(text), *(pii.IPV6.finditer(text) if "." in text else ())]
    assert [m.span() for m in pii.find_addresses(text)] == [m.span() for m in expected]
    assert [m.span() for m in pii.IBAN.finditer(text)] == [m.span() for m in re.finditer(LOOKAHEAD_IBAN, text)]


@st.composite
def numbers(draw) -> str:
    """Text around phone-shaped numbers: digit groups apart by the spaces and signs numbers are written with."""
    separators = st.sampled_from(["", " ", "-", ".", "/", " / ", " - ", "(", ")", ") ", " (", "\u00a0", "\n", "\t"])
    groups = draw(st.lists(st.text(alphabet="0123456789", min_size=1, max_size=5), min_size=1, max_size=6))
    pieces = [draw(st.sampled_from(["", "+", "(", "+49 (0)", "Tel. ", "x "]))]
    for group in groups:
        pieces += [group, draw(separators)]
    return "".join(pieces) + draw(st.sampled_from(["", " euros", ".", "-1"]))


@settings(max_examples=400, deadline=None)
@given(numbers(), st.sampled_from([1, 5, 9, 12]))
@example("+1 (555) 123-4567", 9)
@example("(030) 1234 5678", 9)
@example("Tel. 0221 / 123 45 67", 9)
def test_the_digit_prefilter_never_hides_a_phone_number(text: str, min_digits: int):
    config = PiiConfig(min_phone_digits=min_digits)
    unfiltered = Pii(config)
    unfiltered._phone_digits = None  # every text scanned with the full pattern
    assert Pii(config).find(text) == unfiltered.find(text)


ADDRESS_PIECES = [
    "a",
    "b",
    "K",
    "\u212a",
    "\u017f",
    "x9",
    ".",
    "%",
    "+",
    "-",
    "_",
    "@",
    " ",
    "\n",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "at",
    "AT",
    "dot",
    "\u00e4t",
    "ma\u0142pa",
    "com",
    "de",
    "5",
    ",",
    "'",
    "\u00e9",
    "[at]",
    " (at) ",
    "[dot]",
    "..",
    "jo.hn",
    "ex-ample",
]


@settings(max_examples=3000, derandomize=True)
@given(st.lists(st.sampled_from(ADDRESS_PIECES), max_size=30).map("".join))
@example("50%john@example.com and a@b.co5%x@y.com")
@example("mail: jane . doe [at] example [dot] org, (at) x@y")
def test_addresses_are_found_where_the_email_pattern_finds_them(text: str):
    """find_emails tries the pattern only before each "@": it must find exactly what scanning the whole text finds."""
    assert [m.span() for m in find_emails(text)] == [m.span() for m in _email().finditer(text)]
