#include "plugins/subject_mapper.h"

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

  SubjectSink sink;
  int32_t code = IDGATE_MAP_ERROR;
  const auto started = std::chrono::steady_clock::now();
  try {
    code = descriptor()->map_subject(instance(), &req,
                                     reinterpret_cast<idgate_subject_host_ptr>(&sink));
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
      return {IDGATE_MAP_DENIED, sink.reason.empty() ? "denied by " + name() : sink.reason};
    case IDGATE_MAP_MAPPED:
      if (sink.principal_set && sink.principal.empty()) {
        return {IDGATE_MAP_ERROR, "subject mapper " + name() + " cleared the principal"};
      }
      if (sink.principal_set) subject.principal = sink.principal;
      if (sink.unique_set) subject.unique_name = sink.unique_name;
      if (sink.realm_set) subject.realm = sink.realm;
      if (sink.groups_set) subject.groups = sink.groups;
      return {IDGATE_MAP_MAPPED, {}};
    default:
      return {IDGATE_MAP_ERROR,
              sink.reason.empty() ? "subject mapper " + name() + " failed" : sink.reason};
  }
}

}  // namespace idgate
