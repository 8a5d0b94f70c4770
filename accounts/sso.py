"""Single sign-on behind an authenticating proxy (oauth2-proxy and the like): the proxy signs people in and passes
their email in a header (PAIRPAD_TRUSTED_EMAIL_HEADER, e.g. X-Forwarded-Email). The header is believed only on a
request whose peer is one of PAIRPAD_TRUSTED_PROXIES, and only for emails of PAIRPAD_SSO_DOMAINS: anybody else
could send it too. The same trusted proxies' X-Forwarded-For gives the client's address for the rate limit."""

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from config import Settings


def _addresses(text: str) -> frozenset[str]:
    found = set()
    for part in text.replace(' ', ',').split(','):
        if part:
            try:
                found.add(str(ipaddress.ip_address(part)))
            except ValueError:
                raise ValueError(f'PAIRPAD_TRUSTED_PROXIES: {part!r} is not an IP address') from None
    return frozenset(found)


@dataclass(frozen=True)
class TrustedProxy:
    header: str = ''
    proxies: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: Settings) -> 'TrustedProxy':
        domains = {d.strip().lower().lstrip('@') for d in settings.sso_domains.replace(' ', ',').split(',')}
        return cls(settings.trusted_email_header.strip().lower(), _addresses(settings.trusted_proxies),
                   frozenset(d for d in domains if d))

    def trusted(self, peer: str | None) -> bool:
        return peer is not None and peer in self.proxies

    def client_address(self, peer: str | None, headers: Mapping[str, str]) -> str:
        """The address a request came from: behind a trusted proxy, the last address its X-Forwarded-For names
        that is not one of the trusted proxies; else the peer itself."""
        if not self.trusted(peer):
            return peer or 'unknown'
        hops = [hop.strip() for hop in headers.get('x-forwarded-for', '').split(',') if hop.strip()]
        for hop in reversed(hops):
            if hop not in self.proxies:
                return hop[:64]
        return peer or 'unknown'

    def email(self, peer: str | None, headers: Mapping[str, str]) -> str | None:
        """The email the proxy vouches for, if SSO is on, the peer is trusted and the domain is allowed."""
        if not self.header or not self.trusted(peer):
            return None
        email = headers.get(self.header, '').strip().lower()
        local, _, domain = email.partition('@')
        if not local or domain not in self.domains or len(email) > 254:
            return None
        return email
