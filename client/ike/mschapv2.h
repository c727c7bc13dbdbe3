/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MS-CHAPv2 computations (RFC 2759 section 8) and the MPPE key derivation
 * from MS-CHAPv2 credentials (RFC 3079 section 3), which gives the EAP
 * MSK of EAP-MSCHAPv2.
 *
 * Only the arithmetic lives here; the EAP framing is in eap_mschapv2.c.
 * MD4 and DES come from the dedicated legacy library context
 * (client/crypto/legacy.h), SHA-1 from the default one. Every function returns 0 or a
 * negative errno: -ENOTSUP when the legacy provider is missing, -EINVAL for
 * a password that is not valid UTF-8, -E2BIG for one longer than RFC 2759
 * allows, -EIO when OpenSSL fails. Outputs are written only on success and
 * every intermediate secret is wiped.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "client/common/bytes.h"

#define MSCHAPV2_CHALLENGE_LEN     16 /* AuthenticatorChallenge, PeerChallenge */
#define MSCHAPV2_CHALLENGE_HASH_LEN 8 /* ChallengeHash output */
#define MSCHAPV2_HASH_LEN          16 /* PasswordHash, PasswordHashHash (MD4) */
#define MSCHAPV2_NT_RESPONSE_LEN   24
#define MSCHAPV2_AUTH_RESPONSE_LEN 20 /* the SHA-1 behind "S=<40 hex digits>" */
#define MSCHAPV2_MASTER_KEY_LEN    16
#define MSCHAPV2_MPPE_KEY_LEN      16 /* 128-bit MPPE start keys */
#define MSCHAPV2_MSK_LEN           64
/* RFC 2759 8.2: "Password is 0 to 256-unicode-char". */
#define MSCHAPV2_PASSWORD_MAX_UNITS 256

/* UTF-8 to UTF-16LE (supplementary planes as surrogate pairs); rejects
 * malformed, overlong and surrogate encodings and more than
 * MSCHAPV2_PASSWORD_MAX_UNITS code units. *ret must be freed with
 * bytes_free_secret(). */
int mschapv2_password_utf16le(struct slice utf8, struct bytes *ret);

/* The user name the hashes cover: the identity without a leading
 * "DOMAIN\" (everything after the first backslash), as Windows and
 * strongSwan do. Borrows from identity. */
struct slice mschapv2_username(struct slice identity);

/* RFC 2759 8.3 NtPasswordHash: MD4 of the UTF-16LE password. */
int mschapv2_nt_password_hash(struct slice password_utf8, uint8_t ret[static MSCHAPV2_HASH_LEN]);

/* RFC 2759 8.4 HashNtPasswordHash: MD4 of the hash. */
int mschapv2_hash_nt_password_hash(const uint8_t hash[static MSCHAPV2_HASH_LEN],
                                   uint8_t ret[static MSCHAPV2_HASH_LEN]);

/* RFC 2759 8.2 ChallengeHash: first 8 bytes of
 * SHA-1(PeerChallenge | AuthenticatorChallenge | UserName). */
int mschapv2_challenge_hash(const uint8_t peer_challenge[static MSCHAPV2_CHALLENGE_LEN],
                            const uint8_t auth_challenge[static MSCHAPV2_CHALLENGE_LEN],
                            struct slice username,
                            uint8_t ret[static MSCHAPV2_CHALLENGE_HASH_LEN]);

/* RFC 2759 8.6: a 7-byte (56-bit) key spread over the upper seven bits of
 * eight bytes, each with odd parity in its low bit. */
void mschapv2_des_key(const uint8_t in[static 7], uint8_t out[static 8]);

/* RFC 2759 8.5 ChallengeResponse: the 8-byte challenge encrypted with three
 * DES keys cut from the zero-padded 21-byte password hash. */
int mschapv2_challenge_response(const uint8_t challenge[static MSCHAPV2_CHALLENGE_HASH_LEN],
                                const uint8_t password_hash[static MSCHAPV2_HASH_LEN],
                                uint8_t ret[static MSCHAPV2_NT_RESPONSE_LEN]);

/* RFC 2759 8.1 GenerateNTResponse, from the password hash. */
int mschapv2_generate_nt_response(const uint8_t auth_challenge[static MSCHAPV2_CHALLENGE_LEN],
                                  const uint8_t peer_challenge[static MSCHAPV2_CHALLENGE_LEN],
                                  struct slice username,
                                  const uint8_t password_hash[static MSCHAPV2_HASH_LEN],
                                  uint8_t ret[static MSCHAPV2_NT_RESPONSE_LEN]);

/* RFC 2759 8.7 GenerateAuthenticatorResponse, as the 20 raw bytes (the wire
 * form is "S=" followed by them in 40 upper-case hex digits). */
int mschapv2_authenticator_response(const uint8_t password_hash[static MSCHAPV2_HASH_LEN],
                                    const uint8_t nt_response[static MSCHAPV2_NT_RESPONSE_LEN],
                                    const uint8_t peer_challenge[static MSCHAPV2_CHALLENGE_LEN],
                                    const uint8_t auth_challenge[static MSCHAPV2_CHALLENGE_LEN],
                                    struct slice username,
                                    uint8_t ret[static MSCHAPV2_AUTH_RESPONSE_LEN]);

/* RFC 3079 3.4 GetMasterKey: first 16 bytes of
 * SHA-1(PasswordHashHash | NTResponse | Magic1). */
int mschapv2_master_key(const uint8_t password_hash_hash[static MSCHAPV2_HASH_LEN],
                        const uint8_t nt_response[static MSCHAPV2_NT_RESPONSE_LEN],
                        uint8_t ret[static MSCHAPV2_MASTER_KEY_LEN]);

/* RFC 3079 3.4 GetAsymmetricStartKey for 128-bit keys: Magic2 ("on the
 * client side, this is the send key") when is_send != is_server, Magic3
 * otherwise. */
int mschapv2_asymmetric_start_key(const uint8_t master_key[static MSCHAPV2_MASTER_KEY_LEN],
                                  bool is_send, bool is_server,
                                  uint8_t ret[static MSCHAPV2_MPPE_KEY_LEN]);

/*
 * The EAP-MSCHAPv2 MSK as IKEv2 implementations use it:
 *
 *   MSK = MasterReceiveKey | MasterSendKey | 32 zero bytes     (64 bytes)
 *
 * where the receive and send keys are the *authenticator's* (RFC 3079 3.4
 * with IsServer = TRUE, i.e. the MS-MPPE-Recv-Key and MS-MPPE-Send-Key
 * attributes a RADIUS server hands over), so seen from the peer it is
 *
 *   MSK = PeerSendKey (Magic2) | PeerReceiveKey (Magic3) | 0^32.
 *
 * This is the layout strongSwan's eap-mschapv2 plugin builds on both sides
 * (its "master receive key" is the Magic2 key, its "master send key" the
 * Magic3 one, followed by two 16-byte zero pads), which Windows and
 * wpa_supplicant (first 32 bytes) agree with, and the 64 bytes go into
 * IKEv2's AUTH computation as the shared key (RFC 7296 2.16).
 */
int mschapv2_msk(const uint8_t password_hash[static MSCHAPV2_HASH_LEN],
                 const uint8_t nt_response[static MSCHAPV2_NT_RESPONSE_LEN],
                 uint8_t ret[static MSCHAPV2_MSK_LEN]);
