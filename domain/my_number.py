"""個人番号 (My Number): checking and masking. The number itself is 特定個人情報: it is not
stored unless a procedure legally needs it, then only sealed (adapters.envelope), and shown
masked unless the viewer's role has ``mynumber.read``."""

from __future__ import annotations


def check_digit(first_eleven: str) -> int:
    """Check digit of the 12-digit number (総務省令 weights: n+1 for n≤6, n-5 for n≥7,
    counting from the digit next to the check digit)."""
    if len(first_eleven) != 11 or not first_eleven.isdigit():
        raise ValueError("個人番号 body must be 11 digits")
    total = 0
    for n in range(1, 12):
        p = int(first_eleven[11 - n])
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_valid(number: str) -> bool:
    return len(number) == 12 and number.isdigit() and check_digit(number[:11]) == int(number[11])


def mask(number: str) -> str:
    """What screens and exports show without ``mynumber.read``: the last four digits only."""
    return "*" * max(0, len(number) - 4) + number[-4:]
