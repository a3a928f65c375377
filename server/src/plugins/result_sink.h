// What a plugin answers in one call, collected on the host side: the fields it set through
// idgate_result_api (ABI 2.0) or through the 1.x auth_result_set_* / subject_set_* functions.
#pragma once

#include <idgate/plugin_abi.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "plugins/plugin_abi_v1.h"

namespace idgate {

class ResultSink {
 public:
  ResultSink();
  ResultSink(const ResultSink&) = delete;
  ResultSink& operator=(const ResultSink&) = delete;

  /// The table handed to a 2.0 plugin for this call.
  const idgate_result_api* api() const { return &api_; }
  /// The handle a 1.x plugin passes back to the 1.x setters.
  abi1::AuthResult* v1Auth() { return reinterpret_cast<abi1::AuthResult*>(this); }
  abi1::SubjectOut* v1Subject() { return reinterpret_cast<abi1::SubjectOut*>(this); }

  void set(const std::string& field, std::string value);
  /// A field's value, when set (the last value wins).
  std::optional<std::string> get(const std::string& field) const;
  /// "reason", at most 200 bytes; empty when not set.
  std::string reason() const { return get("reason").value_or(""); }
  /// Claims set by a token customizer ("claim:<name>"), in the order set.
  const std::vector<std::pair<std::string, std::string>>& claimSets() const { return claims_; }
  const std::vector<std::string>& claimRemovals() const { return removed_; }
  /// Groups, from the 1.x array setter or the 2.0 JSON "groups" field; nullopt when not set or
  /// not an array of strings.
  std::optional<std::vector<std::string>> groups() const;
  void setGroups(std::vector<std::string> groups) { groups_ = std::move(groups); }

 private:
  idgate_result_api api_;
  std::map<std::string, std::string> fields_;
  std::vector<std::pair<std::string, std::string>> claims_;
  std::vector<std::string> removed_;
  std::optional<std::vector<std::string>> groups_;
};

/// `text` as exactly one JSON value, re-serialized (so a plugin's bytes never reach a token
/// as they are: `1,"iss":"x"` is two values, not one); nullopt when it is not one JSON value.
std::optional<std::string> canonicalJsonValue(const std::string& text);

/// The 1.x setter functions for a 1.x host table.
void fillV1ResultSetters(abi1::HostApi& api);

}  // namespace idgate
