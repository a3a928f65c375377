#include "oauth/token_request.h"

#include "http/form_decoder.h"
#include "resource/dpop_proof.h"

namespace idgate {

std::variant<TokenRequest, ApiError> tokenRequestFrom(const HttpRequestData& request,
                                                      std::string endpoint_url,
                                                      const std::set<std::string>& repeatable) {
  if (!isFormContentType(request.content_type)) {
    return ApiError{ErrorCode::kUnsupportedMediaType,
                    "Content-Type must be application/x-www-form-urlencoded"};
  }
  FormDecodeResult form = decodeForm(request.body, repeatable);
  if (!form.error.empty()) return ApiError{ErrorCode::kInvalidRequest, form.error};
  TokenRequest tr;
  tr.params = std::move(form.params);
  tr.authorization = request.authorization;
  tr.endpoint_url = std::move(endpoint_url);
  tr.dpop_proof = dpopHeader(request);
  return tr;
}

}  // namespace idgate
