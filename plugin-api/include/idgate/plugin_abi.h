/*
 * idgate plugin ABI 2.0: the only thing that crosses between the server and a dropin.
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
 * with static storage duration. The descriptor is a header common to every kind (name,
 * version, capabilities, lifecycle) and a pointer to the table of its kind. A new kind adds a
 * table; no shared struct grows for it. The host rejects a descriptor whose abi_major differs
 * from its own; a higher abi_minor is accepted (fields are appended only). Plugins built for
 * ABI 1.x export "idgate_plugin_descriptor_v1" instead and load through the host's adapter.
 */
#ifndef IDGATE_PLUGIN_ABI_H
#define IDGATE_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IDGATE_ABI_MAJOR 2
#define IDGATE_ABI_MINOR 2

/** Name of the one exported entry point. */
#define IDGATE_PLUGIN_ENTRY_SYMBOL "idgate_plugin_v2"

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
  /** Replaces or enriches the subject the resource server built from a token. */
  IDGATE_KIND_SUBJECT_MAPPER = 2,
  /** Sees and changes a token's claims before it is signed. */
  IDGATE_KIND_TOKEN_CUSTOMIZER = 3,
  /** Implements one grant_type of the token endpoint. */
  IDGATE_KIND_GRANT_HANDLER = 4,
  /** Checks a user's credentials and says who the user is. */
  IDGATE_KIND_USER_AUTHENTICATOR = 5,
} idgate_plugin_kind;

/**
 * Capabilities: the host services a plugin declares it needs. A call to a service the
 * plugin did not declare is refused (ERROR, logged) and counted; the admin API lists each
 * plugin's capabilities. log, now_unix_ms and global_property need none.
 */
typedef enum idgate_capability {
  /** client_lookup: a registered client's metadata (never a secret). */
  IDGATE_CAP_CLIENT_READ = 1u << 0,
  /** client_secret_verify: compare a presented secret with the stored hash. */
  IDGATE_CAP_CLIENT_SECRET_VERIFY = 1u << 1,
  /** client_secret_get: the plain secret of a client registered with this plugin's
   * token_endpoint_auth_method (the HMAC key of client_secret_jwt); nobody else's. */
  IDGATE_CAP_CLIENT_SECRET_READ = 1u << 2,
  /** keystore_certificate: certificates in the server keystore. */
  IDGATE_CAP_KEYSTORE_READ = 1u << 3,
  /** jti_check_and_insert: the durable one-time-use table. */
  IDGATE_CAP_JTI_WRITE = 1u << 4,
  /** jwks_fetch: fetch URLs (JWK sets) through the host's cache. */
  IDGATE_CAP_URL_FETCH = 1u << 5,
  /** user_password_verify and user_lookup: the local user store. */
  IDGATE_CAP_USER_READ = 1u << 6,
  /** registry_password_verify and registry_user: server.xml's <basicRegistry> users. */
  IDGATE_CAP_REGISTRY_READ = 1u << 7,
  /** access_token_verify (ABI 2.2): idgate's own access tokens, verified and unrevoked. */
  IDGATE_CAP_TOKEN_VERIFY = 1u << 8,
} idgate_capability;

/** Log levels for idgate_host_api.log. */
typedef enum idgate_log_level {
  IDGATE_LOG_DEBUG = 0,
  IDGATE_LOG_INFO = 1,
  IDGATE_LOG_WARNING = 2,
  IDGATE_LOG_ERROR = 3,
} idgate_log_level;

/** Results of host lookups. */
typedef enum idgate_lookup_code {
  /** store or internal failure, or a capability not declared: fail closed */
  IDGATE_LOOKUP_ERROR = -1,
  IDGATE_LOOKUP_NOT_FOUND = 0,
  IDGATE_LOOKUP_FOUND = 1,
} idgate_lookup_code;

/** Results of idgate_host_api.jti_check_and_insert. */
typedef enum idgate_jti_code {
  IDGATE_JTI_ERROR = -1, /**< store failure: never treat as replay, never as fresh */
  IDGATE_JTI_REPLAYED = 0,
  /** First use, recorded. During a token request the answer can come before the row's
   * commit: the response then waits for the durable verdict, and a replay found or a store
   * failure at commit replaces it (with invalid_client/invalid_grant or server_error). So a
   * plugin must not treat FRESH as proof that a later call with the same jti is a replay:
   * cache REPLAYED. */
  IDGATE_JTI_FRESH = 1,
} idgate_jti_code;

typedef struct idgate_host_context* idgate_host_context_host_ptr;
typedef struct idgate_result* idgate_result_host_ptr;
typedef struct idgate_instance* idgate_instance_module_ptr;

/** Receives a byte string produced by the host. The bytes are valid during the call only. */
typedef void (*idgate_bytes_sink)(void* user, idgate_str bytes);

/**
 * Services the host offers to one plugin instance. OWNERSHIP: host; valid from
 * instance_new until instance_destroy returns. All functions are thread-safe. Each instance
 * has its own context: its log lines name the plugin and its identity.xml EventListener.
 */
typedef struct idgate_host_api {
  uint32_t struct_size;
  idgate_host_context_host_ptr context;

  void (*log)(idgate_host_context_host_ptr ctx, idgate_log_level level, idgate_str message);

  /** The host's clock (injected; tests control it). Milliseconds since the Unix epoch. */
  int64_t (*now_unix_ms)(idgate_host_context_host_ptr ctx);

  /**
   * Reads a server-wide setting, e.g. "OAuth.TimestampSkew",
   * "CacheConfig.PrivateKeyJWT.enable", "Server.Issuer". FOUND with the value in `sink`.
   */
  idgate_lookup_code (*global_property)(idgate_host_context_host_ptr ctx, idgate_str name,
                                        idgate_bytes_sink sink, void* user);

  /** IDGATE_CAP_CLIENT_READ. FOUND: `sink` receives the client's metadata as a JSON object
   * (RFC 7591 names; never any secret or secret hash). */
  idgate_lookup_code (*client_lookup)(idgate_host_context_host_ptr ctx, idgate_str client_id,
                                      idgate_bytes_sink sink, void* user);

  /** IDGATE_CAP_CLIENT_SECRET_VERIFY. Compares in constant time.
   * FOUND = matches, NOT_FOUND = no such client, no secret, or mismatch. */
  idgate_lookup_code (*client_secret_verify)(idgate_host_context_host_ptr ctx, idgate_str client_id,
                                             idgate_str secret);

  /** IDGATE_CAP_CLIENT_SECRET_READ. Hands the secret itself to `sink`. NOT_FOUND when the
   * client has no recoverable secret or is registered with another method. */
  idgate_lookup_code (*client_secret_get)(idgate_host_context_host_ptr ctx, idgate_str client_id,
                                          idgate_bytes_sink sink, void* user);

  /** IDGATE_CAP_KEYSTORE_READ. FOUND: `sink` receives the DER X.509 certificate stored
   * under `alias` (case-insensitive). */
  idgate_lookup_code (*keystore_certificate)(idgate_host_context_host_ptr ctx, idgate_str alias,
                                             idgate_bytes_sink sink, void* user);

  /** IDGATE_CAP_JTI_WRITE. Atomically records (scope, jti) until exp_unix_s (+ the server's
   * skew). `scope` is the client id for client assertions, "grant:<issuer>" for grants. Call
   * only after every other check passed. */
  idgate_jti_code (*jti_check_and_insert)(idgate_host_context_host_ptr ctx, idgate_str scope,
                                          idgate_str jti, int64_t exp_unix_s);

  /**
   * IDGATE_CAP_URL_FETCH. The JWK set published at `uri`, through the server's cache
   * (Cache-Control honoured within configured bounds, one fetch at a time per URI, timeouts,
   * size limit, private addresses refused unless allowed). `refresh` = 1 asks for a refetch
   * because a kid was unknown; honoured at most once per configured interval. FOUND with the
   * JWKS JSON in `sink`; ERROR when no copy can be had.
   */
  idgate_lookup_code (*jwks_fetch)(idgate_host_context_host_ptr ctx, idgate_str uri,
                                   int32_t refresh, idgate_bytes_sink sink, void* user);

  /** IDGATE_CAP_USER_READ. Verifies a local user's password (constant time, KDF). FOUND =
   * matches, NOT_FOUND = no such user or mismatch (indistinguishable in time). */
  idgate_lookup_code (*user_password_verify)(idgate_host_context_host_ptr ctx, idgate_str username,
                                             idgate_str password);

  /** IDGATE_CAP_USER_READ. FOUND: `sink` receives the local user as JSON:
   * {"username":..., "subject":..., "claims":{...}} (never the password hash). */
  idgate_lookup_code (*user_lookup)(idgate_host_context_host_ptr ctx, idgate_str username,
                                    idgate_bytes_sink sink, void* user);

  /** IDGATE_CAP_REGISTRY_READ. Verifies the password of a server.xml <basicRegistry> user
   * (constant time). FOUND = matches, NOT_FOUND = no such user or mismatch. */
  idgate_lookup_code (*registry_password_verify)(idgate_host_context_host_ptr ctx,
                                                 idgate_str username, idgate_str password);

  /** IDGATE_CAP_REGISTRY_READ. FOUND: `sink` receives the registry user as JSON:
   * {"username":..., "groups":[...]} (never the password). */
  idgate_lookup_code (*registry_user)(idgate_host_context_host_ptr ctx, idgate_str username,
                                      idgate_bytes_sink sink, void* user);

  /* ABI 2.2: present when struct_size covers it (a 2.1 host's table is shorter). */

  /** IDGATE_CAP_TOKEN_VERIFY. An access token idgate issued: FOUND when it is signed with the
   * server's keys, typed at+jwt, within its nbf..exp (with the server's skew) and not revoked;
   * `sink` receives its claims (a JSON object). NOT_FOUND for anything else: another issuer's
   * token, expired, revoked, malformed. ERROR on a store failure. */
  idgate_lookup_code (*access_token_verify)(idgate_host_context_host_ptr ctx, idgate_str token,
                                            idgate_bytes_sink sink, void* user);
} idgate_host_api;

/**
 * Where a plugin writes its answer to one call. OWNERSHIP: host, for the call. Each kind uses
 * the setters its table documents; `set` with an unknown field is ignored.
 */
typedef struct idgate_result_api {
  uint32_t struct_size;
  idgate_result_host_ptr result;
  /** Sets a named output field (e.g. "client_id", "reason", "claims", "subject", "scope"). */
  void (*set)(idgate_result_host_ptr result, idgate_str field, idgate_str value);
} idgate_result_api;

/* ------------------------------------------------------------------------------------------ */
/* Kind 1: client authenticator                                                               */

/** Outcome of client authentication. Any other value returned counts as DENIED. */
typedef enum idgate_auth_code {
  /** This authenticator does not apply to the request; the host asks the next one. */
  IDGATE_AUTH_NOT_HANDLED = 0,
  /** Authenticated; "client_id" was set. */
  IDGATE_AUTH_AUTHENTICATED = 1,
  /** Handled and refused: 401 invalid_client. */
  IDGATE_AUTH_DENIED = 2,
  /** Handled, but the request is malformed: 400 invalid_request. */
  IDGATE_AUTH_BAD_REQUEST = 3,
  /** Handled, but a host service failed: 500 server_error. */
  IDGATE_AUTH_SERVER_ERROR = 4,
} idgate_auth_code;

/** How the host keeps the client_secret of a client registered with a method. */
typedef enum idgate_secret_form {
  IDGATE_SECRET_NONE = 0,   /**< the method takes no secret; registering one is refused */
  IDGATE_SECRET_HASHED = 1, /**< a KDF hash: comparing is enough (client_secret_verify) */
  IDGATE_SECRET_SEALED = 2, /**< encrypted, recoverable: the secret is a key (client_secret_get) */
} idgate_secret_form;

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

#define IDGATE_CLIENT_AUTHENTICATOR_TABLE_VERSION 1
typedef struct idgate_client_authenticator_table {
  uint32_t struct_size;
  uint32_t version;
  /** The token_endpoint_auth_method implemented. NUL terminated. */
  const char* auth_method;
  /** NULL-terminated list of JWS algorithms it verifies (for discovery); may be NULL. */
  const char* const* signing_algs;
  idgate_secret_form secret_form;
  /** 1: the method a registration gets when it names none (RFC 7591: client_secret_basic). */
  int32_t is_default_method;
  /** Authenticates one request; sets "client_id" and "reason". Returns an idgate_auth_code. */
  int32_t (*authenticate)(idgate_instance_module_ptr instance, const idgate_auth_request* request,
                          const idgate_result_api* out);
} idgate_client_authenticator_table;

/* ------------------------------------------------------------------------------------------ */
/* Kind 2: subject mapper                                                                     */

/** Outcome of subject mapping. Any other value returned counts as ERROR. */
typedef enum idgate_map_code {
  IDGATE_MAP_UNCHANGED = 0, /**< nothing to change */
  IDGATE_MAP_MAPPED = 1,    /**< "principal", "unique_name", "realm", "groups" were set */
  IDGATE_MAP_DENIED = 2,    /**< this caller must not pass: 403 */
  IDGATE_MAP_ERROR = 3,     /**< could not decide: 500, never a pass */
} idgate_map_code;

/** The subject the resource server built from a validated token. OWNERSHIP: host, one call. */
typedef struct idgate_subject_request {
  uint32_t struct_size;
  idgate_str config_id; /**< the <openidConnectClient> id that accepted the token */
  idgate_str issuer;
  idgate_str claims_json; /**< the validated JWT claims, a JSON object */
  idgate_str principal;
  idgate_str unique_name;
  idgate_str realm;
  idgate_str client_id; /**< client_id or azp claim; empty when absent */
  const idgate_str* groups;
  size_t group_count;
} idgate_subject_request;

#define IDGATE_SUBJECT_MAPPER_TABLE_VERSION 1
typedef struct idgate_subject_mapper_table {
  uint32_t struct_size;
  uint32_t version;
  /** Sets "principal", "unique_name", "realm", "groups" (a JSON array of strings) and
   * "reason". Returns an idgate_map_code. */
  int32_t (*map_subject)(idgate_instance_module_ptr instance, const idgate_subject_request* request,
                         const idgate_result_api* out);
} idgate_subject_mapper_table;

/* ------------------------------------------------------------------------------------------ */
/* Kind 3: token customizer                                                                   */

typedef enum idgate_customize_code {
  IDGATE_CUSTOMIZE_UNCHANGED = 0,
  /** Changes were set: "claim:<name>" (a JSON value) and "remove_claim" (a name), any number.
   * iss, exp, iat, jti and client_id are protected: a customizer that sets or removes one, sets
   * a value that is not one JSON value, or sets anything else ("claims") fails the request
   * (500) and none of its changes is applied. */
  IDGATE_CUSTOMIZE_CHANGED = 1,
  /** No token for this request: 403 access_denied with "reason". */
  IDGATE_CUSTOMIZE_DENIED = 2,
  IDGATE_CUSTOMIZE_ERROR = 3, /**< could not decide: 500 */
} idgate_customize_code;

typedef struct idgate_token_request {
  uint32_t struct_size;
  idgate_str token_type; /**< "access_token" (later also "id_token") */
  idgate_str grant_type;
  idgate_str client_id;
  idgate_str client_metadata_json; /**< the client's RFC 7591 metadata, no secrets */
  idgate_str claims_json;          /**< the claims so far, a JSON object */
} idgate_token_request;

#define IDGATE_TOKEN_CUSTOMIZER_TABLE_VERSION 1
typedef struct idgate_token_customizer_table {
  uint32_t struct_size;
  uint32_t version;
  /** Returns an idgate_customize_code; sets "claim:<name>", "remove_claim" and "reason". */
  int32_t (*customize)(idgate_instance_module_ptr instance, const idgate_token_request* request,
                       const idgate_result_api* out);
} idgate_token_customizer_table;

/* ------------------------------------------------------------------------------------------ */
/* Kind 4: grant handler                                                                      */

typedef enum idgate_grant_code {
  /** Granted: "subject" set (the token's sub); optional "scope" (narrows the scopes the host
   * granted) and "claim:<name>" (an extra claim, a JSON value). ABI 2.2 adds "audience" (the
   * token's aud, space-separated, in place of the resource parameters), "issued_token_type"
   * (answered as such, RFC 8693 §2.2.1) and "refresh_token" = "issue" (a refresh token comes
   * too when offline_access was granted and the client is registered for refresh_token). */
  IDGATE_GRANT_GRANTED = 0,
  IDGATE_GRANT_INVALID_GRANT = 1,       /**< 400 invalid_grant with "reason" */
  IDGATE_GRANT_INVALID_REQUEST = 2,     /**< 400 invalid_request with "reason" */
  IDGATE_GRANT_INVALID_SCOPE = 3,       /**< 400 invalid_scope with "reason" */
  IDGATE_GRANT_UNAUTHORIZED_CLIENT = 4, /**< 400 unauthorized_client with "reason" */
  IDGATE_GRANT_SERVER_ERROR = 5,        /**< 500 server_error */
  IDGATE_GRANT_INVALID_TARGET = 6,      /**< ABI 2.2: 400 invalid_target with "reason" */
} idgate_grant_code;

typedef struct idgate_grant_request {
  uint32_t struct_size;
  idgate_str grant_type;
  const idgate_kv* params; /**< the form parameters, duplicates already refused */
  size_t param_count;
  idgate_str client_id; /**< authenticated by the client-authenticator chain */
  idgate_str client_metadata_json;
  idgate_str endpoint_url;
  /* ABI 2.2 (read it only when struct_size covers it): the RFC 7638 thumbprint of the key of
   * the request's DPoP proof, verified by the host; empty without one. */
  idgate_str dpop_jkt;
} idgate_grant_request;

#define IDGATE_GRANT_HANDLER_TABLE_VERSION 1
typedef struct idgate_grant_handler_table {
  uint32_t struct_size;
  uint32_t version;
  /** The grant_type value handled (listed in discovery's grant_types_supported). */
  const char* grant_type;
  /** Returns an idgate_grant_code. */
  int32_t (*handle)(idgate_instance_module_ptr instance, const idgate_grant_request* request,
                    const idgate_result_api* out);
} idgate_grant_handler_table;

/* ------------------------------------------------------------------------------------------ */
/* Kind 5: user authenticator                                                                 */

typedef enum idgate_user_code {
  IDGATE_USER_NOT_HANDLED = 0, /**< not a user of this authenticator; the next one is asked */
  /** "subject" set; optional "claims" (JSON object), and (2.1) "acr" (the authentication context
   * class reached, a string) and "amr" (the methods used, a JSON array of strings, RFC 8176;
   * ["pwd"] when not set). */
  IDGATE_USER_AUTHENTICATED = 1,
  IDGATE_USER_DENIED = 2, /**< wrong credentials */
  IDGATE_USER_ERROR = 3,  /**< could not decide: never a pass */
} idgate_user_code;

typedef struct idgate_user_request {
  uint32_t struct_size;
  idgate_str username;
  idgate_str password;
  /* ABI 2.1 (read them only when struct_size covers them): the interactive login's request.
   * Empty outside it (the admin API's user check). */
  idgate_str client_id;  /**< the client the user signs in to */
  idgate_str acr_values; /**< OIDC acr_values, space-separated, as the client sent them */
  idgate_str login_hint; /**< OIDC login_hint, as the client sent it */
} idgate_user_request;

#define IDGATE_USER_AUTHENTICATOR_TABLE_VERSION 1
typedef struct idgate_user_authenticator_table {
  uint32_t struct_size;
  uint32_t version;
  /** Returns an idgate_user_code; sets "subject", "claims", "reason". */
  int32_t (*authenticate_user)(idgate_instance_module_ptr instance,
                               const idgate_user_request* request, const idgate_result_api* out);
} idgate_user_authenticator_table;

/* ------------------------------------------------------------------------------------------ */

/** Describes a plugin. OWNERSHIP: module, static storage duration. */
typedef struct idgate_plugin_descriptor {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;
  idgate_plugin_kind kind;
  /** Primary name, matched against identity.xml EventListener names. NUL terminated. */
  const char* name;
  /** NULL-terminated list of further names (e.g. WSO2 class names); may be NULL. */
  const char* const* aliases;
  /** The plugin's own version, shown by the admin API. NUL terminated; may be NULL. */
  const char* version;
  /** idgate_capability bits: every host service it calls. */
  uint64_t capabilities;

  /**
   * Creates a configured instance. Returns NULL to refuse the configuration, after writing a
   * NUL-terminated reason of at most error_len bytes into `error`.
   */
  idgate_instance_module_ptr (*instance_new)(const idgate_host_api* host, const idgate_kv* props,
                                             size_t prop_count, char* error, size_t error_len);
  /** Destroys an instance made by instance_new. */
  void (*instance_destroy)(idgate_instance_module_ptr instance);

  /** The table of `kind`: an idgate_<kind>_table, starting with struct_size and version. */
  const void* table;
} idgate_plugin_descriptor;

/** Signature of the entry point. */
typedef const idgate_plugin_descriptor* (*idgate_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* IDGATE_PLUGIN_ABI_H */
