//! The webhook target guard: a partner's URL must not make the hub call into its own network
//! (SSRF). [`parse_target`] checks the URL; the server resolves the host and calls
//! [`check_ip`] on every address it would connect to (and connects to a checked address, so a
//! DNS answer cannot change between check and use).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::{Host, Url};

/// Why a target is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("the webhook URL does not parse: {0}")]
    BadUrl(String),
    #[error("the webhook URL must use https")]
    NotHttps,
    #[error("the webhook URL must not carry a user name or password")]
    Credentials,
    #[error("the webhook URL has no host")]
    NoHost,
    #[error("the webhook target {0} is a {1} address")]
    Forbidden(IpAddr, &'static str),
    #[error("the webhook host {0} names this machine")]
    LocalName(String),
}

impl TargetError {
    pub fn code(&self) -> &'static str {
        match self {
            TargetError::BadUrl(_) => "webhook_url_invalid",
            TargetError::NotHttps => "webhook_url_not_https",
            TargetError::Credentials => "webhook_url_credentials",
            TargetError::NoHost => "webhook_url_no_host",
            TargetError::Forbidden(..) | TargetError::LocalName(_) => "webhook_target_forbidden",
        }
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn in_v6(ip: Ipv6Addr, net: Ipv6Addr, prefix: u32) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix)
    };
    u128::from(ip) & mask == u128::from(net) & mask
}

fn v4_kind(ip: Ipv4Addr) -> Option<&'static str> {
    const NETS: [([u8; 4], u32, &str); 15] = [
        ([0, 0, 0, 0], 8, "unspecified"),
        ([10, 0, 0, 0], 8, "private"),
        ([100, 64, 0, 0], 10, "shared (CGNAT)"),
        ([127, 0, 0, 0], 8, "loopback"),
        ([169, 254, 0, 0], 16, "link-local"),
        ([172, 16, 0, 0], 12, "private"),
        ([192, 0, 0, 0], 24, "IETF protocol"),
        ([192, 0, 2, 0], 24, "documentation"),
        ([192, 88, 99, 0], 24, "6to4 relay"),
        ([192, 168, 0, 0], 16, "private"),
        ([198, 18, 0, 0], 15, "benchmarking"),
        ([198, 51, 100, 0], 24, "documentation"),
        ([203, 0, 113, 0], 24, "documentation"),
        ([224, 0, 0, 0], 4, "multicast"),
        ([240, 0, 0, 0], 4, "reserved"),
    ];
    NETS.iter()
        .find(|(net, prefix, _)| in_v4(ip, *net, *prefix))
        .map(|(_, _, kind)| *kind)
}

fn v6_kind(ip: Ipv6Addr) -> Option<&'static str> {
    // Addresses that embed an IPv4 address are judged by it.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_kind(v4);
    }
    let seg = ip.segments();
    // The embedded IPv4 address in the last 32 bits.
    let low_v4 = || {
        Ipv4Addr::new(
            (seg[6] >> 8) as u8,
            seg[6] as u8,
            (seg[7] >> 8) as u8,
            seg[7] as u8,
        )
    };
    if in_v6(ip, Ipv6Addr::new(0, 0, 0, 0, 0xffff, 0, 0, 0), 96) {
        // IPv4-translated (SIIT, RFC 2765: ::ffff:0:a.b.c.d), which stacks map to IPv4.
        return v4_kind(low_v4()).or(Some("IPv4-translated"));
    }
    if in_v6(ip, Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96)
        || in_v6(ip, Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48)
    {
        // NAT64: the last 32 bits are the IPv4 target.
        return v4_kind(low_v4()).or(Some("NAT64"));
    }
    if in_v6(ip, Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16) {
        // 6to4: bits 16..48 are the IPv4 address.
        let v4 = Ipv4Addr::new(
            (seg[1] >> 8) as u8,
            seg[1] as u8,
            (seg[2] >> 8) as u8,
            seg[2] as u8,
        );
        return v4_kind(v4);
    }
    let nets: [(Ipv6Addr, u32, &str); 9] = [
        (Ipv6Addr::UNSPECIFIED, 128, "unspecified"),
        (Ipv6Addr::LOCALHOST, 128, "loopback"),
        // IPv4-compatible (deprecated) ::a.b.c.d.
        (Ipv6Addr::UNSPECIFIED, 96, "IPv4-compatible"),
        (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64, "discard"),
        (
            Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
            32,
            "documentation",
        ),
        (
            Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0),
            7,
            "unique-local",
        ),
        (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10, "link-local"),
        (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10, "site-local"),
        (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8, "multicast"),
    ];
    nets.iter()
        .find(|(net, prefix, _)| in_v6(ip, *net, *prefix))
        .map(|(_, _, kind)| *kind)
}

/// The kind of non-public address `ip` is (loopback, private, unique-local, link-local,
/// CGNAT, unspecified, multicast, documentation, reserved…), or `None` for a public one.
pub fn non_public_kind(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_kind(v4),
        IpAddr::V6(v6) => v6_kind(v6),
    }
}

/// Refuses a non-public address unless `allow_private` (tests, on-premises receivers).
pub fn check_ip(ip: IpAddr, allow_private: bool) -> Result<(), TargetError> {
    match non_public_kind(ip) {
        Some(kind) if !allow_private => Err(TargetError::Forbidden(ip, kind)),
        _ => Ok(()),
    }
}

/// Checks a webhook URL: absolute, `https` (plain `http` only with `allow_private`), no
/// credentials, a host; an IP-literal host is checked with [`check_ip`] and `localhost` names
/// are refused. A domain still has to be resolved and each address checked by the caller.
pub fn parse_target(text: &str, allow_private: bool) -> Result<Url, TargetError> {
    let url = Url::parse(text.trim()).map_err(|e| TargetError::BadUrl(e.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(TargetError::NotHttps),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetError::Credentials);
    }
    match url.host() {
        None => return Err(TargetError::NoHost),
        Some(Host::Ipv4(ip)) => check_ip(IpAddr::V4(ip), allow_private)?,
        Some(Host::Ipv6(ip)) => check_ip(IpAddr::V6(ip), allow_private)?,
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            // Special-use names (RFC 6761 localhost, RFC 6762 .local, RFC 8375 home.arpa),
            // the distributions' localhost.localdomain, and single labels (search domains).
            let local = d == "localhost"
                || d.ends_with(".localhost")
                || d == "localdomain"
                || d.ends_with(".localdomain")
                || d.ends_with(".local")
                || d.ends_with(".internal")
                || d == "home.arpa"
                || d.ends_with(".home.arpa")
                || !d.contains('.');
            if local && !allow_private {
                return Err(TargetError::LocalName(d));
            }
        }
    }
    Ok(url)
}
