#include "store/client_metadata_view.h"

#include <idgate/jose/json.h>

#include <algorithm>

namespace idgate {

bool ClientMetadataView::allowsGrant(const std::string& grant_type) const {
  return std::find(grant_types.begin(), grant_types.end(), grant_type) != grant_types.end();
}

std::shared_ptr<const ClientMetadataView> parseClientMetadataView(const std::string& json) {
  auto view = std::make_shared<ClientMetadataView>();
  auto meta = jose::parseJson(json, jose::kClientMetadataLimits);
  if (!meta || !meta->isObject()) return view;
  view->readable = true;
  if (auto m = meta->getString("token_endpoint_auth_method")) view->token_endpoint_auth_method = *m;
  if (const jose::Json* grants = meta->get("grant_types"); grants != nullptr && grants->isArray()) {
    for (const auto& g : grants->items()) {
      if (g.isString()) view->grant_types.push_back(g.str());
    }
  }
  view->scope = meta->getString("scope").value_or("");
  view->client_name = meta->getString("client_name").value_or("");
  auto strings = [&](const char* name, std::vector<std::string>* out) {
    if (const jose::Json* a = meta->get(name); a != nullptr && a->isArray()) {
      for (const auto& v : a->items()) {
        if (v.isString()) out->push_back(v.str());
      }
    }
  };
  strings("redirect_uris", &view->redirect_uris);
  strings("post_logout_redirect_uris", &view->post_logout_redirect_uris);
  std::vector<std::string> response_types;
  strings("response_types", &response_types);
  view->response_type_code =
      std::find(response_types.begin(), response_types.end(), "code") != response_types.end();
  if (const jose::Json* d = meta->get("dpop_bound_access_tokens");
      d != nullptr && d->type() == jose::Json::Type::kBool) {
    view->dpop_bound = d->boolean();
  }
  if (const jose::Json* i = meta->get("introspection_allowed");
      i != nullptr && i->type() == jose::Json::Type::kBool) {
    view->introspection_allowed = i->boolean();
  }
  if (const jose::Json* par = meta->get("require_pushed_authorization_requests");
      par != nullptr && par->type() == jose::Json::Type::kBool) {
    view->require_par = par->boolean();
  }
  return view;
}

}  // namespace idgate
