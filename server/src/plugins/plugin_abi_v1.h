// The ABI 1.x layout (1.0 to 1.2), for the adapter that loads dropins built before ABI 2.0.
// Field for field the structs of tests/fixtures/abi-1.2/idgate/plugin_abi.h; the string, key/
// value, request and code types are unchanged in 2.0 and shared.
#pragma once

#include <idgate/plugin_abi.h>

#include <cstddef>
#include <cstdint>

namespace idgate::abi1 {

inline constexpr uint16_t kMajor = 1;
inline constexpr const char* kEntrySymbol = "idgate_plugin_descriptor_v1";

struct AuthResult;  // idgate_auth_result_host_ptr of 1.x
struct SubjectOut;  // idgate_subject_host_ptr of 1.x

struct HostApi {
  uint32_t struct_size;
  idgate_host_context_host_ptr context;
  void (*log)(idgate_host_context_host_ptr, idgate_log_level, idgate_str);
  int64_t (*now_unix_ms)(idgate_host_context_host_ptr);
  idgate_lookup_code (*client_lookup)(idgate_host_context_host_ptr, idgate_str, idgate_bytes_sink,
                                      void*);
  idgate_lookup_code (*client_secret_verify)(idgate_host_context_host_ptr, idgate_str, idgate_str);
  idgate_lookup_code (*client_secret_get)(idgate_host_context_host_ptr, idgate_str,
                                          idgate_bytes_sink, void*);
  idgate_lookup_code (*keystore_certificate)(idgate_host_context_host_ptr, idgate_str,
                                             idgate_bytes_sink, void*);
  idgate_jti_code (*jti_check_and_insert)(idgate_host_context_host_ptr, idgate_str, idgate_str,
                                          int64_t);
  idgate_lookup_code (*global_property)(idgate_host_context_host_ptr, idgate_str, idgate_bytes_sink,
                                        void*);
  void (*auth_result_set_client_id)(AuthResult*, idgate_str);
  void (*auth_result_set_reason)(AuthResult*, idgate_str);
  // 1.1
  idgate_lookup_code (*jwks_fetch)(idgate_host_context_host_ptr, idgate_str, int32_t,
                                   idgate_bytes_sink, void*);
  // 1.2
  void (*subject_set_principal)(SubjectOut*, idgate_str);
  void (*subject_set_unique_name)(SubjectOut*, idgate_str);
  void (*subject_set_realm)(SubjectOut*, idgate_str);
  void (*subject_set_groups)(SubjectOut*, const idgate_str*, size_t);
  void (*subject_set_reason)(SubjectOut*, idgate_str);
};

struct Descriptor {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;
  idgate_plugin_kind kind;
  const char* name;
  const char* const* aliases;
  const char* auth_method;
  const char* const* signing_algs;
  idgate_instance_module_ptr (*instance_new)(const HostApi* host, const idgate_kv* props,
                                             size_t prop_count, char* error, size_t error_len);
  int32_t (*authenticate)(idgate_instance_module_ptr, const idgate_auth_request*, AuthResult*);
  void (*instance_destroy)(idgate_instance_module_ptr);
  // 1.2
  int32_t (*map_subject)(idgate_instance_module_ptr, const idgate_subject_request*, SubjectOut*);
};

/// A 1.0/1.1 descriptor ends before map_subject: what a client authenticator needs.
inline constexpr size_t kDescriptorSize11 = offsetof(Descriptor, map_subject);

/// What a 1.x plugin may call: everything 1.x offered except reading a client's plain secret,
/// which 2.0 gives only to a plugin that declares it (rebuild against 2.0 to declare it).
inline constexpr uint64_t kCapabilities = IDGATE_CAP_CLIENT_READ | IDGATE_CAP_CLIENT_SECRET_VERIFY |
                                          IDGATE_CAP_KEYSTORE_READ | IDGATE_CAP_JTI_WRITE |
                                          IDGATE_CAP_URL_FETCH;

}  // namespace idgate::abi1
