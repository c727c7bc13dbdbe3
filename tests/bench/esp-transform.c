/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * esp-transform: how fast the ESP core encapsulates and decapsulates on one
 * core, per transform, with packets of --size bytes (inner IPv4 packet), in
 * Gbit/s of inner packet. No I/O. tests/bench/run sets the figures beside
 * `openssl speed -evp` for the same cipher and size.
 *
 * Decapsulation needs fresh ciphertext each time (it decrypts in place) and
 * fresh sequence numbers: a pristine batch is copied back and the window reset
 * between timed rounds, outside the timed region.
 *
 * Times are CPU time (see now()).
 *
 * For the AEADs it also times a bare EVP loop doing what any per-packet user
 * must (IV, AAD, data, final, tag): OpenSSL's own per-packet cost.
 *
 * Prints one JSON object: {"ALG": {"encap_gbps": X, "decap_gbps": Y,
 * "evp_per_packet_gbps": Z}, ...};
 * --alg NAME measures one transform only.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "client/esp/esp.h"
#include "client/ike/ikev2.h"

#define BATCH 256u
#define SLOT  2048u

struct alg {
        const char *name;
        uint16_t encr, bits, integ;
        size_t key_len, integ_len;
        const char *evp; /* AEADs: the bare-EVP per-packet reference */
};

static const struct alg algs[] = {
        {"aes128gcm", IKEV2_ENCR_AES_GCM_16, 128, IKEV2_INTEG_NONE, 20, 0, "AES-128-GCM"},
        {"aes256gcm", IKEV2_ENCR_AES_GCM_16, 256, IKEV2_INTEG_NONE, 36, 0, "AES-256-GCM"},
        {"chacha20poly1305", IKEV2_ENCR_CHACHA20_POLY1305, 0, IKEV2_INTEG_NONE, 36, 0,
         "ChaCha20-Poly1305"},
        {"aes128cbc-sha256", IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA2_256_128, 16, 32},
};

/* CPU time of this thread, like `openssl speed` (which counts user time unless
 * given -elapsed): on a shared machine, wall time would measure the
 * neighbours. The loops make no system calls, so CPU time is user time. */
static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct esp_sa *sa_new(const struct alg *a, enum esp_dir dir)
{
        static uint8_t ek[36] = {0x42}, ik[32] = {0x24};
        struct esp_sa_params p = {
                .spi = 0x12345678,
                .dir = dir,
                .encr = a->encr,
                .encr_bits = a->bits,
                .integ = a->integ,
                .encr_key = {ek, a->key_len},
                .integ_key = {ik, a->integ_len},
                .iv_seed = {1, 2, 3, 4, 5, 6, 7, 8},
                .policy =
                        {
                                .have_vip4 = true,
                                .vip4 = {198, 51, 100, 7},
                                .n_ts = 1,
                                .ts = {{.family = 4,
                                        .port_hi = 0xffff,
                                        .start = {0},
                                        .end = {255, 255, 255, 255}}},
                        },
        };
        struct esp_sa *sa;

        if (esp_sa_new(&p, &sa) < 0) {
                fprintf(stderr, "esp-transform: cannot create %s\n", a->name);
                exit(1);
        }
        return sa;
}

/* The least any per-packet AEAD user of EVP does: new IV, AAD, data, final,
 * tag (encrypt). What OpenSSL costs per packet, without ESP around it. */
static double evp_per_packet(const char *name, size_t size, double seconds)
{
        EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, name, NULL);
        EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
        uint8_t key[32] = {1}, iv[12] = {2}, aad[8] = {3}, tag[16], *buf = calloc(1, SLOT);
        double t = 0, start;
        uint64_t n = 0;
        int outl;

        if (!c || !x || !buf || !EVP_EncryptInit_ex2(x, c, key, iv, NULL))
                exit(1);
        while (t < seconds) {
                start = now();
                for (unsigned i = 0; i < BATCH; i++) {
                        iv[11] = (uint8_t)i;
                        if (!EVP_EncryptInit_ex2(x, NULL, NULL, iv, NULL) ||
                            !EVP_EncryptUpdate(x, NULL, &outl, aad, sizeof(aad)) ||
                            !EVP_EncryptUpdate(x, buf, &outl, buf, (int)size) ||
                            !EVP_EncryptFinal_ex(x, buf + size, &outl) ||
                            EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, 16, tag) <= 0)
                                exit(1);
                }
                t += now() - start;
                n += BATCH;
        }
        EVP_CIPHER_CTX_free(x);
        EVP_CIPHER_free(c);
        free(buf);
        return (double)n * (double)size * 8 / t / 1e9;
}

static void make_inner(uint8_t *p, size_t len)
{
        memset(p, 0x5a, len);
        p[0] = 0x45;
        p[1] = 0;
        p[2] = (uint8_t)(len >> 8);
        p[3] = (uint8_t)len;
        p[8] = 64;
        p[9] = 17;
        memcpy(p + 12, (uint8_t[]){192, 0, 2, 1}, 4);
        memcpy(p + 16, (uint8_t[]){198, 51, 100, 7}, 4);
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
                {"seconds", required_argument, NULL, 's'},
                {"size", required_argument, NULL, 'z'},
                {"alg", required_argument, NULL, 'a'},
                {},
        };
        double seconds = 2;
        size_t size = 1400;
        const char *only = NULL;
        bool first = true;
        uint8_t *work = malloc((size_t)BATCH * SLOT), *pristine = malloc((size_t)BATCH * SLOT);
        size_t lens[BATCH];
        int c;

        while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
                if (c == 's')
                        seconds = strtod(optarg, NULL);
                else if (c == 'z')
                        size = strtoul(optarg, NULL, 10);
                else if (c == 'a')
                        only = optarg;
                else
                        return 2;
        }
        if (!work || !pristine || size < 20 || size > SLOT - ESP_MAX_HEADROOM - ESP_MAX_TAILROOM)
                return 2;
        printf("{");
        for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
                const struct alg *a = &algs[i];
                struct esp_sa *out, *in;
                size_t head;
                double t_enc = 0, t_dec = 0, start;
                uint64_t n_enc = 0, n_dec = 0;

                if (only && strcmp(only, a->name) != 0)
                        continue;
                out = sa_new(a, ESP_DIR_OUT);
                in = sa_new(a, ESP_DIR_IN);
                head = esp_sa_headroom(out);

                /* Encapsulation: the same slots again and again (restoring the
                 * version nibble that encryption overwrote). */
                for (size_t b = 0; b < BATCH; b++)
                        make_inner(work + b * SLOT + head, size);
                while (t_enc < seconds) {
                        start = now();
                        for (size_t b = 0; b < BATCH; b++) {
                                uint8_t *s = work + b * SLOT;

                                s[head] = 0x45;
                                if (esp_encap(out, s, SLOT, size, &lens[b]) != ESP_DROP_NONE)
                                        return 1;
                        }
                        t_enc += now() - start;
                        n_enc += BATCH;
                }
                /* Decapsulation of a pristine encrypted batch. */
                for (size_t b = 0; b < BATCH; b++) {
                        make_inner(pristine + b * SLOT + head, size);
                        if (esp_encap(out, pristine + b * SLOT, SLOT, size, &lens[b]) !=
                            ESP_DROP_NONE)
                                return 1;
                }
                while (t_dec < seconds) {
                        memcpy(work, pristine, (size_t)BATCH * SLOT);
                        esp_replay_init(&in->replay, false);
                        start = now();
                        for (size_t b = 0; b < BATCH; b++) {
                                size_t off, len;

                                if (esp_decap(in, work + b * SLOT, lens[b], &off, &len) !=
                                    ESP_DROP_NONE)
                                        return 1;
                        }
                        t_dec += now() - start;
                        n_dec += BATCH;
                }
                printf("%s\"%s\":{\"encap_gbps\":%.3f,\"decap_gbps\":%.3f", first ? "" : ",",
                       a->name, (double)n_enc * (double)size * 8 / t_enc / 1e9,
                       (double)n_dec * (double)size * 8 / t_dec / 1e9);
                if (a->evp)
                        printf(",\"evp_per_packet_gbps\":%.3f",
                               evp_per_packet(a->evp, size, seconds));
                printf("}");
                esp_sa_free(out);
                esp_sa_free(in);
                first = false;
        }
        printf("}\n");
        free(work);
        free(pristine);
        return 0;
}
