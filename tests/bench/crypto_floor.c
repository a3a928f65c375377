/* The crypto floor: the fastest server this machine can run for a benchmark's crypto work.
 *
 * One thread, epoll, keep-alive HTTP/1.1 with no parsing beyond finding the end of the head,
 * and per request exactly the signature work of an idgate benchmark on a fixed input, done as
 * `openssl speed` does it (a digest and EVP_PKEY_verify/EVP_PKEY_sign on a context prepared
 * once). No token parsing, no claims, no store, no logging. What it reaches is an upper bound
 * for any server on this machine, idgate included (tests/bench/crypto_floor.sh).
 *
 *   crypto_floor PORT VERIFY_ALG VERIFY_KEY_PEM [SIGN_KEY_PEM]
 *     VERIFY_ALG: none | RS256 | ES256 | HS256 (VERIFY_KEY_PEM is then the secret's file)
 *     SIGN_KEY_PEM: a P-256 private key: also sign an ES256 access token per request
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF 16384

static const char kInput[] = /* a signing input of the size of a client assertion's */
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJlbmNoIiwidHlwIjoiSldUIn0.eyJpc3MiOiJiZW5jaC1jbGllbnQiLCJzdWI"
    "iOiJiZW5jaC1jbGllbnQiLCJhdWQiOiJodHRwOi8vMTI3LjAuMC4xOjQ0MzQzL29hdXRoMi90b2tlbiIsImV4cCI6MT"
    "c2NDQzMDAwMCwiaWF0IjoxNzY0NDI5OTAwLCJqdGkiOiI1YjRjYTNkZi0xYzJlLTRkNWYtOGE5Yi0wYzFkMmUzZjRh"
    "NWIifQ";

static EVP_PKEY_CTX* verify_ctx;
static EVP_PKEY_CTX* sign_ctx;
static EVP_MAC_CTX* hmac_template;
static unsigned char sig[512];
static size_t sig_len;
static const char* alg;

static void die(const char* what) {
  fprintf(stderr, "crypto_floor: %s\n", what);
  exit(1);
}

static EVP_PKEY* load_key(const char* path, int private_key) {
  FILE* f = fopen(path, "r");
  if (!f) die(path);
  EVP_PKEY* k = private_key ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
  fclose(f);
  if (!k) die("key");
  return k;
}

static void digest(const char* in, size_t n, unsigned char out[32]) {
  unsigned int len = 32;
  EVP_Digest(in, n, out, &len, EVP_sha256(), NULL);
}

/* One request's crypto work; returns 0 when every check passed. */
static int work(void) {
  unsigned char h[32];
  int bad = 0;
  if (strcmp(alg, "HS256") == 0) {
    EVP_MAC_CTX* m = EVP_MAC_CTX_dup(hmac_template);
    size_t n = 0;
    unsigned char mac[32];
    EVP_MAC_update(m, (const unsigned char*)kInput, sizeof kInput - 1);
    EVP_MAC_final(m, mac, &n, sizeof mac);
    EVP_MAC_CTX_free(m);
    bad = n != sig_len || CRYPTO_memcmp(mac, sig, n) != 0;
  } else if (strcmp(alg, "none") != 0) {
    digest(kInput, sizeof kInput - 1, h);
    bad = EVP_PKEY_verify(verify_ctx, sig, sig_len, h, 32) != 1;
  }
  if (sign_ctx) {
    unsigned char out[128];
    size_t n = sizeof out;
    digest(kInput, sizeof kInput - 1, h);
    bad |= EVP_PKEY_sign(sign_ctx, out, &n, h, 32) != 1;
  }
  return bad;
}

static void setup(const char* verify_key, const char* sign_key) {
  unsigned char h[32];
  if (strcmp(alg, "HS256") == 0) {
    FILE* f = fopen(verify_key, "r");
    char secret[256];
    if (!f || !fgets(secret, sizeof secret, f)) die(verify_key);
    fclose(f);
    secret[strcspn(secret, "\n")] = 0;
    EVP_MAC* mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    hmac_template = EVP_MAC_CTX_new(mac);
    OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                      OSSL_PARAM_END};
    if (!EVP_MAC_init(hmac_template, (unsigned char*)secret, strlen(secret), p)) die("hmac");
    EVP_MAC_CTX* m = EVP_MAC_CTX_dup(hmac_template);
    EVP_MAC_update(m, (const unsigned char*)kInput, sizeof kInput - 1);
    EVP_MAC_final(m, sig, &sig_len, sizeof sig);
    EVP_MAC_CTX_free(m);
  } else if (strcmp(alg, "none") != 0) {
    /* Sign the fixed input once with the private key, then keep only a verify context. */
    EVP_PKEY* k = load_key(verify_key, 1);
    EVP_PKEY_CTX* s = EVP_PKEY_CTX_new(k, NULL);
    digest(kInput, sizeof kInput - 1, h);
    sig_len = sizeof sig;
    if (EVP_PKEY_sign_init(s) != 1 ||
        (strcmp(alg, "RS256") == 0 && EVP_PKEY_CTX_set_rsa_padding(s, RSA_PKCS1_PADDING) != 1) ||
        EVP_PKEY_CTX_set_signature_md(s, EVP_sha256()) != 1 ||
        EVP_PKEY_sign(s, sig, &sig_len, h, 32) != 1)
      die("sign");
    EVP_PKEY_CTX_free(s);
    verify_ctx = EVP_PKEY_CTX_new(k, NULL);
    if (EVP_PKEY_verify_init(verify_ctx) != 1 ||
        (strcmp(alg, "RS256") == 0 &&
         EVP_PKEY_CTX_set_rsa_padding(verify_ctx, RSA_PKCS1_PADDING) != 1) ||
        EVP_PKEY_CTX_set_signature_md(verify_ctx, EVP_sha256()) != 1)
      die("verify init");
  }
  if (sign_key) {
    sign_ctx = EVP_PKEY_CTX_new(load_key(sign_key, 1), NULL);
    if (EVP_PKEY_sign_init(sign_ctx) != 1 ||
        EVP_PKEY_CTX_set_signature_md(sign_ctx, EVP_sha256()) != 1)
      die("sign init");
  }
  if (work() != 0) die("self-check");
}

struct conn {
  int fd;
  size_t used;
  char buf[BUF];
};

int main(int argc, char** argv) {
  if (argc < 4) die("usage: crypto_floor PORT VERIFY_ALG VERIFY_KEY [SIGN_KEY]");
  alg = argv[2];
  signal(SIGPIPE, SIG_IGN); /* a client gone mid-write is a short write, not a silent exit */
  setup(argv[3], argc > 4 ? argv[4] : NULL);

  /* A body the size of a token response when signing, else a short one. */
  static char response[1024];
  char body[600];
  size_t body_len = argc > 4 ? 520 : 2;
  memset(body, 'x', body_len);
  int head = snprintf(response, sizeof response,
                      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: "
                      "no-store\r\nContent-Length: %zu\r\n\r\n",
                      body_len);
  memcpy(response + head, body, body_len);
  size_t response_len = head + body_len;

  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(ls, (struct sockaddr*)&a, sizeof a) || listen(ls, 512)) die("listen");
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  fprintf(stderr, "crypto_floor: listening\n");
  struct epoll_event events[64];
  for (;;) {
    int n = epoll_wait(ep, events, 64, -1);
    for (int i = 0; i < n; ++i) {
      struct conn* c = events[i].data.ptr;
      if (c == NULL) {
        int fd;
        while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          c = calloc(1, sizeof *c);
          c->fd = fd;
          struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
        }
        continue;
      }
      ssize_t r = read(c->fd, c->buf + c->used, BUF - 1 - c->used);
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        close(c->fd);
        free(c);
        continue;
      }
      c->used += (size_t)r;
      c->buf[c->used] = 0;
      char* end;
      while ((end = strstr(c->buf, "\r\n\r\n")) != NULL) { /* GET requests: no body */
        if (work() != 0) die("verification failed");
        if (write(c->fd, response, response_len) != (ssize_t)response_len) die("short write");
        size_t consumed = (size_t)(end + 4 - c->buf);
        memmove(c->buf, c->buf + consumed, c->used - consumed + 1);
        c->used -= consumed;
      }
      if (c->used >= BUF - 1) die("head too large");
    }
  }
}
