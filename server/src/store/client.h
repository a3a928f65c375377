// A registered client, as stored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace idgate {

struct Client {
  std::string client_id;
  std::string metadata_json;                 ///< RFC 7591 metadata, never any secret
  std::optional<std::string> secret_hash;    ///< pbkdf2 hash (client_secret_basic/post)
  std::optional<std::string> secret_sealed;  ///< AEAD-sealed secret (client_secret_jwt)
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

}  // namespace idgate
