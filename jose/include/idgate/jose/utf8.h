// UTF-8 well-formedness (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
// The strict JSON reader and every value that reaches a token, a JSON body or a log line use it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace idgate {

/// Length (2-4) of the well-formed multi-byte sequence starting at s[i], or 0 when s[i] does
/// not start one. ASCII bytes are not multi-byte sequences (0).
size_t utf8SequenceLength(std::string_view s, size_t i);

bool isValidUtf8(std::string_view s);

/// `s` for a log line: control characters (C0, DEL, C1) and bytes that are not UTF-8 become
/// visible escapes (\n, \r, \t, \xHH), so a value can neither start a forged line nor send
/// terminal escapes. Backslashes are doubled so an escape cannot be faked either.
std::string logSafe(std::string_view s);

}  // namespace idgate
