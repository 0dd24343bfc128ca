from adapters.catalog_files import load_catalog
from domain.fees import FeeLine, fee_lines
from madoguchi.settings import REPO_ROOT


def test_each_certificate_is_charged_for_its_own_count_and_free_procedures_are_left_out() -> None:
    catalog = load_catalog(REPO_ROOT / "catalog")
    answers = {"juminhyo.copies": "2", "inkan_shomei.copies": "1", "new_address": "x"}
    lines = fee_lines(catalog, ["tenkyo", "juminhyo", "inkan_shomei", "inkan_toroku"], answers)
    assert lines == [
        FeeLine("住民票の写し", 2, 600, True),
        FeeLine("印鑑登録証明書", 1, 300, True),
        FeeLine("印鑑登録", 1, 300, False),
    ]
    # One count for every procedure, as an API client may send it.
    assert [f.yen for f in fee_lines(catalog, ["juminhyo"], {"copies": "3"})] == [900]
