// Ranges from the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its
// updates), keeping those a crawler must never reach on a page's say-so. A few entries of
// those registries are globally reachable anycast services (AS112, AMT): they are left out,
// as they are ordinary public servers to us.
#include "daemon/fetch/address_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

namespace gleaner::fetch {
namespace {

struct Range {
  Network network;
  const char* name;
};

// The IPv6 prefixes whose last or inner 32 bits are an IPv4 address that decides: an
// IPv4-mapped socket address is an IPv4 connection, and NAT64 and 6to4 relays forward to
// the IPv4 address carried, so "::ffff:10.0.0.1" or "2002:a00:1::" is as private as 10.0.0.1.
struct Carrier {
  const char* prefix;
  const char* name;
  size_t offset;  // of the IPv4 address inside the 16 bytes
};
constexpr Carrier kCarriers[] = {
    {"::ffff:0:0/96", "", 12},  // IPv4-mapped: judged as plain IPv4, named so
    {"::ffff:0:0:0/96", "IPv4-translated ::ffff:0:0:0/96", 12},
    {"64:ff9b::/96", "NAT64 64:ff9b::/96", 12},
    {"2002::/16", "6to4 2002::/16", 2},
};

// IPv4 ranges, written in IPv4 notation (stored mapped). The narrow broadcast entry comes
// before the wide reserved block holding it so that its name is the one reported.
constexpr std::pair<const char*, const char*> kIpv4Ranges[] = {
    {"0.0.0.0/8", "this-network"},
    {"10.0.0.0/8", "private"},
    {"100.64.0.0/10", "shared address space (CGNAT)"},
    {"127.0.0.0/8", "loopback"},
    {"169.254.0.0/16", "link-local"},
    {"172.16.0.0/12", "private"},
    {"192.0.0.0/24", "IETF protocol assignments"},
    {"192.0.2.0/24", "documentation"},
    {"192.88.99.0/24", "6to4 relay anycast (deprecated)"},
    {"192.168.0.0/16", "private"},
    {"198.18.0.0/15", "benchmarking"},
    {"198.51.100.0/24", "documentation"},
    {"203.0.113.0/24", "documentation"},
    {"224.0.0.0/4", "multicast"},
    {"255.255.255.255/32", "limited broadcast"},
    {"240.0.0.0/4", "reserved"},
};

// IPv6 ranges. "::/96" (IPv4-compatible, deprecated by RFC 4291) comes after the
// unspecified and loopback addresses it holds, for their names.
constexpr std::pair<const char*, const char*> kIpv6Ranges[] = {
    {"::/128", "unspecified"},
    {"::1/128", "loopback"},
    {"::/96", "IPv4-compatible (deprecated)"},
    {"100::/64", "discard-only"},
    {"2001::/23", "IETF protocol assignments (Teredo, benchmarking, ORCHID)"},
    {"2001:db8::/32", "documentation"},
    {"3fff::/20", "documentation"},
    {"5f00::/16", "segment routing (SRv6)"},
    {"64:ff9b:1::/48", "local-use NAT64"},
    {"fc00::/7", "unique-local"},
    {"fe80::/10", "link-local"},
    {"fec0::/10", "site-local (deprecated)"},
    {"ff00::/8", "multicast"},
};

Network Must(const char* text) { return *ParseNetwork(text); }

const std::vector<Range>& Ipv4Ranges() {
  static const std::vector<Range> kRanges = [] {
    std::vector<Range> out;
    for (const auto& [cidr, name] : kIpv4Ranges) out.push_back({Must(cidr), name});
    return out;
  }();
  return kRanges;
}

const std::vector<Range>& Ipv6Ranges() {
  static const std::vector<Range> kRanges = [] {
    std::vector<Range> out;
    for (const auto& [cidr, name] : kIpv6Ranges) out.push_back({Must(cidr), name});
    return out;
  }();
  return kRanges;
}

const std::vector<Network>& CarrierNetworks() {
  static const std::vector<Network> kNetworks = [] {
    std::vector<Network> out;
    for (const Carrier& c : kCarriers) out.push_back(Must(c.prefix));
    return out;
  }();
  return kNetworks;
}

Address Mapped(const uint8_t* ipv4) {
  Address a{};
  a[10] = a[11] = 0xff;
  std::memcpy(a.data() + 12, ipv4, 4);
  return a;
}

bool IsMapped(const Address& a) {
  static const Address kZero{};
  return std::equal(a.begin(), a.begin() + 10, kZero.begin()) && a[10] == 0xff && a[11] == 0xff;
}

// The IPv4 address `address` carries (as its mapped form) and the carrier's index.
std::optional<std::pair<Address, size_t>> Carried(const Address& address) {
  const std::vector<Network>& carriers = CarrierNetworks();
  for (size_t i = 0; i < carriers.size(); ++i) {
    if (Contains(carriers[i], address)) {
      return std::make_pair(Mapped(address.data() + kCarriers[i].offset), i);
    }
  }
  return std::nullopt;
}

std::optional<std::string> Lookup(const std::vector<Range>& ranges, const Address& address) {
  for (const Range& r : ranges) {
    if (Contains(r.network, address)) return std::string(r.name) + " " + FormatNetwork(r.network);
  }
  return std::nullopt;
}

tl::unexpected<Error> Bad(std::string_view text, const std::string& why) {
  return Fail(ErrorCode::kConfig, "'" + std::string(text) + "' is not a network: " + why);
}

}  // namespace

Result<Network> ParseNetwork(std::string_view text) {
  size_t slash = text.find('/');
  std::string host(text.substr(0, slash));
  Network n;
  bool ipv4 = false;
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    ipv4 = true;
    n.base = Mapped(reinterpret_cast<const uint8_t*>(&v4));
  } else if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    std::memcpy(n.base.data(), &v6, 16);
  } else {
    return Bad(text, "expected an IPv4 or IPv6 address, optionally with /prefix");
  }
  const int width = ipv4 ? 32 : 128;
  int prefix = width;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Bad(text, "the prefix length must be a number");
    }
    prefix = std::stoi(std::string(digits));
    if (prefix > width) {
      return Bad(text, "the prefix length must be at most " + std::to_string(width));
    }
  }
  n.prefix = ipv4 ? prefix + 96 : prefix;
  Network masked = n;
  for (int bit = n.prefix; bit < 128; ++bit) masked.base[bit / 8] &= ~(0x80 >> (bit % 8));
  if (masked.base != n.base) {
    return Bad(text, "bits are set after the /" + std::to_string(prefix) +
                         " prefix (did you mean " + FormatNetwork(masked) + "?)");
  }
  return n;
}

std::string FormatNetwork(const Network& network) {
  bool ipv4 = network.prefix >= 96 && IsMapped(network.base);
  return FormatAddress(network.base) + "/" +
         std::to_string(ipv4 ? network.prefix - 96 : network.prefix);
}

bool Contains(const Network& network, const Address& address) {
  int whole = network.prefix / 8;
  if (std::memcmp(network.base.data(), address.data(), whole) != 0) return false;
  int rest = network.prefix % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (network.base[whole] & mask) == (address[whole] & mask);
}

std::optional<Address> AddressOf(const sockaddr* addr, socklen_t length) {
  if (addr == nullptr) return std::nullopt;
  if (addr->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    return Mapped(reinterpret_cast<const uint8_t*>(&in->sin_addr));
  }
  if (addr->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    Address a;
    std::memcpy(a.data(), &in6->sin6_addr, 16);
    return a;
  }
  return std::nullopt;
}

std::string FormatAddress(const Address& address) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (IsMapped(address)) {
    inet_ntop(AF_INET, address.data() + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, address.data(), buf, sizeof buf);
  }
  return buf;
}

std::optional<std::string> SpecialRange(const Address& address) {
  if (auto carried = Carried(address)) {
    std::optional<std::string> range = Lookup(Ipv4Ranges(), carried->first);
    const char* carrier = kCarriers[carried->second].name;
    if (range && *carrier) *range += std::string(" (carried in ") + carrier + ")";
    return range;
  }
  return Lookup(Ipv6Ranges(), address);
}

AddressGuard::AddressGuard(std::vector<Network> allow) : allow_(std::move(allow)) {}

std::optional<std::string> AddressGuard::Refusal(const Address& address) const {
  std::optional<Address> carried;
  if (auto c = Carried(address)) carried = c->first;
  for (const Network& n : allow_) {
    if (Contains(n, address) || (carried && Contains(n, *carried))) return std::nullopt;
  }
  std::optional<std::string> range = SpecialRange(address);
  if (!range) return std::nullopt;
  return FormatAddress(address) + " is " + *range;
}

}  // namespace gleaner::fetch
