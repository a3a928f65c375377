#include <idgate/jose/status.h>

namespace idgate::jose {

const char* toString(Status s) {
  switch (s) {
    case Status::kOk:
      return "ok";
    case Status::kTooLarge:
      return "token too large";
    case Status::kMalformed:
      return "malformed token";
    case Status::kBadHeader:
      return "bad header";
    case Status::kAlgNotAllowed:
      return "algorithm not allowed";
    case Status::kCritUnsupported:
      return "crit header not supported";
    case Status::kTypNotAllowed:
      return "typ not allowed";
    case Status::kUnknownKid:
      return "unknown kid";
    case Status::kNoUsableKey:
      return "no usable key";
    case Status::kBadSignature:
      return "bad signature";
    case Status::kKeyInvalid:
      return "key invalid";
  }
  return "error";
}

}  // namespace idgate::jose
