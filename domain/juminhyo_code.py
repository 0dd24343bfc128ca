"""住民票コード: 11 digits whose last digit is a modulus-11 check digit.

Weights 6,5,4,3,2,7,6,5,4,3 over the first ten digits; check = 11 - (sum mod 11), with
remainders 0 and 1 giving 0 (as published for 住基ネット; recheck against the city's data).
"""

from __future__ import annotations

_WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3)


def check_digit(first_ten: str) -> int:
    if len(first_ten) != 10 or not first_ten.isdigit():
        raise ValueError("住民票コード body must be 10 digits")
    remainder = sum(int(d) * w for d, w in zip(first_ten, _WEIGHTS, strict=True)) % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_valid(code: str) -> bool:
    return len(code) == 11 and code.isdigit() and check_digit(code[:10]) == int(code[10])


def with_check_digit(first_ten: str) -> str:
    return f"{first_ten}{check_digit(first_ten)}"
