"""Personal data as it shows up in posts: phones in many formats, e-mails, CCCD, bank accounts, plates.

Every generator returns (surface, normalized): the text as written and a canonical value
(digits only for numbers, upper-case without separators for plates, lower-case e-mail), which is
what the ground truth records beside the span.
"""

from __future__ import annotations

import random

from socialbeat.simulator.style import strip_diacritics

PII_TYPES = ("phone", "email", "cccd", "bank_account", "plate")

_MOBILE_PREFIXES = (
    "090",
    "093",
    "089",
    "070",
    "076",
    "077",
    "078",
    "079",
    "091",
    "094",
    "088",
    "081",
    "082",
    "083",
    "084",
    "085",
    "086",
    "096",
    "097",
    "098",
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
    "056",
    "058",
    "059",
    "099",
)
_PROVINCE_CODES = ("079", "079", "079", "079", "074", "075", "077", "080", "083", "086", "087", "089", "001")
_EMAIL_DOMAINS = (
    "gmail.com",
    "gmail.com",
    "gmail.com",
    "gmail.com",
    "yahoo.com",
    "yahoo.com.vn",
    "outlook.com",
    "hotmail.com",
    "icloud.com",
)
BANKS = (
    "Vietcombank",
    "Techcombank",
    "MB Bank",
    "ACB",
    "BIDV",
    "VietinBank",
    "Sacombank",
    "TPBank",
    "VPBank",
    "Agribank",
    "MB",
    "VCB",
    "TCB",
)
_CAR_SERIES = "ACDEFGHKLV"
_BIKE_SERIES = ("X1", "X2", "X3", "T1", "T2", "N1", "P1", "S2", "V1", "F1", "H1", "C1", "D1", "L2", "G1")


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _groups(number: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, start = [], 0
    for size in sizes:
        parts.append(number[start : start + size])
        start += size
    return sep.join(parts)


def mobile_number(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"


def format_phone(number: str, rng: random.Random) -> str:
    """A 10-digit mobile "0909123456" written one of the ways people write it."""
    national = number[1:]
    style = rng.randrange(10)
    if style <= 2:
        return number
    if style == 3:
        return _groups(number, (4, 3, 3), " ")
    if style == 4:
        return _groups(number, (4, 3, 3), ".")
    if style == 5:
        return _groups(number, (4, 3, 3), "-")
    if style == 6:
        return _groups(number, (3, 3, 4), " ")
    if style == 7:
        return "+84 " + _groups(national, (3, 3, 3), " ")
    if style == 8:
        return rng.choice(("+84", "84", "(+84) ")) + national
    return _groups(number, (4, 6), " ")


def phone(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.1:  # a landline of HCMC: 028 + 8 digits
        local = f"{rng.choice('235')}{rng.randrange(10**7):07d}"
        surface = rng.choice(("028 {a} {b}", "(028) {a}{b}", "028.{a}.{b}", "028{a}{b}")).format(
            a=local[:4], b=local[4:]
        )
        return surface, "028" + local
    number = mobile_number(rng)
    return format_phone(number, rng), number


def normalize_phone(surface: str) -> str:
    number = digits(surface)
    return "0" + number[2:] if number.startswith("84") and len(number) == 11 else number


def email(rng: random.Random, person: str) -> tuple[str, str]:
    words = strip_diacritics(person).lower().split()
    given, family = words[-1], words[0]
    local = rng.choice(
        (
            f"{family}{given}{rng.randint(80, 99)}",
            f"{given}.{family}",
            f"{given}{family}{rng.randint(1, 2005)}",
            f"{''.join(w[0] for w in words[:-1])}{given}",
            f"{given}_{rng.randint(1990, 2006)}",
        )
    )
    address = f"{local}@{rng.choice(_EMAIL_DOMAINS)}"
    return address, address.lower()


def cccd(rng: random.Random) -> tuple[str, str]:
    """12 digits: province (079 is HCMC), gender/century, year of birth, six random digits."""
    number = (
        rng.choice(_PROVINCE_CODES)
        + str(rng.randrange(4))
        + f"{rng.randrange(100):02d}"
        + f"{rng.randrange(10**6):06d}"
    )
    surface = _groups(number, (3, 3, 3, 3), " ") if rng.random() < 0.15 else number
    return surface, number


def bank_account(rng: random.Random) -> tuple[str, str]:
    length = rng.choice((9, 10, 12, 13, 13, 14, 14))
    number = str(rng.randint(1, 9)) + "".join(str(rng.randrange(10)) for _ in range(length - 1))
    return format_account(number, rng, spaced=0.3), number


def format_account(number: str, rng: random.Random, spaced: float = 0.5) -> str:
    """Digits as one block, or in groups of four: "1903 5582 4471 09"."""
    if rng.random() >= spaced:
        return number
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def plate(rng: random.Random) -> tuple[str, str]:
    """HCMC plates: cars 51F-123.45 (50/51 + series), motorbikes 59-X1 234.56."""
    if rng.random() < 0.55:
        head = f"{rng.choice(('51', '51', '50'))}{rng.choice(_CAR_SERIES)}"
        body = f"{rng.randrange(10**5):05d}"
        surface = rng.choice(
            (
                f"{head}-{body[:3]}.{body[3:]}",
                f"{head}-{body[:3]}.{body[3:]}",
                f"{head} {body[:3]}.{body[3:]}",
                f"{head}-{body}",
                f"{head}{body}",
            )
        )
    else:
        series = rng.choice(_BIKE_SERIES)
        body = f"{rng.randrange(10**5):05d}"
        surface = rng.choice(
            (
                f"59-{series} {body[:3]}.{body[3:]}",
                f"59{series}-{body[:3]}.{body[3:]}",
                f"59{series}-{body}",
                f"59-{series} {body}",
            )
        )
    return surface, normalize_plate(surface)


def normalize_plate(surface: str) -> str:
    return "".join(c for c in surface.upper() if c.isalnum())
