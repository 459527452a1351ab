"""Identifiers in the forms AWS mints them, drawn from the scenario's seeded random source."""

from __future__ import annotations

import ipaddress
import random
import string
import uuid

_HEX = "0123456789abcdef"
_UPPER = string.ascii_uppercase + string.digits


class Ids:
    """Deterministic AWS-looking identifiers: the same seed always mints the same ids."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice(_HEX) for _ in range(n))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice(_UPPER) for _ in range(n))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def ec2(self, prefix: str) -> str:
        """An EC2-style id such as `i-0a1b2c3d4e5f60718` (17 hex digits after the prefix)."""
        return f"{prefix}-0{self.hex(16)}"

    def account(self) -> str:
        return str(self.rng.randrange(10**11, 10**12 - 1)).zfill(12)

    def access_key(self, temporary: bool = True) -> str:
        return ("ASIA" if temporary else "AKIA") + self.upper(16)

    def principal(self, prefix: str = "AROA") -> str:
        return prefix + self.upper(17)

    def trace_id(self, epoch: float) -> str:
        return f"1-{int(epoch):08x}-{self.hex(24)}"

    def segment_id(self) -> str:
        return self.hex(16)

    def ip(self, cidr: str) -> str:
        """A host address inside an IPv4 network ("10.20.96.0/20"), clear of the five addresses AWS
        reserves in every subnet (the first four and the last)."""
        net = ipaddress.ip_network(cidr)
        if net.num_addresses < 256:
            return str(net.network_address + 4 + self.rng.randrange(0, max(1, net.num_addresses - 5)))
        blocks = net.num_addresses // 256  # the /24s it spans: one draw for the block, one inside it
        block = self.rng.randrange(0, 255) % blocks
        return str(net.network_address + 256 * block + self.rng.randrange(4, 250))

    def public_ip(self) -> str:
        first = self.rng.choice([3, 18, 34, 35, 44, 52, 54, 63, 73, 98, 100, 107, 174, 203])
        return (
            f"{first}.{self.rng.randrange(1, 255)}.{self.rng.randrange(1, 255)}.{self.rng.randrange(1, 255)}"
        )
