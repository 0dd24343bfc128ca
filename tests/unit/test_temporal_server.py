from pathlib import Path

from adapters.search_attributes import SEARCH_ATTRIBUTE_TYPES
from adapters.temporal_server import DevServer


def test_the_dev_server_keeps_its_search_attribute_cache() -> None:
    """Every search attribute is registered on the command line, before the server serves,
    so the server need not re-read them from its database on every workflow task (the CLI's
    dev default, which cost 8 % of its CPU under load)."""
    cmd = DevServer(Path("/tmp/t.db"), port=7999, ui_port=None).command()
    values = [cmd[i + 1] for i, arg in enumerate(cmd) if arg == "--dynamic-config-value"]
    assert "system.forceSearchAttributesCacheRefreshOnRead=false" in values
    registered = {cmd[i + 1].split("=")[0] for i, a in enumerate(cmd) if a == "--search-attribute"}
    assert registered == set(SEARCH_ATTRIBUTE_TYPES)


def test_the_dev_server_serves_its_metrics_on_the_port_it_is_given() -> None:
    given = DevServer(Path("/tmp/t.db"), port=7999, ui_port=None, metrics_port=9777).command()
    assert given[given.index("--metrics-port") + 1] == "9777"
    # 0: the Temporal CLI's own choice, as before the setting existed.
    assert "--metrics-port" not in DevServer(Path("/tmp/t.db"), port=7999, ui_port=None).command()
