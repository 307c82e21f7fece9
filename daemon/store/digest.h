// Hashes and their spellings for the page archive and its WARC export: SHA-1 and SHA-256
// (OpenSSL's libcrypto), lower-case hex, RFC 4648 base32. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace gleaner::store {

// The raw 20-byte SHA-1 and 32-byte SHA-256 of `bytes`. Empty only if libcrypto cannot
// allocate, which makes every comparison with a stored digest fail rather than pass.
std::string Sha1(std::string_view bytes);
std::string Sha256(std::string_view bytes);

// Two lower-case hex digits per byte.
std::string Hex(std::string_view bytes);

// RFC 4648 base32: upper-case alphabet, '=' padding to a multiple of 8 characters (none for
// a 20-byte SHA-1, which is exactly 32 characters).
std::string Base32(std::string_view bytes);

}  // namespace gleaner::store
