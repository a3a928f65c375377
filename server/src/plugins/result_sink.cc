#include "plugins/result_sink.h"

#include <idgate/jose/json.h>

namespace idgate {
namespace {

constexpr size_t kMaxReason = 200;
/// Keeps a plugin from growing host memory without bound within one call.
constexpr size_t kMaxFieldBytes = 256 * 1024;
constexpr size_t kMaxClaims = 256;

std::string str(idgate_str s) {
  return s.data == nullptr ? std::string() : std::string(s.data, std::min(s.len, kMaxFieldBytes));
}

ResultSink* sink(void* p) { return reinterpret_cast<ResultSink*>(p); }

void setFn(idgate_result_host_ptr result, idgate_str field, idgate_str value) noexcept {
  try {
    sink(result)->set(str(field), str(value));
  } catch (...) {
  }
}

template <const char* Field>
void setV1(abi1::AuthResult* result, idgate_str value) noexcept {
  try {
    sink(result)->set(Field, str(value));
  } catch (...) {
  }
}

template <const char* Field>
void setSubjectV1(abi1::SubjectOut* result, idgate_str value) noexcept {
  try {
    sink(result)->set(Field, str(value));
  } catch (...) {
  }
}

void setGroupsV1(abi1::SubjectOut* result, const idgate_str* groups, size_t n) noexcept {
  try {
    std::vector<std::string> out;
    for (size_t i = 0; i < n && groups != nullptr && i < kMaxClaims; ++i)
      out.push_back(str(groups[i]));
    sink(result)->setGroups(std::move(out));
  } catch (...) {
  }
}

constexpr char kClientId[] = "client_id";
constexpr char kReason[] = "reason";
constexpr char kPrincipal[] = "principal";
constexpr char kUniqueName[] = "unique_name";
constexpr char kRealm[] = "realm";

}  // namespace

ResultSink::ResultSink() {
  api_.struct_size = sizeof(api_);
  api_.result = reinterpret_cast<idgate_result_host_ptr>(this);
  api_.set = setFn;
}

void ResultSink::set(const std::string& field, std::string value) {
  if (field.rfind("claim:", 0) == 0) {
    if (claims_.size() < kMaxClaims) claims_.emplace_back(field.substr(6), std::move(value));
    return;
  }
  if (field == "remove_claim") {
    if (removed_.size() < kMaxClaims) removed_.push_back(std::move(value));
    return;
  }
  if (field == "reason" && value.size() > kMaxReason) value.resize(kMaxReason);
  fields_[field] = std::move(value);
}

std::optional<std::string> ResultSink::get(const std::string& field) const {
  auto it = fields_.find(field);
  if (it == fields_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::vector<std::string>> ResultSink::groups() const {
  if (groups_) return groups_;
  auto text = get("groups");
  if (!text) return std::nullopt;
  auto parsed = jose::parseJson(*text, jose::JsonLimits{4, kMaxFieldBytes});
  if (!parsed || !parsed->isArray()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& g : parsed->items()) {
    if (!g.isString()) return std::nullopt;
    out.push_back(g.str());
  }
  return out;
}

std::optional<std::string> canonicalJsonValue(const std::string& text) {
  auto parsed = jose::parseJson("[" + text + "]", jose::JsonLimits{16, kMaxFieldBytes + 2});
  if (!parsed || !parsed->isArray() || parsed->items().size() != 1) return std::nullopt;
  return jose::toJsonText(parsed->items().front());
}

void fillV1ResultSetters(abi1::HostApi& api) {
  api.auth_result_set_client_id = setV1<kClientId>;
  api.auth_result_set_reason = setV1<kReason>;
  api.subject_set_principal = setSubjectV1<kPrincipal>;
  api.subject_set_unique_name = setSubjectV1<kUniqueName>;
  api.subject_set_realm = setSubjectV1<kRealm>;
  api.subject_set_groups = setGroupsV1;
  api.subject_set_reason = setSubjectV1<kReason>;
}

}  // namespace idgate
