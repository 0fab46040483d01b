"""The client address behind proxies: X-Forwarded-For is believed only from a trusted peer,
read from the right, so nothing a client writes into it can move it to another address."""

from __future__ import annotations

import re
from ipaddress import ip_network

import pytest
from hypothesis import given
from hypothesis import strategies as st

from childindex.config import Settings
from childindex.web.forwarded import MAX_HOPS, client_address

TRUSTED = (ip_network("10.0.0.0/8"), ip_network("2001:db8::/32"))


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert client_address("203.0.113.9", ["198.51.100.1"], ()) == "203.0.113.9"


def test_an_untrusted_peer_cannot_choose_its_address() -> None:
    assert client_address("203.0.113.9", ["198.51.100.1"], TRUSTED) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_address_it_saw_is_the_client() -> None:
    assert client_address("10.0.0.5", ["198.51.100.7"], TRUSTED) == "198.51.100.7"


def test_the_right_most_untrusted_hop_wins_over_what_the_client_wrote() -> None:
    header = ["6.6.6.6, 198.51.100.7, 10.1.2.3"]
    assert client_address("10.0.0.5", header, TRUSTED) == "198.51.100.7"


def test_several_headers_are_read_as_one_list() -> None:
    assert client_address("10.0.0.5", ["6.6.6.6", "198.51.100.7"], TRUSTED) == "198.51.100.7"


def test_ipv6_hops_and_proxies() -> None:
    assert client_address("2001:db8::1", ["2001:db8::2, 2a00:1450::1"], TRUSTED) == "2a00:1450::1"


def test_garbage_from_a_trusted_proxy_falls_back_to_the_proxy() -> None:
    assert client_address("10.0.0.5", ["not-an-address"], TRUSTED) == "10.0.0.5"
    assert client_address("10.0.0.5", [""], TRUSTED) == "10.0.0.5"
    assert client_address("10.0.0.5", [], TRUSTED) == "10.0.0.5"


def test_a_header_longer_than_any_real_chain_is_not_believed() -> None:
    header = [", ".join(["198.51.100.1"] * (MAX_HOPS + 1))]
    assert client_address("10.0.0.5", header, TRUSTED) == "10.0.0.5"


def test_all_hops_trusted_the_left_most_is_the_client() -> None:
    assert client_address("10.0.0.5", ["10.9.9.9, 10.0.0.7"], TRUSTED) == "10.9.9.9"


def test_the_setting_reads_addresses_and_networks_and_refuses_garbage() -> None:
    settings = Settings(CHILDINDEX_TRUSTED_PROXIES="10.0.0.0/8, 192.0.2.7 ,2001:db8::/32")
    assert settings.trusted_proxies() == (
        ip_network("10.0.0.0/8"),
        ip_network("192.0.2.7/32"),
        ip_network("2001:db8::/32"),
    )
    assert Settings().trusted_proxies() == ()
    with pytest.raises(ValueError, match=re.escape("'10.0.0.0/33' is not an IP address")):
        Settings(CHILDINDEX_TRUSTED_PROXIES="10.0.0.0/8,10.0.0.0/33")


ipv4 = st.ip_addresses(v=4).map(str)
anything = st.one_of(ipv4, st.text(max_size=20).filter(lambda t: "," not in t))


@given(client=ipv4.filter(lambda a: not a.startswith("10.")), spoof=st.lists(anything, max_size=5))
def test_nothing_a_client_prepends_changes_its_address_behind_trusted_proxies(
    client: str, spoof: list[str]
) -> None:
    # The client sends its own header; the trusted proxy appends the address it saw.
    sent = [", ".join([*spoof, client]) if spoof else client]
    assert client_address("10.0.0.5", sent, TRUSTED) == client


@given(peer=ipv4.filter(lambda a: not a.startswith("10.")), header=st.lists(anything, max_size=5))
def test_an_untrusted_peer_is_always_counted_as_itself(peer: str, header: list[str]) -> None:
    assert client_address(peer, header, TRUSTED) == peer
