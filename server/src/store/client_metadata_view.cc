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
  return view;
}

}  // namespace idgate
