//! The client's address: the peer's, or — when the peer is a trusted reverse proxy — the one it
//! names in `X-Forwarded-For`. Used by the failed-authentication limit, the audit trail and the
//! metrics endpoint's allow list, so all three see the same address.

use std::net::IpAddr;

use actix_web::HttpMessage as _;

/// An address or a network of addresses (`10.0.0.0/8`, `::1`, `fd00::/8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Parse `ADDRESS` or `ADDRESS/PREFIX`.
    ///
    /// # Errors
    /// Not an address, or a prefix longer than the address.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| format!("`{text}` is not an IP address or network"))?;
        let addr = addr.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{text}`: the prefix length must be 0–{max}"))?,
        };
        Ok(Self { addr, prefix })
    }

    /// The loopback networks (`127.0.0.0/8` and `::1`).
    pub fn loopback() -> Vec<Self> {
        vec![
            Self { addr: std::net::Ipv4Addr::LOCALHOST.into(), prefix: 8 },
            Self { addr: std::net::Ipv6Addr::LOCALHOST.into(), prefix: 128 },
        ]
    }

    /// Parse every entry of a settings list.
    ///
    /// # Errors
    /// The first entry that is not an address or network.
    pub fn parse_all(entries: &[String]) -> Result<Vec<Self>, String> {
        entries.iter().map(|e| Self::parse(e)).collect()
    }

    /// Whether `ip` is in the network (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Whether any of `nets` contains `ip`.
pub fn any_contains(nets: &[IpNet], ip: IpAddr) -> bool {
    nets.iter().any(|n| n.contains(ip))
}

/// The client of a connection from `peer` carrying `forwarded_for` (the `X-Forwarded-For`
/// values, in order): `peer` itself unless it is trusted; then, walking the header from the
/// right (the hop nearest to us), the first address that is not a trusted proxy. A malformed
/// entry ends the walk at the last address known to be good: whatever a client writes to the
/// left of the proxies' own entries is not believed.
pub fn resolve(trusted: &[IpNet], peer: Option<IpAddr>, forwarded_for: &[&str]) -> Option<IpAddr> {
    let mut client = peer?.to_canonical();
    if !any_contains(trusted, client) {
        return Some(client);
    }
    for entry in forwarded_for.iter().flat_map(|v| v.split(',')).rev() {
        let Ok(hop) = entry.trim().parse::<IpAddr>() else { break };
        client = hop.to_canonical();
        if !any_contains(trusted, client) {
            break;
        }
    }
    Some(client)
}

/// The client address of a request, computed once and kept in its extensions.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub Option<IpAddr>);

/// The client address of `req` (see [`resolve`]), with the trusted proxies of the application.
pub fn client_ip(req: &actix_web::HttpRequest) -> Option<IpAddr> {
    if let Some(known) = req.extensions().get::<ClientIp>() {
        return known.0;
    }
    let trusted = req.app_data::<actix_web::web::Data<super::AppState>>().map(|s| s.trusted_proxies.clone());
    let forwarded: Vec<&str> =
        req.headers().get_all(actix_web::http::header::X_FORWARDED_FOR).filter_map(|v| v.to_str().ok()).collect();
    let ip = resolve(trusted.as_deref().map_or(&[], |t| t.as_slice()), req.peer_addr().map(|a| a.ip()), &forwarded);
    req.extensions_mut().insert(ClientIp(ip));
    ip
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn networks_contain_their_addresses_only() {
        let net = IpNet::parse("10.1.0.0/16").unwrap();
        assert!(net.contains(ip("10.1.200.3")));
        assert!(!net.contains(ip("10.2.0.1")));
        assert!(IpNet::parse("::1").unwrap().contains(ip("::1")));
        assert!(!IpNet::parse("::1").unwrap().contains(ip("127.0.0.1")));
        assert!(IpNet::parse("127.0.0.0/8").unwrap().contains(ip("::ffff:127.0.0.9")), "IPv4-mapped");
        assert!(IpNet::parse("0.0.0.0/0").unwrap().contains(ip("203.0.113.7")));
        assert!(IpNet::parse("10.0.0.0/33").is_err());
        assert!(IpNet::parse("localhost").is_err());
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let trusted = [IpNet::parse("127.0.0.1").unwrap(), IpNet::parse("10.0.0.0/8").unwrap()];
        // No proxy configured: the header is ignored.
        assert_eq!(resolve(&[], Some(ip("127.0.0.1")), &["203.0.113.7"]), Some(ip("127.0.0.1")));
        // An untrusted peer cannot name another address.
        assert_eq!(resolve(&trusted, Some(ip("198.51.100.2")), &["203.0.113.7"]), Some(ip("198.51.100.2")));
        // Through the proxy: the address it saw.
        assert_eq!(resolve(&trusted, Some(ip("127.0.0.1")), &["203.0.113.7"]), Some(ip("203.0.113.7")));
        // A client's forged entry to the left of the real one is not believed; proxy chains are walked.
        assert_eq!(
            resolve(&trusted, Some(ip("127.0.0.1")), &["1.2.3.4, 203.0.113.7", "10.0.0.5"]),
            Some(ip("203.0.113.7"))
        );
        // Garbage ends the walk at the last good hop.
        assert_eq!(resolve(&trusted, Some(ip("127.0.0.1")), &["nonsense"]), Some(ip("127.0.0.1")));
        assert_eq!(resolve(&trusted, None, &[]), None);
    }
}
