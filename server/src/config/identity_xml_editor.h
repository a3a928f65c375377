// Switching a plugin on or off, or moving it, in identity.xml as text: the <EventListener>
// that names it gets enable="..." and orderId="..." (added where missing); one is added before
// </EventListeners> when none names it. Everything else (comments, layout, properties) is kept
// byte for byte, so the operator's file stays theirs. Commented-out elements are not touched.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace idgate {

/// `names`: every name the plugin answers to (its name and aliases); `insert_name` names a new
/// element. Returns an error (nothing changed) when several elements name the plugin or the
/// file has no <Server> to add one to.
std::optional<std::string> setEventListener(std::string& xml, const std::vector<std::string>& names,
                                            const std::string& insert_name, bool enable,
                                            int64_t order_id);

}  // namespace idgate
