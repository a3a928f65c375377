#include "plugins/subject_mapper.h"

#include "plugins/result_sink.h"

namespace idgate {

MapResult SubjectMapperPlugin::map(Subject& subject) const {
  std::vector<idgate_str> groups;
  for (const auto& g : subject.groups) groups.push_back(abi(g));
  idgate_subject_request req{};
  req.struct_size = sizeof(req);
  req.config_id = abi(subject.config_id);
  req.issuer = abi(subject.issuer);
  req.claims_json = abi(subject.claims_json);
  req.principal = abi(subject.principal);
  req.unique_name = abi(subject.unique_name);
  req.realm = abi(subject.realm);
  req.client_id = abi(subject.client_id);
  req.groups = groups.data();
  req.group_count = groups.size();

  ResultSink sink;
  int32_t code = IDGATE_MAP_ERROR;
  const auto started = std::chrono::steady_clock::now();
  try {
    const PluginDescriptor& d = descriptor();
    code = d.v2 != nullptr
               ? d.tableAs<idgate_subject_mapper_table>().map_subject(instance(), &req, sink.api())
               : d.v1->map_subject(instance(), &req, sink.v1Subject());
  } catch (...) {
    recordCall(started, true);
    return {IDGATE_MAP_ERROR, "subject mapper " + name() + " failed"};
  }
  recordCall(started, code != IDGATE_MAP_UNCHANGED && code != IDGATE_MAP_DENIED &&
                          code != IDGATE_MAP_MAPPED);
  switch (code) {
    case IDGATE_MAP_UNCHANGED:
      return {IDGATE_MAP_UNCHANGED, {}};
    case IDGATE_MAP_DENIED:
      return {IDGATE_MAP_DENIED, sink.reason().empty() ? "denied by " + name() : sink.reason()};
    case IDGATE_MAP_MAPPED: {
      auto principal = sink.get("principal");
      if (principal && principal->empty()) {
        return {IDGATE_MAP_ERROR, "subject mapper " + name() + " cleared the principal"};
      }
      auto groups = sink.groups();
      if (sink.get("groups") && !groups) {
        return {IDGATE_MAP_ERROR, "subject mapper " + name() +
                                      " set groups that are not a JSON "
                                      "array of strings"};
      }
      if (principal) subject.principal = *principal;
      if (auto v = sink.get("unique_name")) subject.unique_name = *v;
      if (auto v = sink.get("realm")) subject.realm = *v;
      if (groups) subject.groups = std::move(*groups);
      return {IDGATE_MAP_MAPPED, {}};
    }
    default:
      return {IDGATE_MAP_ERROR,
              sink.reason().empty() ? "subject mapper " + name() + " failed" : sink.reason()};
  }
}

}  // namespace idgate
