/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signed .mobileconfig files: a DER CMS SignedData (RFC 5652 5) whose
 * encapsulated content is the property list. Two questions, answered
 * separately:
 *   1. Does the signature verify with the signer's own certificate? If not,
 *      the file was changed or damaged: an error, nothing is imported.
 *   2. Does the signer chain to an anchor in the trust directory at the
 *      given time? If not, the profile is still readable, but flagged
 *      untrusted with a warning; the daemon decides what that means.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "cms.h"
#include "internal.h"
#include "pki.h"

#define TRUST_MAX_FILES 64
#define TRUST_MAX_FILE  (256 * 1024)

static void cms_freep(CMS_ContentInfo **c)
{
        CMS_ContentInfo_free(*c);
}
static void bio_freep(BIO **b)
{
        BIO_free(*b);
}
static void store_freep(X509_STORE **s)
{
        X509_STORE_free(*s);
}
static void store_ctx_freep(X509_STORE_CTX **s)
{
        X509_STORE_CTX_free(*s);
}
static void certs_freep(STACK_OF(X509) **s)
{
        sk_X509_pop_free(*s, X509_free);
}

bool cms_looks_signed(const uint8_t *data, size_t len)
{
        /* A DER SEQUENCE (0x30) with a long-form or indefinite length, then
         * the OID 1.2.840.113549.1.7.2 (signedData) somewhere early. */
        static const uint8_t oid[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
                                       0x0d, 0x01, 0x07, 0x02 };

        if (len < 16 || data[0] != 0x30)
                return false;
        return memmem(data, MIN(len, (size_t)32), oid, sizeof(oid)) != NULL;
}

/* Anchors: every PEM certificate in the regular *.pem / *.crt files of dir. */
static int load_anchors(const char *dir, X509_STORE *store, unsigned *ret_count)
{
        DIR *d;
        struct dirent *de;
        unsigned files = 0, count = 0;
        int dfd;

        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return -errno;
        }
        while ((de = readdir(d)) && files < TRUST_MAX_FILES) {
                g_autofree char *buf = NULL;
                _cleanup_(bio_freep) BIO *b = NULL;
                _cleanup_close_ int fd = -1;
                struct stat st;
                ssize_t n;
                X509 *x;

                if (de->d_name[0] == '.' ||
                    !(g_str_has_suffix(de->d_name, ".pem") || g_str_has_suffix(de->d_name, ".crt")))
                        continue;
                fd = openat(dfd, de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
                if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
                    st.st_size > TRUST_MAX_FILE)
                        continue;
                files++;
                buf = g_malloc((size_t)st.st_size + 1);
                n = read(fd, buf, (size_t)st.st_size);
                if (n <= 0)
                        continue;
                b = BIO_new_mem_buf(buf, (int)n);
                if (!b)
                        continue;
                while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
                        if (X509_STORE_add_cert(store, x) == 1)
                                count++;
                        X509_free(x);
                }
                ERR_clear_error();
        }
        closedir(d);
        *ret_count = count;
        return 0;
}

int cms_unwrap(const uint8_t *data, size_t len, struct import_ctx *c, struct bytes *ret_content)
{
        _cleanup_(cms_freep) CMS_ContentInfo *cms = NULL;
        _cleanup_(bio_freep) BIO *in = NULL, *out = NULL;
        _cleanup_(store_freep) X509_STORE *empty = NULL, *anchors = NULL;
        _cleanup_(store_ctx_freep) X509_STORE_CTX *vctx = NULL;
        _cleanup_(certs_freep) STACK_OF(X509) *certs = NULL;
        STACK_OF(X509) *signers;
        const char *trust_dir = c->opts && c->opts->trust_dir ? c->opts->trust_dir
                                                              : PROFILE_TRUST_DIR;
        char reason[160];
        unsigned n_anchors = 0;
        X509 *signer;
        char *content;
        long clen;
        int r;

        if (len > INT_MAX)
                return -EFBIG;
        in = BIO_new_mem_buf(data, (int)len);
        out = BIO_new(BIO_s_mem());
        empty = X509_STORE_new();
        anchors = X509_STORE_new();
        vctx = X509_STORE_CTX_new();
        if (!in || !out || !empty || !anchors || !vctx) {
                report_error(c->report, PROFILE_E_INTERNAL, "", "out of memory");
                return -ENOMEM;
        }
        cms = d2i_CMS_bio(in, NULL);
        if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
                ERR_clear_error();
                report_error(c->report, PROFILE_E_SIGNATURE, "",
                             "not a CMS SignedData structure; expected a signed .mobileconfig "
                             "(DER) or a property list");
                return -EBADMSG;
        }
        if (!CMS_get0_content(cms) || !*CMS_get0_content(cms)) {
                report_error(c->report, PROFILE_E_SIGNATURE, "",
                             "the signature is detached (no profile inside the CMS structure)");
                return -EBADMSG;
        }

        /* 1. Integrity: the signature against the signer's certificate only. */
        if (CMS_verify(cms, NULL, empty, NULL, out, CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1) {
                unsigned long e = ERR_peek_last_error();

                ERR_error_string_n(e, reason, sizeof(reason));
                ERR_clear_error();
                report_error(c->report, PROFILE_E_SIGNATURE, "",
                             "the signature does not verify (%s): the file was changed after "
                             "signing or is damaged",
                             reason);
                return -EBADMSG;
        }
        signers = CMS_get0_signers(cms);
        signer = signers && sk_X509_num(signers) > 0 ? sk_X509_value(signers, 0) : NULL;
        sk_X509_free(signers);
        if (!signer) {
                report_error(c->report, PROFILE_E_SIGNATURE, "",
                             "the signer's certificate is not in the file");
                return -EBADMSG;
        }
        g_free(c->report->signer);
        c->report->signer = pki_name_string(X509_get_subject_name(signer));

        /* 2. Trust: the signer chains to an anchor, at the given time. */
        certs = CMS_get1_certs(cms);
        r = load_anchors(trust_dir, anchors, &n_anchors);
        if (r >= 0 && n_anchors > 0 && X509_STORE_CTX_init(vctx, anchors, signer, certs) == 1) {
                X509_STORE_CTX_set_time(vctx, 0, (time_t)c->now);
                if (X509_verify_cert(vctx) == 1) {
                        c->report->signature = PROFILE_SIGNATURE_TRUSTED;
                } else {
                        snprintf(reason, sizeof(reason), "%s",
                                 X509_verify_cert_error_string(X509_STORE_CTX_get_error(vctx)));
                        c->report->signature = PROFILE_SIGNATURE_UNTRUSTED;
                }
        } else {
                snprintf(reason, sizeof(reason), "%s",
                         r < 0 ? "the trust directory cannot be read"
                               : "the trust directory holds no certificates");
                c->report->signature = PROFILE_SIGNATURE_UNTRUSTED;
        }
        ERR_clear_error();
        if (c->report->signature == PROFILE_SIGNATURE_UNTRUSTED)
                report_warn(c->report, PROFILE_W_UNTRUSTED, "",
                            "signed by \"%s\", which is not trusted (%s; trust directory %s)",
                            c->report->signer, reason, trust_dir);

        clen = BIO_get_mem_data(out, &content);
        if (clen <= 0) {
                report_error(c->report, PROFILE_E_SYNTAX, "", "the signed content is empty");
                return -EINVAL;
        }
        if (bytes_dup(ret_content, SLICE(content, (size_t)clen)) < 0)
                return -ENOMEM;
        secure_wipe(content, (size_t)clen);
        return 0;
}
