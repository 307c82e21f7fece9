// The SSRF guard: decides whether the fetcher may open a connection to an IP address.
// A page, a redirect or a sitemap can name any host, and a host name can resolve to any
// address (DNS rebinding), so the decision is made on the address a connection is about to
// be opened to, after DNS, for every connection: loopback, private, link-local, CGNAT,
// unique-local, multicast, documentation, reserved and the other special-purpose ranges of
// the IANA registries are refused unless a network in `fetch.allow_networks` holds it.
// IPv6 forms that carry an IPv4 address (IPv4-mapped, NAT64 64:ff9b::/96, 6to4) are judged
// by the IPv4 address they carry.
//
// Pure and cheap (a scan of a few dozen prefixes): it runs once per connection, never per
// byte. It does no I/O and resolves nothing. Thread-safe once built (immutable).
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extractors/core/result.h"

namespace gleaner::fetch {

// A 128-bit address: IPv6 as is, IPv4 as its IPv4-mapped form ::ffff:a.b.c.d, so that one
// matcher serves both families and "127.0.0.1/32" also matches a socket's ::ffff:127.0.0.1.
using Address = std::array<uint8_t, 16>;

// A CIDR block over Address: an IPv4 /n is stored as the mapped form's /(96+n).
struct Network {
  Address base{};  // host bits are zero
  int prefix = 0;  // 0..128
  bool operator==(const Network&) const = default;
};

// Parses "10.0.0.0/8", "fd00::/8", or a bare address ("192.0.2.7" means /32, "::1"
// /128). Returns kConfig with a message (without a file position: the caller adds it) for
// anything else: a bad address, a prefix out of range, bits set after the prefix
// ("10.0.0.1/8" is refused as ambiguous), an IPv6 zone ("fe80::1%eth0").
Result<Network> ParseNetwork(std::string_view text);

// "10.0.0.0/8", "fd00::/8" (IPv4 networks in IPv4 notation).
std::string FormatNetwork(const Network& network);

// True when `address` lies in `network`.
bool Contains(const Network& network, const Address& address);

// The address of a socket address; nullopt for a family other than AF_INET/AF_INET6.
std::optional<Address> AddressOf(const sockaddr* addr, socklen_t length);

// "127.0.0.2", "fe80::1", "::ffff:10.0.0.1" (IPv4 addresses in IPv4 notation).
std::string FormatAddress(const Address& address);

// The special-purpose range `address` lies in, e.g. "loopback 127.0.0.0/8" or
// "private 10.0.0.0/8 (carried in 6to4 2002::/16)"; nullopt for a public address.
std::optional<std::string> SpecialRange(const Address& address);

class AddressGuard {
 public:
  // `allow`: networks exempted from the refusal (config `fetch.allow_networks`).
  explicit AddressGuard(std::vector<Network> allow = {});

  // nullopt when a connection to `address` may be opened; otherwise why not, e.g.
  // "127.0.0.2 is loopback 127.0.0.0/8", for messages and logs.
  std::optional<std::string> Refusal(const Address& address) const;

 private:
  std::vector<Network> allow_;
};

}  // namespace gleaner::fetch
