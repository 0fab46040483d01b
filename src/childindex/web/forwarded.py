"""The client's address, for throttling "per address": the peer, or behind a trusted proxy,
the right-most address in ``X-Forwarded-For`` that no trusted proxy wrote.

Anyone can send an ``X-Forwarded-For`` header, so it is believed only when the immediate
peer is a proxy listed in ``CHILDINDEX_TRUSTED_PROXIES``. Each proxy appends the address it
saw to the right of the header, so reading from the right and skipping trusted proxies
gives the first address no trusted proxy vouches for; whatever a client put to its left
is ignored. ``childindex serve`` turns off uvicorn's own header handling, so this is the
only place the decision is made.

Example::

    trusted = (ip_network("10.0.0.0/8"),)
    client_address(peer="10.0.0.5", forwarded=["203.0.113.9, 10.0.0.7"], trusted=trusted)
    # -> "203.0.113.9"
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from starlette.requests import Request

Network = IPv4Network | IPv6Network
UNKNOWN = "unknown"
# More hops than any real chain of proxies; a longer header is not believed at all.
MAX_HOPS = 20


def _parse(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: IPv4Address | IPv6Address, trusted: Sequence[Network]) -> bool:
    return any(address.version == net.version and address in net for net in trusted)


def client_address(peer: str | None, forwarded: Sequence[str], trusted: Sequence[Network]) -> str:
    """The address to count failures against (see the module docstring)."""
    if peer is None:
        return UNKNOWN
    peer_ip = _parse(peer)
    if peer_ip is None or not trusted or not _trusted(peer_ip, trusted):
        return peer
    hops = [hop.strip() for value in forwarded for hop in value.split(",")]
    if len(hops) > MAX_HOPS:
        return peer
    for hop in reversed(hops):
        hop_ip = _parse(hop)
        if hop_ip is None:
            # A trusted proxy wrote something that is not an address: fall back to the proxy.
            return peer
        if not _trusted(hop_ip, trusted):
            return str(hop_ip)
    # Every hop is a trusted proxy (or there was no header): the left-most is the client.
    first = _parse(hops[0]) if hops and hops[0] else None
    return str(first) if first is not None else peer


def request_client(request: Request, trusted: Sequence[Network]) -> str:
    """``client_address`` for a request."""
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.getlist("x-forwarded-for"), trusted)
