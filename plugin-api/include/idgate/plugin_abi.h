/*
 * idgate plugin ABI: the only thing that crosses between the server and a dropin.
 *
 * C types only. Names say who owns what:
 *   *_module_ptr  - created and owned by the plugin (module); the host only passes it back.
 *   *_host_ptr    - created and owned by the host; the plugin only passes it back.
 * Every struct starts with its size and only ever grows at the end: a reader must check
 * `struct_size` before touching a field added in a later minor version.
 *
 * Strings are pointer + length (not NUL terminated unless stated). A string handed to a
 * plugin is valid only for the duration of the call it was passed in.
 *
 * A plugin exports exactly one symbol, IDGATE_PLUGIN_ENTRY_SYMBOL, returning a descriptor
 * with static storage duration. The host rejects a descriptor whose abi_major differs from
 * its own IDGATE_ABI_MAJOR; a higher abi_minor is accepted (fields are appended only).
 */
#ifndef IDGATE_PLUGIN_ABI_H
#define IDGATE_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IDGATE_ABI_MAJOR 1
#define IDGATE_ABI_MINOR 2

/** Name of the one exported entry point. */
#define IDGATE_PLUGIN_ENTRY_SYMBOL "idgate_plugin_descriptor_v1"

#if defined(__GNUC__)
#define IDGATE_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define IDGATE_PLUGIN_EXPORT
#endif

/** A borrowed byte string. OWNERSHIP: the caller of the function it is passed to. */
typedef struct idgate_str {
  const char* data;
  size_t len;
} idgate_str;

/** One key/value pair (form parameter or configuration property). */
typedef struct idgate_kv {
  idgate_str key;
  idgate_str value;
} idgate_kv;

/** Plugin kinds. Unknown kinds are reported and skipped by the host. */
typedef enum idgate_plugin_kind {
  IDGATE_KIND_CLIENT_AUTHENTICATOR = 1,
  /** ABI 1.2: replaces or enriches the subject the resource server built from a token. */
  IDGATE_KIND_SUBJECT_MAPPER = 2,
} idgate_plugin_kind;

/** Log levels for idgate_host_api.log. */
typedef enum idgate_log_level {
  IDGATE_LOG_DEBUG = 0,
  IDGATE_LOG_INFO = 1,
  IDGATE_LOG_WARNING = 2,
  IDGATE_LOG_ERROR = 3,
} idgate_log_level;

/** Outcome of client authentication. Any other value returned counts as DENIED. */
typedef enum idgate_auth_code {
  /** This authenticator does not apply to the request; the host asks the next one. */
  IDGATE_AUTH_NOT_HANDLED = 0,
  /** Authenticated; the client id was set with auth_result_set_client_id. */
  IDGATE_AUTH_AUTHENTICATED = 1,
  /** Handled and refused: 401 invalid_client. */
  IDGATE_AUTH_DENIED = 2,
  /** Handled, but the request is malformed: 400 invalid_request. */
  IDGATE_AUTH_BAD_REQUEST = 3,
  /** Handled, but a host service failed: 500 server_error. */
  IDGATE_AUTH_SERVER_ERROR = 4,
} idgate_auth_code;

/** Results of host lookups. */
typedef enum idgate_lookup_code {
  IDGATE_LOOKUP_ERROR = -1, /**< store or internal failure: fail closed */
  IDGATE_LOOKUP_NOT_FOUND = 0,
  IDGATE_LOOKUP_FOUND = 1,
} idgate_lookup_code;

/** Results of idgate_host_api.jti_check_and_insert. */
typedef enum idgate_jti_code {
  IDGATE_JTI_ERROR = -1, /**< store failure: never treat as replay, never as fresh */
  IDGATE_JTI_REPLAYED = 0,
  /** First use, recorded. During a token request the answer can come before the row's
   * commit: the response then waits for the durable verdict, and a replay found or a store
   * failure at commit replaces it (with invalid_client or server_error). So a plugin must not
   * treat FRESH as proof that a later call with the same jti is a replay: cache REPLAYED. */
  IDGATE_JTI_FRESH = 1,
} idgate_jti_code;

/** Outcome of subject mapping (ABI 1.2). Any other value returned counts as ERROR. */
typedef enum idgate_map_code {
  /** Nothing to change; the next mapper sees the subject as it was. */
  IDGATE_MAP_UNCHANGED = 0,
  /** The subject was changed through the subject_set_* functions. */
  IDGATE_MAP_MAPPED = 1,
  /** This caller must not pass: 403, with the reason in the log. */
  IDGATE_MAP_DENIED = 2,
  /** The mapper could not decide (a service it needs failed): 500, never a pass. */
  IDGATE_MAP_ERROR = 3,
} idgate_map_code;

typedef struct idgate_host_context* idgate_host_context_host_ptr;
typedef struct idgate_subject* idgate_subject_host_ptr;
typedef struct idgate_auth_result* idgate_auth_result_host_ptr;
typedef struct idgate_instance* idgate_instance_module_ptr;

/** Receives a byte string produced by the host. The bytes are valid during the call only. */
typedef void (*idgate_bytes_sink)(void* user, idgate_str bytes);

/**
 * Services the host offers to a plugin. OWNERSHIP: host; valid from instance_new until
 * instance_destroy returns. All functions are thread-safe.
 */
typedef struct idgate_host_api {
  uint32_t struct_size;
  idgate_host_context_host_ptr context;

  void (*log)(idgate_host_context_host_ptr ctx, idgate_log_level level, idgate_str message);

  /** The host's clock (injected; tests control it). Milliseconds since the Unix epoch. */
  int64_t (*now_unix_ms)(idgate_host_context_host_ptr ctx);

  /**
   * Looks up a registered client. On FOUND, `sink` receives its metadata as a JSON object
   * (RFC 7591 names; never any secret or secret hash).
   */
  idgate_lookup_code (*client_lookup)(idgate_host_context_host_ptr ctx, idgate_str client_id,
                                      idgate_bytes_sink sink, void* user);

  /**
   * Compares a presented secret with the client's stored one in constant time.
   * FOUND = matches, NOT_FOUND = no such client, no secret, or mismatch.
   */
  idgate_lookup_code (*client_secret_verify)(idgate_host_context_host_ptr ctx, idgate_str client_id,
                                             idgate_str secret);

  /**
   * Hands the client's secret itself to `sink` (client_secret_jwt needs the HMAC key).
   * NOT_FOUND when the client has no recoverable secret.
   */
  idgate_lookup_code (*client_secret_get)(idgate_host_context_host_ptr ctx, idgate_str client_id,
                                          idgate_bytes_sink sink, void* user);

  /**
   * Looks up a certificate in the server's keystore by alias (case-insensitive).
   * On FOUND, `sink` receives the DER-encoded X.509 certificate.
   */
  idgate_lookup_code (*keystore_certificate)(idgate_host_context_host_ptr ctx, idgate_str alias,
                                             idgate_bytes_sink sink, void* user);

  /**
   * Atomically records (client_id, jti) until exp_unix_s (+ the server's skew).
   * Call only after every other check passed.
   */
  idgate_jti_code (*jti_check_and_insert)(idgate_host_context_host_ptr ctx, idgate_str client_id,
                                          idgate_str jti, int64_t exp_unix_s);

  /**
   * Reads a server-wide setting, e.g. "OAuth.TimestampSkew",
   * "CacheConfig.PrivateKeyJWT.enable", "Server.Issuer". FOUND with the value in `sink`.
   */
  idgate_lookup_code (*global_property)(idgate_host_context_host_ptr ctx, idgate_str name,
                                        idgate_bytes_sink sink, void* user);

  /** Sets the authenticated client id of a result. */
  void (*auth_result_set_client_id)(idgate_auth_result_host_ptr result, idgate_str client_id);
  /** Sets a short, secret-free reason (becomes error_description). */
  void (*auth_result_set_reason)(idgate_auth_result_host_ptr result, idgate_str reason);

  /* ---- ABI 1.1 ---- */

  /**
   * The JWK set published at `uri`, through the server's cache (Cache-Control honoured within
   * configured bounds, one fetch at a time per URI, timeouts, size limit, private addresses
   * refused unless allowed). `refresh` = 1 asks for a refetch because a kid was unknown; the
   * host honours that at most once per configured interval. FOUND with the JWKS JSON in
   * `sink`; ERROR when no copy can be had.
   */
  idgate_lookup_code (*jwks_fetch)(idgate_host_context_host_ptr ctx, idgate_str uri,
                                   int32_t refresh, idgate_bytes_sink sink, void* user);

  /* ---- ABI 1.2: what a subject mapper may change (only during map_subject) ---- */

  void (*subject_set_principal)(idgate_subject_host_ptr subject, idgate_str principal);
  void (*subject_set_unique_name)(idgate_subject_host_ptr subject, idgate_str unique_name);
  void (*subject_set_realm)(idgate_subject_host_ptr subject, idgate_str realm);
  /** Replaces the group names (without the group:<realm>/ prefix). */
  void (*subject_set_groups)(idgate_subject_host_ptr subject, const idgate_str* groups,
                             size_t group_count);
  /** A short, secret-free reason for DENIED or ERROR (logged, and error_description). */
  void (*subject_set_reason)(idgate_subject_host_ptr subject, idgate_str reason);
} idgate_host_api;

/**
 * The subject the resource server built from a validated token (ABI 1.2). OWNERSHIP: host,
 * for one call.
 */
typedef struct idgate_subject_request {
  uint32_t struct_size;
  /** The <openidConnectClient> id that accepted the token. */
  idgate_str config_id;
  idgate_str issuer;
  /** The validated JWT claims, a JSON object. */
  idgate_str claims_json;
  idgate_str principal;
  idgate_str unique_name;
  idgate_str realm;
  /** client_id or azp claim; empty when absent. */
  idgate_str client_id;
  const idgate_str* groups;
  size_t group_count;
} idgate_subject_request;

/** A token request as seen by a client authenticator. OWNERSHIP: host, for one call. */
typedef struct idgate_auth_request {
  uint32_t struct_size;
  /** Decoded form parameters in request order (the host has already refused duplicates). */
  const idgate_kv* params;
  size_t param_count;
  /** Value of the Authorization header, empty when absent. */
  idgate_str authorization;
  /** Absolute URL the request was received at, e.g. http://127.0.0.1:9443/oauth2/token. */
  idgate_str endpoint_url;
} idgate_auth_request;

/**
 * Describes a plugin. OWNERSHIP: module, static storage duration.
 */
typedef struct idgate_plugin_descriptor {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;
  idgate_plugin_kind kind;
  /** Primary name, matched against identity.xml EventListener names. NUL terminated. */
  const char* name;
  /** NULL-terminated list of further names (e.g. WSO2 class names); may be NULL. */
  const char* const* aliases;
  /** The token_endpoint_auth_method this authenticator implements. NUL terminated. */
  const char* auth_method;
  /** NULL-terminated list of JWS algorithms it verifies (for discovery); may be NULL. */
  const char* const* signing_algs;

  /**
   * Creates a configured instance. Returns NULL to refuse the configuration, after writing a
   * NUL-terminated reason of at most error_len bytes into `error`.
   */
  idgate_instance_module_ptr (*instance_new)(const idgate_host_api* host, const idgate_kv* props,
                                             size_t prop_count, char* error, size_t error_len);

  /** Authenticates one request. Thread-safe. Returns an idgate_auth_code. */
  int32_t (*authenticate)(idgate_instance_module_ptr instance, const idgate_auth_request* request,
                          idgate_auth_result_host_ptr result);

  /** Destroys an instance made by instance_new. */
  void (*instance_destroy)(idgate_instance_module_ptr instance);

  /* ---- ABI 1.2 ---- */

  /**
   * IDGATE_KIND_SUBJECT_MAPPER only (NULL otherwise; `authenticate` and `auth_method` are
   * NULL for a mapper). Thread-safe. Returns an idgate_map_code.
   */
  int32_t (*map_subject)(idgate_instance_module_ptr instance, const idgate_subject_request* request,
                         idgate_subject_host_ptr subject);
} idgate_plugin_descriptor;

/** Size of a 1.0/1.1 descriptor (before map_subject): what a client authenticator needs. */
#define IDGATE_DESCRIPTOR_SIZE_1_1 offsetof(idgate_plugin_descriptor, map_subject)

/** Signature of the entry point. */
typedef const idgate_plugin_descriptor* (*idgate_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* IDGATE_PLUGIN_ABI_H */
