//! `ALLOWED_IPS`: an optional list of CIDR ranges (IPv4 and IPv6) that callbacks must come
//! from, checked against `CF-Connecting-IP`, which Cloudflare sets to the connecting client's
//! address (a client cannot forge it through Cloudflare's edge).

use std::net::IpAddr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpAllowList {
    ranges: Vec<Range>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Range {
    V4 { network: u32, prefix: u32 },
    V6 { network: u128, prefix: u32 },
}

impl IpAllowList {
    /// Parses a list separated by commas or any whitespace. A bare address is a /32 or /128;
    /// an IPv4-mapped IPv6 range (`::ffff:a.b.c.d/120`) is the IPv4 range it maps.
    pub fn parse(list: &str) -> Result<IpAllowList, String> {
        let ranges = list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                parse_range(entry)
                    .ok_or_else(|| format!("{entry:?} is not an IP address or CIDR range"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if ranges.is_empty() {
            return Err("lists no range".into());
        }
        Ok(IpAllowList { ranges })
    }

    /// Whether `address` (as `CF-Connecting-IP` gives it) is inside one of the ranges.
    pub fn allows(&self, address: &str) -> bool {
        let Ok(address) = address.trim().parse::<IpAddr>() else {
            return false;
        };
        let address = match address {
            // An IPv4 client seen through IPv6 (`::ffff:a.b.c.d`) is that IPv4 client.
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        self.ranges.iter().any(|range| match (*range, address) {
            (Range::V4 { network, prefix }, IpAddr::V4(ip)) => {
                masked_v4(u32::from(ip), prefix) == network
            }
            (Range::V6 { network, prefix }, IpAddr::V6(ip)) => {
                masked_v6(u128::from(ip), prefix) == network
            }
            _ => false,
        })
    }

    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }
}

fn parse_range(entry: &str) -> Option<Range> {
    let (address, prefix) = match entry.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix_length(prefix)?)),
        None => (entry, None),
    };
    let address = address.parse::<IpAddr>().ok()?;
    // Clients are matched as IPv4 when they arrive IPv4-mapped, so such a range is IPv4 too.
    let (address, prefix) = match address {
        IpAddr::V6(v6) => match (v6.to_ipv4_mapped(), prefix) {
            (Some(v4), None) => (IpAddr::V4(v4), None),
            (Some(v4), Some(bits)) if bits >= 96 => (IpAddr::V4(v4), Some(bits - 96)),
            _ => (IpAddr::V6(v6), prefix),
        },
        v4 => (v4, prefix),
    };
    match address {
        IpAddr::V4(ip) => {
            let prefix = prefix.unwrap_or(32);
            (prefix <= 32).then(|| Range::V4 {
                network: masked_v4(u32::from(ip), prefix),
                prefix,
            })
        }
        IpAddr::V6(ip) => {
            let prefix = prefix.unwrap_or(128);
            (prefix <= 128).then(|| Range::V6 {
                network: masked_v6(u128::from(ip), prefix),
                prefix,
            })
        }
    }
}

/// A prefix length as CIDR writes it: decimal digits, no sign, no leading zero.
fn prefix_length(text: &str) -> Option<u32> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse().ok()).flatten()
}

fn masked_v4(address: u32, prefix: u32) -> u32 {
    address & u32::MAX.checked_shl(32 - prefix).unwrap_or(0)
}

fn masked_v6(address: u128, prefix: u32) -> u128 {
    address & u128::MAX.checked_shl(128 - prefix).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Huawei's published push source ranges (`docs/huawei-protocol.md` §3).
    const HUAWEI: &str =
        "117.78.29.0/24, 124.70.27.0/24, 124.71.67.0/24, 123.60.96.0/24, 119.8.109.0/24";

    #[test]
    fn huawei_ranges_admit_their_hosts_only() {
        let list = IpAllowList::parse(HUAWEI);
        assert_eq!(list.as_ref().map(IpAllowList::len), Ok(5));
        let Ok(list) = list else { return };
        assert!(list.allows("117.78.29.1"));
        assert!(list.allows("119.8.109.255"));
        assert!(list.allows("::ffff:124.70.27.9"), "IPv4-mapped IPv6");
        assert!(!list.allows("117.78.30.1"));
        assert!(!list.allows("8.8.8.8"));
        assert!(!list.allows("not an ip"));
        assert!(!list.allows(""));
    }

    #[test]
    fn ipv6_ranges_bare_addresses_and_edges() {
        let list = IpAllowList::parse("2001:db8::/32\n198.51.100.7 0.0.0.0/0");
        assert!(list.is_ok(), "{list:?}");
        let list = list.unwrap_or_else(|_| IpAllowList { ranges: Vec::new() });
        assert!(list.allows("2001:db8:1::5"));
        assert!(!list.allows("2001:db9::1"));
        assert!(
            list.allows("203.0.113.1"),
            "0.0.0.0/0 admits every IPv4 address"
        );
        let single = IpAllowList::parse("198.51.100.7,::1/128")
            .unwrap_or_else(|_| IpAllowList { ranges: Vec::new() });
        assert!(single.allows("198.51.100.7") && !single.allows("198.51.100.8"));
        assert!(single.allows("::1") && !single.allows("::2"));
    }

    #[test]
    fn ipv4_mapped_ranges_match_ipv4_clients_and_any_whitespace_separates() {
        let list = IpAllowList::parse("::ffff:124.70.27.0/120\r\n117.78.29.0/24\r\n::ffff:8.8.8.8")
            .unwrap_or_else(|_| IpAllowList { ranges: Vec::new() });
        assert_eq!(list.len(), 3);
        assert!(list.allows("124.70.27.9"));
        assert!(list.allows("::ffff:124.70.27.9"));
        assert!(!list.allows("124.70.28.1"));
        assert!(list.allows("8.8.8.8"));
        assert!(list.allows("117.78.29.1"));
    }

    #[test]
    fn malformed_lists_are_errors() {
        for bad in [
            "",
            " , ",
            "10.0.0.0/33",
            "::/129",
            "10.0.0/8",
            "10.0.0.0/x",
            "example.com",
            "10.0.0.0/+8",
            "10.0.0.0/08",
            "10.0.0.0/",
            "::ffff:10.0.0.0/95x",
        ] {
            assert!(IpAllowList::parse(bad).is_err(), "{bad:?}");
        }
    }
}
