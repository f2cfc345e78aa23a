//! A user's `permit`/`deny` lines, as Asterisk applies them to the address a session comes
//! from: every rule in order, the last one whose network holds the address decides, and an
//! address no rule holds is allowed.

use std::net::IpAddr;

use ami_proto::filter::{AclKind, AclRule};

/// Whether `peer` may log in under these rules. A rule that cannot be read (a named
/// `acl =` list of acl.conf, which the proxy does not have, or a malformed network) refuses
/// every address: the proxy never lets in someone Asterisk might keep out.
///
/// ```
/// use ami_proto::filter::{ManagerConf, Rules};
/// use ami_proxy::acl_allows;
///
/// let conf = ManagerConf::parse(b"[u]\ndeny = 0.0.0.0/0.0.0.0\npermit = 127.0.0.1/255.255.255.255\n", Rules::default()).unwrap();
/// let acl = &conf.user("u").unwrap().acl;
/// assert!(acl_allows(acl, "127.0.0.1".parse().unwrap()));
/// assert!(!acl_allows(acl, "10.0.0.1".parse().unwrap()));
/// assert!(acl_allows(&[], "10.0.0.1".parse().unwrap()));
/// ```
pub fn acl_allows(rules: &[AclRule], peer: IpAddr) -> bool {
    let peer = canonical(peer);
    let mut allowed = true;
    for rule in rules {
        let Some((network, prefix)) = network(&rule.value) else {
            return false;
        };
        let permit = match rule.kind {
            AclKind::Permit => true,
            AclKind::Deny => false,
            AclKind::Named => return false,
        };
        if contains(network, prefix, peer) {
            allowed = permit;
        }
    }
    allowed
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

/// `address`, `address/bits` or `address/dotted-mask`.
fn network(value: &[u8]) -> Option<(IpAddr, u32)> {
    let text = std::str::from_utf8(value).ok()?.trim();
    let (addr, mask) = match text.split_once('/') {
        Some((addr, mask)) => (addr.trim(), Some(mask.trim())),
        None => (text, None),
    };
    let addr: IpAddr = canonical(addr.parse().ok()?);
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match mask {
        None => max,
        Some(mask) if mask.bytes().all(|b| b.is_ascii_digit()) => mask.parse().ok()?,
        Some(mask) => match mask.parse::<IpAddr>().ok()? {
            IpAddr::V4(m) if addr.is_ipv4() => {
                let bits = u32::from(m);
                // A mask must be ones then zeros.
                if bits.leading_ones() + bits.trailing_zeros() != 32 {
                    return None;
                }
                bits.leading_ones()
            }
            _ => return None,
        },
    };
    (prefix <= max).then_some((addr, prefix))
}

fn contains(network: IpAddr, prefix: u32, addr: IpAddr) -> bool {
    match (network, addr) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kind: AclKind, value: &str) -> AclRule {
        AclRule::new(kind, value.as_bytes().to_vec())
    }

    #[test]
    fn last_match_wins_and_unreadable_rules_refuse() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let rules = [
            rule(AclKind::Deny, "0.0.0.0/0"),
            rule(AclKind::Permit, "192.168.1.0/24"),
            rule(AclKind::Deny, "192.168.1.7"),
        ];
        assert!(acl_allows(&rules, ip("192.168.1.8")));
        assert!(!acl_allows(&rules, ip("192.168.1.7")));
        assert!(!acl_allows(&rules, ip("10.1.1.1")));
        assert!(acl_allows(&rules, ip("::ffff:192.168.1.9")));
        assert!(!acl_allows(
            &[rule(AclKind::Permit, "1.2.3.4/255.0.255.0")],
            ip("1.2.3.4")
        ));
        assert!(!acl_allows(
            &[rule(AclKind::Named, "local")],
            ip("127.0.0.1")
        ));
        assert!(!acl_allows(
            &[rule(AclKind::Permit, "nonsense")],
            ip("127.0.0.1")
        ));
        let v6 = [
            rule(AclKind::Deny, "::/0"),
            rule(AclKind::Permit, "::1/128"),
        ];
        assert!(acl_allows(&v6, ip("::1")));
        assert!(!acl_allows(&v6, ip("fe80::1")));
    }
}
