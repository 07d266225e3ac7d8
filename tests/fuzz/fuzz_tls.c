/*
 * Fuzz target for kiln-edge's TLS session glue (edge/tls.c): the input is
 * what a client sends, fed to a fresh server session in pieces whose sizes
 * come from the input itself, with the handshake advanced and records read
 * after each piece, and unread input kept between pieces as the connection
 * code does. Whatever the bytes, the session must answer AGAIN, FAILED or
 * bytes, never crash, and its output must be whole TLS records. The key and
 * certificate are made at startup (nothing private is committed).
 */
#include "edge/config.h"
#include "edge/tls.h"

#include <mbedtls/bignum.h>
#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ke_tls *tls;

static int
rng(void *unused, unsigned char *out, size_t n)
{
    (void)unused;
    return getrandom(out, n, 0) == (ssize_t)n ? 0 : -1;
}

static void
write_file(const char *path, const unsigned char *p)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    size_t n = strlen((const char *)p);
    if (fd < 0 || write(fd, p, n) != (ssize_t)n || close(fd) != 0)
        abort();
}

/* A P-256 key and a self-signed certificate for CN=localhost, written to
 * temporary files and loaded the way kiln-edge loads them. */
static void
setup(void)
{
    static unsigned char pem[4096];
    mbedtls_pk_context key;
    mbedtls_x509write_cert crt;
    mbedtls_mpi serial;
    mbedtls_pk_init(&key);
    mbedtls_x509write_crt_init(&crt);
    mbedtls_mpi_init(&serial);
    if (mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
        mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key), rng, NULL) != 0)
        abort();
    mbedtls_mpi_lset(&serial, 1);
    mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&crt, &key);
    mbedtls_x509write_crt_set_issuer_key(&crt, &key);
    if (mbedtls_x509write_crt_set_serial(&crt, &serial) != 0 ||
        mbedtls_x509write_crt_set_subject_name(&crt, "CN=localhost") != 0 ||
        mbedtls_x509write_crt_set_issuer_name(&crt, "CN=localhost") != 0 ||
        mbedtls_x509write_crt_set_validity(&crt, "20200101000000", "20991231235959") != 0)
        abort();

    struct ke_config cfg;
    char err[512];
    ke_config_defaults(&cfg);
    snprintf(cfg.certs[0].cert, sizeof cfg.certs[0].cert, "/tmp/kiln-fuzz-tls-%d.crt",
             (int)getpid());
    snprintf(cfg.certs[0].key, sizeof cfg.certs[0].key, "/tmp/kiln-fuzz-tls-%d.key", (int)getpid());
    cfg.n_certs = 1;
    if (mbedtls_x509write_crt_pem(&crt, pem, sizeof pem, rng, NULL) != 0)
        abort();
    write_file(cfg.certs[0].cert, pem);
    if (mbedtls_pk_write_key_pem(&key, pem, sizeof pem) != 0)
        abort();
    write_file(cfg.certs[0].key, pem);
    if (ke_tls_global_init(&cfg, err, sizeof err) != 0 ||
        ke_tls_load(&cfg, &tls, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_tls: %s\n", err);
        abort();
    }
    unlink(cfg.certs[0].cert);
    unlink(cfg.certs[0].key);
    mbedtls_mpi_free(&serial);
    mbedtls_x509write_crt_free(&crt);
    mbedtls_pk_free(&key);
}

/* The output is a sequence of whole records: a type 20..23, a version (an
 * alert about a bogus ClientHello echoes the client's), the length they
 * announce. */
static void
check_output(struct ke_tls_sess *s)
{
    const unsigned char *p;
    size_t n;
    ke_tls_sess_output(s, &p, &n);
    size_t off = 0;
    while (off < n) {
        if (n - off < 5 || p[off] < 20 || p[off] > 23)
            abort();
        size_t len = (size_t)p[off + 3] << 8 | p[off + 4];
        if (len > 16384 + 2048 || n - off - 5 < len)
            abort();
        off += 5 + len;
    }
    ke_tls_sess_consumed(s, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char plain[16384];
    if (!tls)
        setup();
    struct ke_tls_sess *s = ke_tls_sess_new(tls);
    if (!s)
        abort();
    /* Piece sizes cycle through the first four bytes (1..256 each). */
    unsigned char sizes[4] = { 255, 255, 255, 255 };
    for (size_t i = 0; i < 4 && i < size; i++)
        sizes[i] = data[i];
    size_t off = 0, k = 0;
    bool dead = false;
    while (off < size && !dead) {
        size_t n = (size_t)sizes[k++ % 4] + 1;
        if (n > size - off)
            n = size - off;
        /* An exact-size copy, so ASan sees an overread of the piece. */
        char *piece = malloc(n);
        if (!piece)
            abort();
        memcpy(piece, data + off, n);
        off += n;
        ke_tls_sess_feed(s, piece, n);
        int rc = ke_tls_sess_handshake(s);
        if (rc == KE_TLS_FAILED) {
            dead = true;
        } else if (rc == 0) {
            for (;;) {
                ssize_t r = ke_tls_sess_read(s, plain, sizeof plain);
                if (r == KE_TLS_AGAIN)
                    break;
                if (r < 0) {
                    dead = true;
                    break;
                }
                if (r > (ssize_t)sizeof plain)
                    abort();
            }
        } else if (rc != KE_TLS_AGAIN) {
            abort();
        }
        check_output(s);
        if (!dead && ke_tls_sess_keep(s) != 0)
            dead = true;
        free(piece);
    }
    ke_tls_sess_close_notify(s);
    check_output(s);
    ke_tls_sess_free(s);
    return 0;
}
