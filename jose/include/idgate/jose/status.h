// Outcomes of JOSE parsing and verification; one toString for all.
#pragma once

namespace idgate::jose {

enum class Status {
  kOk,
  kTooLarge,         ///< token over the size cap (checked before decoding)
  kMalformed,        ///< not three canonical base64url segments of JSON objects
  kBadHeader,        ///< header unusable: alg missing or not a string, duplicate names, ...
  kAlgNotAllowed,    ///< alg is none, unknown, or not allowed here
  kCritUnsupported,  ///< crit present: no extension is understood
  kTypNotAllowed,    ///< typ marks another kind of token (at+jwt, id token, ...)
  kUnknownKid,       ///< kid given but no key of this client has it
  kNoUsableKey,      ///< no key fits the algorithm
  kBadSignature,     ///< signature wrong, wrong length, or r/s out of range
  kKeyInvalid,       ///< a JWK cannot be imported (bad point, small RSA, private parts)
};

const char* toString(Status s);

}  // namespace idgate::jose
