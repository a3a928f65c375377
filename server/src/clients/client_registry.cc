#include "clients/client_registry.h"

#include <Poco/Logger.h>

#include "common/json_writer.h"
#include "crypto/password_hash.h"
#include "crypto/random.h"
#include "store/store_error.h"

namespace idgate {
namespace {

std::string withClientId(const std::string& id, const std::string& metadata_json) {
  std::string rest = metadata_json.size() > 2 ? "," + metadata_json.substr(1) : "}";
  return "{\"client_id\":" + jsonQuote(id) + rest;
}

ApiError storeFailure(const StoreError& e) {
  Poco::Logger::get("idgate.store").error(e.what());
  return ApiError{ErrorCode::kServerError, "client store unavailable"};
}

}  // namespace

ClientRegistry::ClientRegistry(ClientStore& store, const Clock& clock,
                               std::shared_ptr<const crypto::SecretBox> box,
                               RegistrationCatalog catalog, ClientIdCollisions* collisions)
    : store_(store),
      clock_(clock),
      box_(std::move(box)),
      catalog_(std::move(catalog)),
      collisions_(collisions) {}

std::optional<std::string> ClientRegistry::applySecret(const ValidatedMetadata& m, Client& c,
                                                       bool keep_existing) {
  const SecretForm form = m.secret_form;
  std::optional<std::string> shown;
  std::optional<std::string> secret = m.client_secret;
  bool have_needed = (form == SecretForm::kHash && c.secret_hash) ||
                     (form == SecretForm::kSealed && c.secret_sealed);
  if (!secret && form != SecretForm::kNone && !(keep_existing && have_needed)) {
    secret = crypto::randomToken(form == SecretForm::kSealed ? 64 : 32);
    shown = secret;
  }
  if (secret) {
    c.secret_hash.reset();
    c.secret_sealed.reset();
    if (form == SecretForm::kHash) {
      c.secret_hash = crypto::hashPassword(*secret, crypto::kClientSecretIterations);
    } else {
      c.secret_sealed = box_->seal(*secret, "client-secret:" + c.client_id);
    }
  } else if (form == SecretForm::kNone) {
    c.secret_hash.reset();
    c.secret_sealed.reset();
  } else if (form == SecretForm::kHash) {
    c.secret_sealed.reset();
  } else {
    c.secret_hash.reset();
  }
  return shown;
}

std::string ClientRegistry::render(const Client& c, const std::optional<std::string>& shown) const {
  std::string json = c.metadata_json;
  JsonWriter extra;
  extra.field("client_id_issued_at", c.created_at);
  if (c.secret_hash || c.secret_sealed) extra.field("client_secret_expires_at", int64_t{0});
  if (shown) extra.field("client_secret", *shown);
  std::string e = extra.finish();
  return json.substr(0, json.size() - 1) + "," + e.substr(1);
}

std::optional<ApiError> ClientRegistry::caseTwin(const std::string& client_id) {
  if (reserved_.count(asciiLower(client_id)) != 0) {
    return ApiError{ErrorCode::kInvalidClientMetadata,
                    "client_id '" + client_id +
                        "' is the alias of a keystore entry the server's configuration uses; "
                        "choose another client_id"};
  }
  auto existing = store_.findIdIgnoringCase(client_id);
  if (!existing || *existing == client_id) return std::nullopt;
  return ApiError{ErrorCode::kInvalidClientMetadata,
                  "client_id '" + client_id +
                      "' differs only in case from the registered client '" + *existing +
                      "': client ids are unique without regard to case (keystore aliases are "
                      "matched without case); choose another client_id"};
}

RegistryResult ClientRegistry::create(const std::string& body) {
  ValidatedMetadata m;
  if (auto err = validateClientMetadata(body, catalog_, &m)) {
    return ApiError{ErrorCode::kInvalidClientMetadata, *err};
  }
  Client c;
  c.client_id = m.client_id.empty() ? crypto::randomToken(16) : m.client_id;
  c.metadata_json = withClientId(c.client_id, m.metadata_json);
  c.created_at = c.updated_at = clock_.nowSeconds();
  try {
    if (auto taken = caseTwin(c.client_id)) return *taken;
    auto shown = applySecret(m, c, false);
    if (!store_.insert(c)) {
      if (auto taken = caseTwin(c.client_id)) return *taken;
      return ApiError{ErrorCode::kConflict,
                      "client_id '" + c.client_id + "' is already registered"};
    }
    Poco::Logger::get("idgate.admin")
        .information("registered client " + c.client_id + " (" + m.auth_method + ")");
    return RegistryResponse{201, render(c, shown)};
  } catch (const StoreError& e) {
    return storeFailure(e);
  }
}

RegistryResult ClientRegistry::replace(const std::string& client_id, const std::string& body) {
  ValidatedMetadata m;
  if (auto err = validateClientMetadata(body, catalog_, &m)) {
    return ApiError{ErrorCode::kInvalidClientMetadata, *err};
  }
  if (!m.client_id.empty() && m.client_id != client_id) {
    return ApiError{ErrorCode::kInvalidClientMetadata,
                    "client_id in the body differs from the URL"};
  }
  try {
    auto existing = store_.find(client_id);
    if (!existing) return ApiError{ErrorCode::kNotFound, "no client '" + client_id + "'"};
    Client c = *existing;
    c.metadata_json = withClientId(client_id, m.metadata_json);
    c.updated_at = clock_.nowSeconds();
    auto shown = applySecret(m, c, true);
    if (!store_.update(c, *existing)) return notUpdated(client_id);
    return RegistryResponse{200, render(c, shown)};
  } catch (const StoreError& e) {
    return storeFailure(e);
  }
}

ApiError ClientRegistry::notUpdated(const std::string& client_id) {
  if (!store_.find(client_id))
    return ApiError{ErrorCode::kNotFound, "no client '" + client_id + "'"};
  return ApiError{ErrorCode::kConflict, "client '" + client_id +
                                            "' was changed by another request meanwhile; nothing "
                                            "was written: read it again and retry"};
}

RegistryResult ClientRegistry::rotateSecret(const std::string& client_id) {
  try {
    auto existing = store_.find(client_id);
    if (!existing) return ApiError{ErrorCode::kNotFound, "no client '" + client_id + "'"};
    Client c = *existing;
    ValidatedMetadata m;
    if (auto err = validateClientMetadata(c.metadata_json, catalog_, &m)) {
      return ApiError{
          ErrorCode::kInvalidClientMetadata,
          "the stored registration no longer validates (" + *err + "): replace it (PUT) first"};
    }
    if (m.secret_form == SecretForm::kNone) {
      return ApiError{ErrorCode::kInvalidRequest,
                      "client '" + client_id +
                          "' authenticates without a client secret (its "
                          "token_endpoint_auth_method has none): nothing to rotate"};
    }
    m.client_secret.reset();
    c.updated_at = clock_.nowSeconds();
    auto shown = applySecret(m, c, false);
    if (!store_.update(c, *existing)) return notUpdated(client_id);
    Poco::Logger::get("idgate.admin").information("rotated the secret of client " + client_id);
    return RegistryResponse{200, render(c, shown)};
  } catch (const StoreError& e) {
    return storeFailure(e);
  }
}

RegistryResult ClientRegistry::get(const std::string& client_id) {
  try {
    auto c = store_.find(client_id);
    if (!c) return ApiError{ErrorCode::kNotFound, "no client '" + client_id + "'"};
    return RegistryResponse{200, render(*c, std::nullopt)};
  } catch (const StoreError& e) {
    return storeFailure(e);
  }
}

RegistryResult ClientRegistry::list() {
  try {
    std::vector<std::string> items;
    for (const auto& c : store_.list()) items.push_back(render(c, std::nullopt));
    return RegistryResponse{200, JsonWriter().raw("clients", jsonArray(items)).finish()};
  } catch (const StoreError& e) {
    return storeFailure(e);
  }
}

RegistryResult ClientRegistry::remove(const std::string& client_id) {
  try {
    if (!store_.find(client_id))
      return ApiError{ErrorCode::kNotFound, "no client '" + client_id + "'"};
    if (before_delete_) {
      if (std::string refused = before_delete_(client_id); !refused.empty()) {
        return ApiError{ErrorCode::kServerError, refused};
      }
    }
    if (!store_.remove(client_id))
      return ApiError{ErrorCode::kNotFound, "no client '" + client_id + "'"};
    Poco::Logger::get("idgate.admin").information("deleted client " + client_id);
    if (collisions_ != nullptr) {
      try {
        // The last pair resolved: the database itself can now refuse new ones.
        if (!collisions_->empty() && collisions_->refresh(store_).empty() && on_resolved_) {
          on_resolved_();
        }
      } catch (const StoreError& e) {  // the old list stays: refusing more, never less
        Poco::Logger::get("idgate.store").error(e.what());
      }
    }
    return RegistryResponse{204, ""};
  } catch (const StoreError& e) {
    return storeFailure(e);
  }
}

}  // namespace idgate
