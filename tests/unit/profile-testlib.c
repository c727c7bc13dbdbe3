/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "profile-testlib.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

EVP_PKEY *tl_key(void)
{
        EVP_PKEY *k = EVP_EC_gen("P-256");

        g_assert_nonnull(k);
        return k;
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
        X509V3_CTX ctx;
        X509_EXTENSION *e;

        X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
        e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
        g_assert_nonnull(e);
        g_assert_cmpint(X509_add_ext(x, e, -1), ==, 1);
        X509_EXTENSION_free(e);
}

X509 *tl_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, bool ca,
              long from_s, long to_s)
{
        static long serial = 1000;
        X509 *x = X509_new();
        X509_NAME *name = X509_NAME_new();

        g_assert_cmpint(X509_set_version(x, 2), ==, 1);
        ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                   (const unsigned char *)"tsunagu unit tests", -1, -1, 0);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
                                   0);
        X509_set_subject_name(x, name);
        X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
        X509_NAME_free(name);
        X509_gmtime_adj(X509_getm_notBefore(x), from_s);
        X509_gmtime_adj(X509_getm_notAfter(x), to_s);
        X509_set_pubkey(x, key);
        add_ext(x, issuer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
        add_ext(x, issuer, NID_key_usage,
                ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
        g_assert_cmpint(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()), >, 0);
        return x;
}

char *tl_b64_cert(X509 *x)
{
        unsigned char *der = NULL;
        int n = i2d_X509(x, &der);
        char *s;

        g_assert_cmpint(n, >, 0);
        s = g_base64_encode(der, (gsize)n);
        OPENSSL_free(der);
        return s;
}

static char *bio_string(BIO *b)
{
        char *data;
        long n = BIO_get_mem_data(b, &data);
        char *s = g_strndup(data, (gsize)n);

        BIO_free(b);
        return s;
}

char *tl_pem_cert(X509 *x)
{
        BIO *b = BIO_new(BIO_s_mem());

        g_assert_cmpint(PEM_write_bio_X509(b, x), ==, 1);
        return bio_string(b);
}

char *tl_pem_key(EVP_PKEY *k, const char *pass)
{
        BIO *b = BIO_new(BIO_s_mem());

        g_assert_cmpint(PEM_write_bio_PKCS8PrivateKey(b, k, pass ? EVP_aes_256_cbc() : NULL, NULL,
                                                      0, NULL, (void *)pass),
                        ==, 1);
        return bio_string(b);
}

char *tl_b64_p12(X509 *cert, EVP_PKEY *key, const char *pass)
{
        PKCS12 *p12 = PKCS12_create(pass, "tsunagu test", key, cert, NULL, 0, 0, 0, 0, 0);
        unsigned char *der = NULL;
        char *s;
        int n;

        g_assert_nonnull(p12);
        n = i2d_PKCS12(p12, &der);
        g_assert_cmpint(n, >, 0);
        s = g_base64_encode(der, (gsize)n);
        OPENSSL_free(der);
        PKCS12_free(p12);
        return s;
}

GBytes *tl_cms_sign(const void *data, size_t len, X509 *signer, EVP_PKEY *key, X509 *extra)
{
        BIO *in = BIO_new_mem_buf(data, (int)len), *out = BIO_new(BIO_s_mem());
        STACK_OF(X509) *certs = sk_X509_new_null();
        CMS_ContentInfo *cms;
        char *p;
        long n;
        GBytes *b;

        if (extra)
                sk_X509_push(certs, extra);
        cms = CMS_sign(signer, key, certs, in, CMS_BINARY);
        g_assert_nonnull(cms);
        g_assert_cmpint(i2d_CMS_bio(out, cms), ==, 1);
        n = BIO_get_mem_data(out, &p);
        b = g_bytes_new(p, (gsize)n);
        CMS_ContentInfo_free(cms);
        sk_X509_free(certs);
        BIO_free(in);
        BIO_free(out);
        return b;
}

char *tl_escape_newlines(char *s)
{
        char *r = tl_replace(g_strchomp(s), "\n", "\\n");

        g_free(s);
        return r;
}

void tl_write_pem(const char *dir, const char *name, X509 *x)
{
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autofree char *pem = tl_pem_cert(x);

        g_assert_true(g_file_set_contents(path, pem, -1, NULL));
}

GBytes *tl_vector(const char *name)
{
        g_autofree char *path =
                g_test_build_filename(G_TEST_DIST, "tests", "vectors", "profiles", name, NULL);
        g_autoptr(GError) e = NULL;
        char *data = NULL;
        gsize len = 0;

        if (!g_file_get_contents(path, &data, &len, &e))
                g_error("%s: %s", path, e->message);
        return g_bytes_new_take(data, len);
}

char *tl_vector_text(const char *name)
{
        g_autoptr(GBytes) b = tl_vector(name);
        gsize n;
        const char *d = g_bytes_get_data(b, &n);

        return g_strndup(d, n);
}

char *tl_replace(const char *s, const char *from, const char *to)
{
        g_auto(GStrv) parts = g_strsplit(s, from, -1);
        char *r = g_strjoinv(to, parts);

        return r;
}

char *tl_tmpdir(void)
{
        g_autoptr(GError) e = NULL;
        char *d = g_dir_make_tmp("tsunagu-test-XXXXXX", &e);

        g_assert_no_error(e);
        return d;
}

void tl_rmtree(const char *dir)
{
        GDir *d = g_dir_open(dir, 0, NULL);
        const char *n;

        if (!d)
                return;
        while ((n = g_dir_read_name(d))) {
                g_autofree char *p = g_build_filename(dir, n, NULL);

                if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
                        tl_rmtree(p);
                else
                        g_unlink(p);
        }
        g_dir_close(d);
        g_rmdir(dir);
}

void tl_print_report(const struct profile_report *r)
{
        for (guint i = 0; r->diags && i < r->diags->len; i++) {
                const struct profile_diag *d = g_ptr_array_index(r->diags, i);
                g_autofree char *s = profile_diag_format(d);

                g_test_message("  %s [%s] %s", d->severity == PROFILE_ERROR ? "error" : "warning",
                               profile_code_to_string(d->code), s);
        }
}

struct profile *tl_import(const void *data, size_t len, const struct profile_import_options *o,
                          struct profile_report *rep)
{
        struct profile *p = NULL;
        int r = profile_import(data, len, o, &p, rep);

        tl_print_report(rep);
        if (r != 0)
                g_error("import of %s failed: %d (%u errors)", rep->file, r, rep->n_errors);
        g_assert_nonnull(p);
        return p;
}

int tl_expect_error(const void *data, size_t len, const struct profile_import_options *o,
                    const char *field, enum profile_code code, const char *says)
{
        struct profile_report rep;
        struct profile *p = NULL;
        bool found = false;
        int r;

        profile_report_init(&rep);
        r = profile_import(data, len, o, &p, &rep);
        tl_print_report(&rep);
        g_assert_cmpint(r, <, 0);
        g_assert_null(p); /* all or nothing */
        g_assert_cmpuint(rep.n_errors, >, 0);
        for (guint i = 0; i < rep.diags->len && !found; i++) {
                const struct profile_diag *d = g_ptr_array_index(rep.diags, i);

                found = d->severity == PROFILE_ERROR && strcmp(d->field, field) == 0 &&
                        d->code == code && (!says || strstr(d->message, says));
        }
        if (!found)
                g_error("no %s error for field '%s'%s%s", profile_code_to_string(code), field,
                        says ? " saying " : "", says ? says : "");
        profile_report_clear(&rep);
        return r;
}

const struct profile_diag *tl_find_warning(const struct profile_report *r, const char *field,
                                           enum profile_code code)
{
        for (guint i = 0; r->diags && i < r->diags->len; i++) {
                const struct profile_diag *d = g_ptr_array_index(r->diags, i);

                if (d->severity == PROFILE_WARNING && d->code == code &&
                    strcmp(d->field, field) == 0)
                        return d;
        }
        return NULL;
}

static void assert_bytes_eq(struct bytes a, struct bytes b)
{
        g_assert_cmpmem(a.ptr, a.len, b.ptr, b.len);
}

void tl_assert_profiles_equal(const struct profile *a, const struct profile *b)
{
        g_assert_cmpstr(a->name, ==, b->name);
        g_assert_cmpstr(a->uuid, ==, b->uuid);
        g_assert_cmpstr(a->host, ==, b->host);
        g_assert_cmpuint(a->port, ==, b->port);
        g_assert_cmpstr(a->remote_id, ==, b->remote_id);
        g_assert_cmpstr(a->server_cn, ==, b->server_cn);
        g_assert_cmpstr(a->server_ca_cn, ==, b->server_ca_cn);
        g_assert_cmpint(a->ca_trust, ==, b->ca_trust);
        g_assert_cmpuint(a->n_ca_certs, ==, b->n_ca_certs);
        for (size_t i = 0; i < a->n_ca_certs; i++)
                assert_bytes_eq(a->ca_certs[i], b->ca_certs[i]);
        g_assert_cmpint(a->send_certreq, ==, b->send_certreq);
        g_assert_cmpint(a->revocation_crl, ==, b->revocation_crl);
        g_assert_cmpint(a->revocation_ocsp, ==, b->revocation_ocsp);
        g_assert_cmpint(a->revocation_strict, ==, b->revocation_strict);
        g_assert_cmpint(a->auth, ==, b->auth);
        g_assert_cmpuint(a->cert_eap_method, ==, b->cert_eap_method);
        g_assert_cmpstr(a->local_id, ==, b->local_id);
        g_assert_cmpstr(a->eap_id, ==, b->eap_id);
        g_assert_cmpstr(a->eap_password, ==, b->eap_password);
        assert_bytes_eq(a->client_pkcs12, b->client_pkcs12);
        assert_bytes_eq(a->client_cert, b->client_cert);
        assert_bytes_eq(a->client_key, b->client_key);
        g_assert_cmpstr(a->client_passphrase, ==, b->client_passphrase);
        g_assert_cmpint(a->key_type, ==, b->key_type);
        g_assert_cmpint(a->rsa_pss, ==, b->rsa_pss);
        g_assert_true(proposal_list_eq(&a->ike, &b->ike));
        g_assert_true(proposal_list_eq(&a->esp, &b->esp));
        g_assert_cmpuint(a->ike_lifetime, ==, b->ike_lifetime);
        g_assert_cmpuint(a->ike_rekey_margin, ==, b->ike_rekey_margin);
        g_assert_cmpuint(a->child_lifetime, ==, b->child_lifetime);
        g_assert_cmpuint(a->child_rekey_margin, ==, b->child_rekey_margin);
        g_assert_cmpuint(a->dpd_interval, ==, b->dpd_interval);
        g_assert_cmpuint(a->nat_keepalive, ==, b->nat_keepalive);
        g_assert_cmpuint(a->retransmit_timeout, ==, b->retransmit_timeout);
        g_assert_cmpuint(a->retransmit_tries, ==, b->retransmit_tries);
        g_assert_cmpuint(a->reauth_time, ==, b->reauth_time);
        g_assert_cmpuint(a->child_lifetime_bytes, ==, b->child_lifetime_bytes);
        g_assert_cmpuint(a->child_lifetime_packets, ==, b->child_lifetime_packets);
        g_assert_cmpint(a->esn, ==, b->esn);
        g_assert_cmpuint(a->mtu, ==, b->mtu);
        g_assert_cmpint(a->mobike, ==, b->mobike);
        g_assert_cmpint(a->fragmentation, ==, b->fragmentation);
        g_assert_cmpint(a->redirect, ==, b->redirect);
        g_assert_cmpint(a->ipv6_transport, ==, b->ipv6_transport);
        g_assert_cmpint(a->tunnel, ==, b->tunnel);
        g_assert_cmpmem(a->subnets, a->n_subnets * sizeof(*a->subnets), b->subnets,
                        b->n_subnets * sizeof(*b->subnets));
        g_assert_cmpmem(a->excluded, a->n_excluded * sizeof(*a->excluded), b->excluded,
                        b->n_excluded * sizeof(*b->excluded));
        g_assert_cmpint(a->block_ipv4, ==, b->block_ipv4);
        g_assert_cmpint(a->block_ipv6, ==, b->block_ipv6);
        g_assert_cmpint(a->kill_switch, ==, b->kill_switch);
        g_assert_cmpint(a->allow_lan, ==, b->allow_lan);
        g_assert_cmpint(a->dns_use_gateway, ==, b->dns_use_gateway);
        g_assert_cmpmem(a->dns_servers, a->n_dns_servers * sizeof(*a->dns_servers),
                        b->dns_servers, b->n_dns_servers * sizeof(*b->dns_servers));
        g_assert_cmpuint(g_strv_length(a->dns_search ? a->dns_search : (char *[]){ NULL }), ==,
                         g_strv_length(b->dns_search ? b->dns_search : (char *[]){ NULL }));
        for (size_t i = 0; a->dns_search && a->dns_search[i]; i++)
                g_assert_cmpstr(a->dns_search[i], ==, b->dns_search[i]);
        g_assert_cmpuint(g_strv_length(a->dns_routing ? a->dns_routing : (char *[]){ NULL }), ==,
                         g_strv_length(b->dns_routing ? b->dns_routing : (char *[]){ NULL }));
        for (size_t i = 0; a->dns_routing && a->dns_routing[i]; i++)
                g_assert_cmpstr(a->dns_routing[i], ==, b->dns_routing[i]);
        g_assert_cmpint(a->auto_connect, ==, b->auto_connect);
        g_assert_cmphex(a->user_may_change, ==, b->user_may_change);
        g_assert_cmpstr(a->ike_proposal ? "set" : "unset", ==, b->ike_proposal ? "set" : "unset");
        g_assert_cmpstr(a->esp_proposal ? "set" : "unset", ==, b->esp_proposal ? "set" : "unset");
}
