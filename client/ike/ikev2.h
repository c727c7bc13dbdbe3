/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IKEv2 protocol numbers: RFC 7296 and the IANA "Internet Key Exchange
 * Version 2 (IKEv2) Parameters" registry, plus the RFCs cited per group.
 * Only numbers here; names for logs are in ikev2-names.c.
 */
#pragma once

#include <stdint.h>

#define IKEV2_MAJOR_VERSION 2
#define IKEV2_MINOR_VERSION 0
#define IKEV2_VERSION       0x20

#define IKEV2_HEADER_LEN         28 /* RFC 7296 3.1 */
#define IKEV2_PAYLOAD_HEADER_LEN 4  /* RFC 7296 3.2 */
#define IKEV2_SPI_LEN            8
#define IKEV2_NON_ESP_MARKER_LEN 4 /* RFC 3948 2.2: four zero octets before IKE on 4500 */
#define IKEV2_NATT_KEEPALIVE     0xff /* RFC 3948 2.3 */
#define IKEV2_PORT               500
#define IKEV2_NATT_PORT          4500

/* RFC 7296 3.1: header flags */
enum {
        IKEV2_FLAG_INITIATOR = 0x08,
        IKEV2_FLAG_VERSION   = 0x10,
        IKEV2_FLAG_RESPONSE  = 0x20,
};

/* RFC 7296 3.2: the critical bit in the generic payload header */
#define IKEV2_PAYLOAD_CRITICAL 0x80

enum ikev2_exchange {
        IKEV2_EXCHANGE_IKE_SA_INIT        = 34,
        IKEV2_EXCHANGE_IKE_AUTH           = 35,
        IKEV2_EXCHANGE_CREATE_CHILD_SA    = 36,
        IKEV2_EXCHANGE_INFORMATIONAL      = 37,
        IKEV2_EXCHANGE_IKE_SESSION_RESUME = 38, /* RFC 5723 */
        IKEV2_EXCHANGE_IKE_INTERMEDIATE   = 43, /* RFC 9242 */
        IKEV2_EXCHANGE_IKE_FOLLOWUP_KE    = 44, /* RFC 9370 */
};

enum ikev2_payload_type {
        IKEV2_PAYLOAD_NONE  = 0,
        IKEV2_PAYLOAD_SA    = 33,
        IKEV2_PAYLOAD_KE    = 34,
        IKEV2_PAYLOAD_IDi   = 35,
        IKEV2_PAYLOAD_IDr   = 36,
        IKEV2_PAYLOAD_CERT  = 37,
        IKEV2_PAYLOAD_CERTREQ = 38,
        IKEV2_PAYLOAD_AUTH  = 39,
        IKEV2_PAYLOAD_NONCE = 40,
        IKEV2_PAYLOAD_NOTIFY = 41,
        IKEV2_PAYLOAD_DELETE = 42,
        IKEV2_PAYLOAD_VENDOR = 43,
        IKEV2_PAYLOAD_TSi   = 44,
        IKEV2_PAYLOAD_TSr   = 45,
        IKEV2_PAYLOAD_SK    = 46,
        IKEV2_PAYLOAD_CP    = 47,
        IKEV2_PAYLOAD_EAP   = 48,
        IKEV2_PAYLOAD_GSPM  = 49, /* RFC 6467 */
        IKEV2_PAYLOAD_IDg   = 50, /* RFC 9838 (G-IKEv2) */
        IKEV2_PAYLOAD_GSA   = 51, /* RFC 9838 */
        IKEV2_PAYLOAD_KD    = 52, /* RFC 9838 */
        IKEV2_PAYLOAD_SKF   = 53, /* RFC 7383 */
        IKEV2_PAYLOAD_PS    = 54, /* RFC 8019 puzzle solution */
};

/* IKEv1 payload numbers (RFC 2408): seeing them inside IKEv2 is a protocol error. */
#define IKEV1_PAYLOAD_FIRST 1
#define IKEV1_PAYLOAD_LAST  13

enum ikev2_protocol_id {
        IKEV2_PROTO_IKE = 1,
        IKEV2_PROTO_AH  = 2,
        IKEV2_PROTO_ESP = 3,
};

/* RFC 7296 3.3.2 */
enum ikev2_transform_type {
        IKEV2_TRANSFORM_ENCR  = 1,
        IKEV2_TRANSFORM_PRF   = 2,
        IKEV2_TRANSFORM_INTEG = 3,
        IKEV2_TRANSFORM_DH    = 4, /* "Key Exchange Method" since RFC 9370 */
        IKEV2_TRANSFORM_ESN   = 5,
        /* RFC 9370: additional key exchanges 1..7 (types 6..12), IDs as for type 4 */
        IKEV2_TRANSFORM_ADDKE1 = 6,
        IKEV2_TRANSFORM_ADDKE7 = 12,
};

#define IKEV2_ATTR_KEY_LENGTH 14     /* RFC 7296 3.3.5, always TV format */
#define IKEV2_ATTR_FORMAT_TV  0x8000 /* AF bit */

enum ikev2_encr {
        IKEV2_ENCR_DES_IV64          = 1,
        IKEV2_ENCR_DES               = 2,
        IKEV2_ENCR_3DES              = 3,
        IKEV2_ENCR_RC5               = 4,
        IKEV2_ENCR_IDEA              = 5,
        IKEV2_ENCR_CAST              = 6,
        IKEV2_ENCR_BLOWFISH          = 7,
        IKEV2_ENCR_3IDEA             = 8,
        IKEV2_ENCR_DES_IV32          = 9,
        IKEV2_ENCR_NULL              = 11,
        IKEV2_ENCR_AES_CBC           = 12,
        IKEV2_ENCR_AES_CTR           = 13,
        IKEV2_ENCR_AES_CCM_8         = 14,
        IKEV2_ENCR_AES_CCM_12        = 15,
        IKEV2_ENCR_AES_CCM_16        = 16,
        IKEV2_ENCR_AES_GCM_8         = 18, /* RFC 4106 / RFC 5282 */
        IKEV2_ENCR_AES_GCM_12        = 19,
        IKEV2_ENCR_AES_GCM_16        = 20,
        IKEV2_ENCR_NULL_AUTH_AES_GMAC = 21,
        IKEV2_ENCR_CAMELLIA_CBC      = 23,
        IKEV2_ENCR_CAMELLIA_CTR      = 24,
        IKEV2_ENCR_CAMELLIA_CCM_8    = 25,
        IKEV2_ENCR_CAMELLIA_CCM_12   = 26,
        IKEV2_ENCR_CAMELLIA_CCM_16   = 27,
        IKEV2_ENCR_CHACHA20_POLY1305 = 28, /* RFC 7634 */
};

enum ikev2_prf {
        IKEV2_PRF_HMAC_MD5      = 1,
        IKEV2_PRF_HMAC_SHA1     = 2,
        IKEV2_PRF_HMAC_TIGER    = 3,
        IKEV2_PRF_AES128_XCBC   = 4,
        IKEV2_PRF_HMAC_SHA2_256 = 5, /* RFC 4868 */
        IKEV2_PRF_HMAC_SHA2_384 = 6,
        IKEV2_PRF_HMAC_SHA2_512 = 7,
        IKEV2_PRF_AES128_CMAC   = 8, /* RFC 4615 */
};

enum ikev2_integ {
        IKEV2_INTEG_NONE              = 0,
        IKEV2_INTEG_HMAC_MD5_96       = 1,
        IKEV2_INTEG_HMAC_SHA1_96      = 2,
        IKEV2_INTEG_DES_MAC           = 3,
        IKEV2_INTEG_KPDK_MD5          = 4,
        IKEV2_INTEG_AES_XCBC_96       = 5,
        IKEV2_INTEG_HMAC_MD5_128      = 6,
        IKEV2_INTEG_HMAC_SHA1_160     = 7,
        IKEV2_INTEG_AES_CMAC_96       = 8,
        IKEV2_INTEG_AES_128_GMAC      = 9,
        IKEV2_INTEG_AES_192_GMAC      = 10,
        IKEV2_INTEG_AES_256_GMAC      = 11,
        IKEV2_INTEG_HMAC_SHA2_256_128 = 12, /* RFC 4868 */
        IKEV2_INTEG_HMAC_SHA2_384_192 = 13,
        IKEV2_INTEG_HMAC_SHA2_512_256 = 14,
};

enum ikev2_dh_group {
        IKEV2_DH_NONE         = 0,
        IKEV2_DH_MODP768      = 1,
        IKEV2_DH_MODP1024     = 2,
        IKEV2_DH_MODP1536     = 5,
        IKEV2_DH_MODP2048     = 14, /* RFC 3526 */
        IKEV2_DH_MODP3072     = 15,
        IKEV2_DH_MODP4096     = 16,
        IKEV2_DH_MODP6144     = 17,
        IKEV2_DH_MODP8192     = 18,
        IKEV2_DH_ECP256       = 19, /* RFC 5903 */
        IKEV2_DH_ECP384       = 20,
        IKEV2_DH_ECP521       = 21,
        IKEV2_DH_MODP1024_160 = 22, /* RFC 5114 */
        IKEV2_DH_MODP2048_224 = 23,
        IKEV2_DH_MODP2048_256 = 24,
        IKEV2_DH_ECP192       = 25,
        IKEV2_DH_ECP224       = 26,
        IKEV2_DH_BRAINPOOL224 = 27, /* RFC 6954 */
        IKEV2_DH_BRAINPOOL256 = 28,
        IKEV2_DH_BRAINPOOL384 = 29,
        IKEV2_DH_BRAINPOOL512 = 30,
        IKEV2_DH_CURVE25519   = 31, /* RFC 8031 */
        IKEV2_DH_CURVE448     = 32,
};

enum ikev2_esn {
        IKEV2_ESN_NO  = 0,
        IKEV2_ESN_YES = 1,
};

/* RFC 7296 3.5 */
enum ikev2_id_type {
        IKEV2_ID_IPV4_ADDR   = 1,
        IKEV2_ID_FQDN        = 2,
        IKEV2_ID_RFC822_ADDR = 3,
        IKEV2_ID_IPV6_ADDR   = 5,
        IKEV2_ID_DER_ASN1_DN = 9,
        IKEV2_ID_DER_ASN1_GN = 10,
        IKEV2_ID_KEY_ID      = 11,
        IKEV2_ID_FC_NAME     = 12, /* RFC 4595 */
        IKEV2_ID_NULL        = 13, /* RFC 7619 */
};

/* RFC 7296 3.6 */
enum ikev2_cert_encoding {
        IKEV2_CERT_PKCS7_X509      = 1,
        IKEV2_CERT_PGP             = 2,
        IKEV2_CERT_DNS_SIGNED_KEY  = 3,
        IKEV2_CERT_X509_SIGNATURE  = 4,
        IKEV2_CERT_KERBEROS        = 6,
        IKEV2_CERT_CRL             = 7,
        IKEV2_CERT_ARL             = 8,
        IKEV2_CERT_SPKI            = 9,
        IKEV2_CERT_X509_ATTRIBUTE  = 10,
        IKEV2_CERT_RAW_RSA_KEY     = 11,
        IKEV2_CERT_HASH_URL_X509   = 12,
        IKEV2_CERT_HASH_URL_BUNDLE = 13,
        IKEV2_CERT_OCSP_CONTENT    = 14, /* RFC 4806 */
        IKEV2_CERT_RAW_PUBLIC_KEY  = 15, /* RFC 7670 */
};

/* RFC 7296 3.8, RFC 4754, RFC 7427 */
enum ikev2_auth_method {
        IKEV2_AUTH_RSA_SIG           = 1,
        IKEV2_AUTH_SHARED_KEY_MIC    = 2,
        IKEV2_AUTH_DSS_SIG           = 3,
        IKEV2_AUTH_ECDSA_SHA256_P256 = 9,
        IKEV2_AUTH_ECDSA_SHA384_P384 = 10,
        IKEV2_AUTH_ECDSA_SHA512_P521 = 11,
        IKEV2_AUTH_GSPAM             = 12,
        IKEV2_AUTH_NULL              = 13, /* RFC 7619 */
        IKEV2_AUTH_DIGITAL_SIGNATURE = 14, /* RFC 7427 */
};

/* RFC 7427 4: hash algorithms in SIGNATURE_HASH_ALGORITHMS */
enum ikev2_hash_algorithm {
        IKEV2_HASH_SHA1     = 1,
        IKEV2_HASH_SHA2_256 = 2,
        IKEV2_HASH_SHA2_384 = 3,
        IKEV2_HASH_SHA2_512 = 4,
        IKEV2_HASH_IDENTITY = 5, /* RFC 8420, Ed25519/Ed448 */
};

/* RFC 7296 3.10.1 and the IANA registry. Errors are < 16384, status >= 16384. */
enum ikev2_notify_type {
        IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD  = 1,
        IKEV2_N_INVALID_IKE_SPI               = 4,
        IKEV2_N_INVALID_MAJOR_VERSION         = 5,
        IKEV2_N_INVALID_SYNTAX                = 7,
        IKEV2_N_INVALID_MESSAGE_ID            = 9,
        IKEV2_N_INVALID_SPI                   = 11,
        IKEV2_N_NO_PROPOSAL_CHOSEN            = 14,
        IKEV2_N_INVALID_KE_PAYLOAD            = 17,
        IKEV2_N_AUTHENTICATION_FAILED         = 24,
        IKEV2_N_SINGLE_PAIR_REQUIRED          = 34,
        IKEV2_N_NO_ADDITIONAL_SAS             = 35,
        IKEV2_N_INTERNAL_ADDRESS_FAILURE      = 36,
        IKEV2_N_FAILED_CP_REQUIRED            = 37,
        IKEV2_N_TS_UNACCEPTABLE               = 38,
        IKEV2_N_INVALID_SELECTORS             = 39,
        IKEV2_N_UNACCEPTABLE_ADDRESSES        = 40, /* RFC 4555 */
        IKEV2_N_UNEXPECTED_NAT_DETECTED       = 41, /* RFC 4555 */
        IKEV2_N_USE_ASSIGNED_HoA              = 42, /* RFC 5026 */
        IKEV2_N_TEMPORARY_FAILURE             = 43,
        IKEV2_N_CHILD_SA_NOT_FOUND            = 44,
        IKEV2_N_INVALID_GROUP_ID              = 45, /* RFC 9838 (G-IKEv2) */
        IKEV2_N_AUTHORIZATION_FAILED          = 46, /* RFC 9838 */
        IKEV2_N_STATE_NOT_FOUND               = 47, /* RFC 8019 */

        IKEV2_N_ERROR_MAX                     = 16383,

        IKEV2_N_INITIAL_CONTACT               = 16384,
        IKEV2_N_SET_WINDOW_SIZE               = 16385,
        IKEV2_N_ADDITIONAL_TS_POSSIBLE        = 16386,
        IKEV2_N_IPCOMP_SUPPORTED              = 16387,
        IKEV2_N_NAT_DETECTION_SOURCE_IP       = 16388,
        IKEV2_N_NAT_DETECTION_DESTINATION_IP  = 16389,
        IKEV2_N_COOKIE                        = 16390,
        IKEV2_N_USE_TRANSPORT_MODE            = 16391,
        IKEV2_N_HTTP_CERT_LOOKUP_SUPPORTED    = 16392,
        IKEV2_N_REKEY_SA                      = 16393,
        IKEV2_N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394,
        IKEV2_N_NON_FIRST_FRAGMENTS_ALSO      = 16395,
        IKEV2_N_MOBIKE_SUPPORTED              = 16396, /* RFC 4555 */
        IKEV2_N_ADDITIONAL_IP4_ADDRESS        = 16397,
        IKEV2_N_ADDITIONAL_IP6_ADDRESS        = 16398,
        IKEV2_N_NO_ADDITIONAL_ADDRESSES       = 16399,
        IKEV2_N_UPDATE_SA_ADDRESSES           = 16400,
        IKEV2_N_COOKIE2                       = 16401,
        IKEV2_N_NO_NATS_ALLOWED               = 16402,
        IKEV2_N_AUTH_LIFETIME                 = 16403, /* RFC 4478 */
        IKEV2_N_MULTIPLE_AUTH_SUPPORTED       = 16404, /* RFC 4739 */
        IKEV2_N_ANOTHER_AUTH_FOLLOWS          = 16405,
        IKEV2_N_REDIRECT_SUPPORTED            = 16406, /* RFC 5685 */
        IKEV2_N_REDIRECT                      = 16407,
        IKEV2_N_REDIRECTED_FROM               = 16408,
        IKEV2_N_TICKET_LT_OPAQUE              = 16409, /* RFC 5723 */
        IKEV2_N_TICKET_REQUEST                = 16410,
        IKEV2_N_TICKET_ACK                    = 16411,
        IKEV2_N_TICKET_NACK                   = 16412,
        IKEV2_N_TICKET_OPAQUE                 = 16413,
        IKEV2_N_LINK_ID                       = 16414,
        IKEV2_N_USE_WESP_MODE                 = 16415,
        IKEV2_N_ROHC_SUPPORTED                = 16416,
        IKEV2_N_EAP_ONLY_AUTHENTICATION       = 16417, /* RFC 5998 */
        IKEV2_N_CHILDLESS_IKEV2_SUPPORTED     = 16418,
        IKEV2_N_QUICK_CRASH_DETECTION         = 16419,
        IKEV2_N_IKEV2_MESSAGE_ID_SYNC_SUPPORTED = 16420,
        IKEV2_N_IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED = 16421,
        IKEV2_N_IKEV2_MESSAGE_ID_SYNC         = 16422,
        IKEV2_N_IPSEC_REPLAY_COUNTER_SYNC     = 16423,
        IKEV2_N_SECURE_PASSWORD_METHODS       = 16424,
        IKEV2_N_PSK_PERSIST                   = 16425,
        IKEV2_N_PSK_CONFIRM                   = 16426,
        IKEV2_N_ERX_SUPPORTED                 = 16427,
        IKEV2_N_IFOM_CAPABILITY               = 16428,
        IKEV2_N_SENDER_REQUEST_ID             = 16429,
        IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED = 16430, /* RFC 7383 */
        IKEV2_N_SIGNATURE_HASH_ALGORITHMS     = 16431, /* RFC 7427 */
        IKEV2_N_CLONE_IKE_SA_SUPPORTED        = 16432,
        IKEV2_N_CLONE_IKE_SA                  = 16433,
        IKEV2_N_PUZZLE                        = 16434,
        IKEV2_N_USE_PPK                       = 16435, /* RFC 8784 */
        IKEV2_N_PPK_IDENTITY                  = 16436,
        IKEV2_N_NO_PPK_AUTH                   = 16437,
        IKEV2_N_INTERMEDIATE_EXCHANGE_SUPPORTED = 16438, /* RFC 9242 */
        IKEV2_N_IP4_ALLOWED                   = 16439, /* RFC 8983 */
        IKEV2_N_IP6_ALLOWED                   = 16440,
        IKEV2_N_ADDITIONAL_KEY_EXCHANGE       = 16441, /* RFC 9370 */
        IKEV2_N_USE_AGGFRAG                   = 16442, /* RFC 9347 */
};

/* RFC 5685 10: gateway identity types in REDIRECT */
enum ikev2_gw_ident_type {
        IKEV2_GW_IPV4 = 1,
        IKEV2_GW_IPV6 = 2,
        IKEV2_GW_FQDN = 3,
};

/* RFC 7296 3.13.1 */
enum ikev2_ts_type {
        IKEV2_TS_IPV4_ADDR_RANGE = 7,
        IKEV2_TS_IPV6_ADDR_RANGE = 8,
        IKEV2_TS_FC_ADDR_RANGE   = 9,  /* RFC 4595 */
        IKEV2_TS_SECLABEL        = 10, /* RFC 9478 */
};

/* RFC 7296 3.15 */
enum ikev2_cfg_type {
        IKEV2_CFG_REQUEST = 1,
        IKEV2_CFG_REPLY   = 2,
        IKEV2_CFG_SET     = 3,
        IKEV2_CFG_ACK     = 4,
};

/* RFC 7296 3.15.1, RFC 8598 */
enum ikev2_cfg_attr {
        IKEV2_CFG_INTERNAL_IP4_ADDRESS = 1,
        IKEV2_CFG_INTERNAL_IP4_NETMASK = 2,
        IKEV2_CFG_INTERNAL_IP4_DNS     = 3,
        IKEV2_CFG_INTERNAL_IP4_NBNS    = 4,
        IKEV2_CFG_INTERNAL_IP4_DHCP    = 6,
        IKEV2_CFG_APPLICATION_VERSION  = 7,
        IKEV2_CFG_INTERNAL_IP6_ADDRESS = 8,
        IKEV2_CFG_INTERNAL_IP6_DNS     = 10,
        IKEV2_CFG_INTERNAL_IP6_DHCP    = 12,
        IKEV2_CFG_INTERNAL_IP4_SUBNET  = 13,
        IKEV2_CFG_SUPPORTED_ATTRIBUTES = 14,
        IKEV2_CFG_INTERNAL_IP6_SUBNET  = 15,
        IKEV2_CFG_MIP6_HOME_PREFIX     = 16,
        IKEV2_CFG_INTERNAL_IP6_LINK    = 17,
        IKEV2_CFG_INTERNAL_IP6_PREFIX  = 18,
        IKEV2_CFG_HOME_AGENT_ADDRESS   = 19,
        IKEV2_CFG_P_CSCF_IP4_ADDRESS   = 20,
        IKEV2_CFG_P_CSCF_IP6_ADDRESS   = 21,
        IKEV2_CFG_FTT_KAT              = 22,
        IKEV2_CFG_EXTERNAL_SOURCE_IP4_NAT_INFO = 23,
        IKEV2_CFG_TIMEOUT_PERIOD_FOR_LIVENESS_CHECK = 24,
        IKEV2_CFG_INTERNAL_DNS_DOMAIN  = 25, /* RFC 8598 */
        IKEV2_CFG_INTERNAL_DNSSEC_TA   = 26, /* RFC 8598 */
};

/* RFC 3748 4, EAP codes and the method types we know */
enum eap_code {
        EAP_CODE_REQUEST  = 1,
        EAP_CODE_RESPONSE = 2,
        EAP_CODE_SUCCESS  = 3,
        EAP_CODE_FAILURE  = 4,
        EAP_CODE_INITIATE = 5, /* RFC 6696 (ERP), not used inside IKEv2 */
        EAP_CODE_FINISH   = 6,
};

enum eap_type {
        EAP_TYPE_IDENTITY     = 1,
        EAP_TYPE_NOTIFICATION = 2,
        EAP_TYPE_NAK          = 3,
        EAP_TYPE_MD5          = 4,
        EAP_TYPE_OTP          = 5,
        EAP_TYPE_GTC          = 6,
        EAP_TYPE_TLS          = 13, /* RFC 5216 */
        EAP_TYPE_SIM          = 18, /* RFC 4186 */
        EAP_TYPE_TTLS         = 21,
        EAP_TYPE_AKA          = 23, /* RFC 4187 */
        EAP_TYPE_PEAP         = 25,
        EAP_TYPE_MSCHAPV2     = 26,
        EAP_TYPE_AKA_PRIME    = 50, /* RFC 5448 */
        EAP_TYPE_EXPANDED     = 254,
};
