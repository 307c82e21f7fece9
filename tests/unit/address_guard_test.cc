// The SSRF guard's address classifier and CIDR matcher. Pure: nothing here opens a socket,
// so every range can be tested without sending a packet anywhere.
#include "daemon/fetch/address_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

namespace gleaner::fetch {
namespace {

Address Ip(const std::string& text) {
  Network n = *ParseNetwork(text);
  REQUIRE((n.prefix == 128));
  return n.base;
}

TEST_CASE("guard: special-purpose addresses are refused, public ones are not", "[guard]") {
  struct Row {
    const char* address;
    const char* range;  // "" for a public address
  };
  const Row rows[] = {
      {"127.0.0.1", "loopback 127.0.0.0/8"},
      {"127.0.0.2", "loopback 127.0.0.0/8"},
      {"10.0.0.1", "private 10.0.0.0/8"},
      {"172.16.5.4", "private 172.16.0.0/12"},
      {"172.32.0.1", ""},
      {"192.168.1.1", "private 192.168.0.0/16"},
      {"169.254.169.254", "link-local 169.254.0.0/16"},
      {"100.64.0.1", "shared address space (CGNAT) 100.64.0.0/10"},
      {"100.128.0.1", ""},
      {"0.0.0.0", "this-network 0.0.0.0/8"},
      {"192.0.0.8", "IETF protocol assignments 192.0.0.0/24"},
      {"198.18.0.1", "benchmarking 198.18.0.0/15"},
      {"198.19.255.255", "benchmarking 198.18.0.0/15"},
      {"203.0.113.9", "documentation 203.0.113.0/24"},
      {"224.0.0.1", "multicast 224.0.0.0/4"},
      {"240.0.0.1", "reserved 240.0.0.0/4"},
      {"255.255.255.255", "limited broadcast 255.255.255.255/32"},
      {"93.184.216.34", ""},
      {"8.8.8.8", ""},
      {"::1", "loopback ::1/128"},
      {"::", "unspecified ::/128"},
      {"fe80::1", "link-local fe80::/10"},
      {"fc00::1", "unique-local fc00::/7"},
      {"fd12:3456::1", "unique-local fc00::/7"},
      {"ff02::1", "multicast ff00::/8"},
      {"2001:db8::1", "documentation 2001:db8::/32"},
      {"2001::1", "IETF protocol assignments (Teredo, benchmarking, ORCHID) 2001::/23"},
      {"2606:4700::1111", ""},
      // IPv6 forms carrying an IPv4 address are judged by it.
      {"::ffff:10.0.0.1", "private 10.0.0.0/8"},
      {"::ffff:127.0.0.1", "loopback 127.0.0.0/8"},
      {"::ffff:8.8.8.8", ""},
      {"64:ff9b::a9fe:a9fe", "link-local 169.254.0.0/16 (carried in NAT64 64:ff9b::/96)"},
      {"64:ff9b::808:808", ""},
      {"2002:a00:1::1", "private 10.0.0.0/8 (carried in 6to4 2002::/16)"},
      {"2002:808:808::1", ""},
      {"::a00:1", "IPv4-compatible (deprecated) ::/96"},
  };
  for (const Row& row : rows) {
    INFO(row.address);
    std::optional<std::string> range = SpecialRange(Ip(row.address));
    CHECK(range.value_or("") == row.range);
  }
}

TEST_CASE("guard: CIDR parsing is strict and matching covers both notations", "[guard]") {
  Network n = *ParseNetwork("10.1.0.0/16");
  CHECK(FormatNetwork(n) == "10.1.0.0/16");
  CHECK(Contains(n, Ip("10.1.255.3")));
  CHECK_FALSE(Contains(n, Ip("10.2.0.1")));
  CHECK(Contains(n, Ip("::ffff:10.1.0.9")));  // a v4-mapped socket address
  CHECK(FormatNetwork(*ParseNetwork("127.0.0.1")) == "127.0.0.1/32");
  CHECK(FormatNetwork(*ParseNetwork("fd00::/8")) == "fd00::/8");
  CHECK(FormatNetwork(*ParseNetwork("::1")) == "::1/128");
  CHECK(Contains(*ParseNetwork("0.0.0.0/0"), Ip("8.8.8.8")));
  CHECK_FALSE(Contains(*ParseNetwork("0.0.0.0/0"), Ip("fd00::1")));
  CHECK(Contains(*ParseNetwork("::/0"), Ip("fd00::1")));
  for (const char* bad :
       {"", "10.0.0.0/33", "fd00::/129", "10.0.0.1/8", "10.0.0.0/", "10.0.0.0/x", "10.0.0", "127.1",
        "example.com", "fe80::1%eth0", "10.0.0.0/8/8", " 10.0.0.0/8"}) {
    INFO(bad);
    CHECK_FALSE(ParseNetwork(bad).has_value());
  }
  CHECK(ParseNetwork("10.0.0.1/8").error().message.find("did you mean 10.0.0.0/8?") !=
        std::string::npos);
}

TEST_CASE("guard: the allow list exempts its networks and nothing else", "[guard]") {
  AddressGuard none;
  CHECK(none.Refusal(Ip("127.0.0.1")).value_or("") == "127.0.0.1 is loopback 127.0.0.0/8");
  CHECK_FALSE(none.Refusal(Ip("8.8.8.8")));
  AddressGuard some(
      {*ParseNetwork("127.0.0.1/32"), *ParseNetwork("10.20.0.0/16"), *ParseNetwork("fd00::/8")});
  CHECK_FALSE(some.Refusal(Ip("127.0.0.1")));
  CHECK_FALSE(some.Refusal(Ip("::ffff:127.0.0.1")));
  CHECK(some.Refusal(Ip("127.0.0.2")));
  CHECK_FALSE(some.Refusal(Ip("10.20.3.4")));
  CHECK_FALSE(some.Refusal(Ip("64:ff9b::a14:304")));  // 10.20.3.4 through NAT64
  CHECK(some.Refusal(Ip("10.21.0.1")));
  CHECK_FALSE(some.Refusal(Ip("fd00::5")));
  CHECK(some.Refusal(Ip("fc00::5")));
  CHECK(some.Refusal(Ip("169.254.169.254")));
}

TEST_CASE("guard: socket addresses of both families", "[guard]") {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  inet_pton(AF_INET, "169.254.169.254", &v4.sin_addr);
  auto a = AddressOf(reinterpret_cast<sockaddr*>(&v4), sizeof v4);
  REQUIRE(a);
  CHECK(FormatAddress(*a) == "169.254.169.254");
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "fe80::1", &v6.sin6_addr);
  auto b = AddressOf(reinterpret_cast<sockaddr*>(&v6), sizeof v6);
  REQUIRE(b);
  CHECK(FormatAddress(*b) == "fe80::1");
  sockaddr other{};
  other.sa_family = AF_UNIX;
  CHECK_FALSE(AddressOf(&other, sizeof other));
}

}  // namespace
}  // namespace gleaner::fetch
