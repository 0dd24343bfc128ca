from domain.juminhyo_code import is_valid
from madoguchi import demo_city


def test_demo_city_is_deterministic_synthetic_and_has_mj_names() -> None:
    a = demo_city.generate(300)
    assert a == demo_city.generate(300)
    assert len(a) == 300 and len({p.atena_no for p in a}) == 300
    assert all(is_valid(p.juminhyo_code) for p in a)
    assert all(p.address.startswith("香川県高松市") for p in a)
    assert any("\U000e0100" <= ch <= "\U000e01ef" for p in a for ch in p.name)
    heads = [p for p in a if p.relationship == "世帯主"]
    assert len({p.household_no for p in a}) == len(heads)
