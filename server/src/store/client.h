// A registered client, as stored.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "store/client_metadata_view.h"

namespace idgate {

struct Client {
  std::string client_id;
  std::string metadata_json;                 ///< RFC 7591 metadata, never any secret
  std::optional<std::string> secret_hash;    ///< pbkdf2 hash (methods whose secret form is hashed)
  std::optional<std::string> secret_sealed;  ///< AEAD-sealed secret (client_secret_jwt)
  int64_t created_at = 0;
  int64_t updated_at = 0;

  /// `metadata_json` parsed (set by the store when it reads the client; parsed on first use
  /// otherwise).
  std::shared_ptr<const ClientMetadataView> metadata_view;
  const ClientMetadataView& metadata() const {
    if (!metadata_view) metadata_view_cache_ = parseClientMetadataView(metadata_json);
    return metadata_view ? *metadata_view : *metadata_view_cache_;
  }

 private:
  mutable std::shared_ptr<const ClientMetadataView> metadata_view_cache_;
};

}  // namespace idgate
