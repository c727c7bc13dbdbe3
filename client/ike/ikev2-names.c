/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names for the numbers of ikev2.h, for logs. */
#include <stdio.h>

#include "client/common/macro.h"
#include "client/ike/ikev2-names.h"
#include "client/ike/ikev2.h"

static const char *lookup(const char *const *names, size_t n, uint32_t base, uint32_t v,
                          char *buf)
{
        if (v >= base && v - base < n && names[v - base])
                return names[v - base];
        snprintf(buf, IKEV2_NAME_BUF, "UNKNOWN(%u)", v);
        return buf;
}

#define LOOKUP(table, base, v, buf) lookup((table), ARRAY_SIZE(table), (base), (v), (buf))

const char *ikev2_exchange_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
                [IKEV2_EXCHANGE_IKE_SA_INIT] = "IKE_SA_INIT",
                [IKEV2_EXCHANGE_IKE_AUTH] = "IKE_AUTH",
                [IKEV2_EXCHANGE_CREATE_CHILD_SA] = "CREATE_CHILD_SA",
                [IKEV2_EXCHANGE_INFORMATIONAL] = "INFORMATIONAL",
                [IKEV2_EXCHANGE_IKE_SESSION_RESUME] = "IKE_SESSION_RESUME",
                [IKEV2_EXCHANGE_IKE_INTERMEDIATE] = "IKE_INTERMEDIATE",
                [IKEV2_EXCHANGE_IKE_FOLLOWUP_KE] = "IKE_FOLLOWUP_KE",
        };
        return LOOKUP(names, 0, v, buf);
}

const char *ikev2_payload_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
                [IKEV2_PAYLOAD_NONE] = "NONE",
                /* RFC 2408: IKEv1 numbers, named so a log says what came in. */
                [1] = "IKEv1-SA",
                [2] = "IKEv1-P",
                [3] = "IKEv1-T",
                [4] = "IKEv1-KE",
                [5] = "IKEv1-ID",
                [6] = "IKEv1-CERT",
                [7] = "IKEv1-CR",
                [8] = "IKEv1-HASH",
                [9] = "IKEv1-SIG",
                [10] = "IKEv1-NONCE",
                [11] = "IKEv1-N",
                [12] = "IKEv1-D",
                [13] = "IKEv1-VID",
                [IKEV2_PAYLOAD_SA] = "SA",
                [IKEV2_PAYLOAD_KE] = "KE",
                [IKEV2_PAYLOAD_IDi] = "IDi",
                [IKEV2_PAYLOAD_IDr] = "IDr",
                [IKEV2_PAYLOAD_CERT] = "CERT",
                [IKEV2_PAYLOAD_CERTREQ] = "CERTREQ",
                [IKEV2_PAYLOAD_AUTH] = "AUTH",
                [IKEV2_PAYLOAD_NONCE] = "Nonce",
                [IKEV2_PAYLOAD_NOTIFY] = "N",
                [IKEV2_PAYLOAD_DELETE] = "D",
                [IKEV2_PAYLOAD_VENDOR] = "V",
                [IKEV2_PAYLOAD_TSi] = "TSi",
                [IKEV2_PAYLOAD_TSr] = "TSr",
                [IKEV2_PAYLOAD_SK] = "SK",
                [IKEV2_PAYLOAD_CP] = "CP",
                [IKEV2_PAYLOAD_EAP] = "EAP",
                [IKEV2_PAYLOAD_GSPM] = "GSPM",
                [IKEV2_PAYLOAD_IDg] = "IDg",
                [IKEV2_PAYLOAD_GSA] = "GSA",
                [IKEV2_PAYLOAD_KD] = "KD",
                [IKEV2_PAYLOAD_SKF] = "SKF",
                [IKEV2_PAYLOAD_PS] = "PS",
        };
        return LOOKUP(names, 0, v, buf);
}

const char *ikev2_notify_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const errors[] = {
                [IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD] = "UNSUPPORTED_CRITICAL_PAYLOAD",
                [IKEV2_N_INVALID_IKE_SPI] = "INVALID_IKE_SPI",
                [IKEV2_N_INVALID_MAJOR_VERSION] = "INVALID_MAJOR_VERSION",
                [IKEV2_N_INVALID_SYNTAX] = "INVALID_SYNTAX",
                [IKEV2_N_INVALID_MESSAGE_ID] = "INVALID_MESSAGE_ID",
                [IKEV2_N_INVALID_SPI] = "INVALID_SPI",
                [IKEV2_N_NO_PROPOSAL_CHOSEN] = "NO_PROPOSAL_CHOSEN",
                [IKEV2_N_INVALID_KE_PAYLOAD] = "INVALID_KE_PAYLOAD",
                [IKEV2_N_AUTHENTICATION_FAILED] = "AUTHENTICATION_FAILED",
                [IKEV2_N_SINGLE_PAIR_REQUIRED] = "SINGLE_PAIR_REQUIRED",
                [IKEV2_N_NO_ADDITIONAL_SAS] = "NO_ADDITIONAL_SAS",
                [IKEV2_N_INTERNAL_ADDRESS_FAILURE] = "INTERNAL_ADDRESS_FAILURE",
                [IKEV2_N_FAILED_CP_REQUIRED] = "FAILED_CP_REQUIRED",
                [IKEV2_N_TS_UNACCEPTABLE] = "TS_UNACCEPTABLE",
                [IKEV2_N_INVALID_SELECTORS] = "INVALID_SELECTORS",
                [IKEV2_N_UNACCEPTABLE_ADDRESSES] = "UNACCEPTABLE_ADDRESSES",
                [IKEV2_N_UNEXPECTED_NAT_DETECTED] = "UNEXPECTED_NAT_DETECTED",
                [IKEV2_N_USE_ASSIGNED_HoA] = "USE_ASSIGNED_HoA",
                [IKEV2_N_TEMPORARY_FAILURE] = "TEMPORARY_FAILURE",
                [IKEV2_N_CHILD_SA_NOT_FOUND] = "CHILD_SA_NOT_FOUND",
                [IKEV2_N_INVALID_GROUP_ID] = "INVALID_GROUP_ID",
                [IKEV2_N_AUTHORIZATION_FAILED] = "AUTHORIZATION_FAILED",
                [IKEV2_N_STATE_NOT_FOUND] = "STATE_NOT_FOUND",
        };
        static const char *const status[] = {
#define S(x) [IKEV2_N_##x - IKEV2_N_INITIAL_CONTACT] = #x
                S(INITIAL_CONTACT),
                S(SET_WINDOW_SIZE),
                S(ADDITIONAL_TS_POSSIBLE),
                S(IPCOMP_SUPPORTED),
                S(NAT_DETECTION_SOURCE_IP),
                S(NAT_DETECTION_DESTINATION_IP),
                S(COOKIE),
                S(USE_TRANSPORT_MODE),
                S(HTTP_CERT_LOOKUP_SUPPORTED),
                S(REKEY_SA),
                S(ESP_TFC_PADDING_NOT_SUPPORTED),
                S(NON_FIRST_FRAGMENTS_ALSO),
                S(MOBIKE_SUPPORTED),
                S(ADDITIONAL_IP4_ADDRESS),
                S(ADDITIONAL_IP6_ADDRESS),
                S(NO_ADDITIONAL_ADDRESSES),
                S(UPDATE_SA_ADDRESSES),
                S(COOKIE2),
                S(NO_NATS_ALLOWED),
                S(AUTH_LIFETIME),
                S(MULTIPLE_AUTH_SUPPORTED),
                S(ANOTHER_AUTH_FOLLOWS),
                S(REDIRECT_SUPPORTED),
                S(REDIRECT),
                S(REDIRECTED_FROM),
                S(TICKET_LT_OPAQUE),
                S(TICKET_REQUEST),
                S(TICKET_ACK),
                S(TICKET_NACK),
                S(TICKET_OPAQUE),
                S(LINK_ID),
                S(USE_WESP_MODE),
                S(ROHC_SUPPORTED),
                S(EAP_ONLY_AUTHENTICATION),
                S(CHILDLESS_IKEV2_SUPPORTED),
                S(QUICK_CRASH_DETECTION),
                S(IKEV2_MESSAGE_ID_SYNC_SUPPORTED),
                S(IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED),
                S(IKEV2_MESSAGE_ID_SYNC),
                S(IPSEC_REPLAY_COUNTER_SYNC),
                S(SECURE_PASSWORD_METHODS),
                S(PSK_PERSIST),
                S(PSK_CONFIRM),
                S(ERX_SUPPORTED),
                S(IFOM_CAPABILITY),
                S(SENDER_REQUEST_ID),
                S(IKEV2_FRAGMENTATION_SUPPORTED),
                S(SIGNATURE_HASH_ALGORITHMS),
                S(CLONE_IKE_SA_SUPPORTED),
                S(CLONE_IKE_SA),
                S(PUZZLE),
                S(USE_PPK),
                S(PPK_IDENTITY),
                S(NO_PPK_AUTH),
                S(INTERMEDIATE_EXCHANGE_SUPPORTED),
                S(IP4_ALLOWED),
                S(IP6_ALLOWED),
                S(ADDITIONAL_KEY_EXCHANGE),
                S(USE_AGGFRAG),
#undef S
        };
        if (v < IKEV2_N_INITIAL_CONTACT)
                return LOOKUP(errors, 0, v, buf);
        return LOOKUP(status, IKEV2_N_INITIAL_CONTACT, v, buf);
}

const char *ikev2_protocol_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
                [0] = "NONE",
                [IKEV2_PROTO_IKE] = "IKE",
                [IKEV2_PROTO_AH] = "AH",
                [IKEV2_PROTO_ESP] = "ESP",
        };
        return LOOKUP(names, 0, v, buf);
}

const char *ikev2_transform_type_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
                [IKEV2_TRANSFORM_ENCR] = "ENCR",
                [IKEV2_TRANSFORM_PRF] = "PRF",
                [IKEV2_TRANSFORM_INTEG] = "INTEG",
                [IKEV2_TRANSFORM_DH] = "KE",
                [IKEV2_TRANSFORM_ESN] = "ESN",
                [6] = "ADDKE1",
                [7] = "ADDKE2",
                [8] = "ADDKE3",
                [9] = "ADDKE4",
                [10] = "ADDKE5",
                [11] = "ADDKE6",
                [12] = "ADDKE7",
        };
        return LOOKUP(names, 0, v, buf);
}

const char *ikev2_encr_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
#define E(x) [IKEV2_ENCR_##x] = #x
                E(DES_IV64),
                E(DES),
                E(3DES),
                E(RC5),
                E(IDEA),
                E(CAST),
                E(BLOWFISH),
                E(3IDEA),
                E(DES_IV32),
                E(NULL),
                E(AES_CBC),
                E(AES_CTR),
                E(AES_CCM_8),
                E(AES_CCM_12),
                E(AES_CCM_16),
                E(AES_GCM_8),
                E(AES_GCM_12),
                E(AES_GCM_16),
                E(NULL_AUTH_AES_GMAC),
                E(CAMELLIA_CBC),
                E(CAMELLIA_CTR),
                E(CAMELLIA_CCM_8),
                E(CAMELLIA_CCM_12),
                E(CAMELLIA_CCM_16),
                E(CHACHA20_POLY1305),
#undef E
        };
        return LOOKUP(names, 0, v, buf);
}

const char *ikev2_prf_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
                [IKEV2_PRF_HMAC_MD5] = "HMAC_MD5",
                [IKEV2_PRF_HMAC_SHA1] = "HMAC_SHA1",
                [IKEV2_PRF_HMAC_TIGER] = "HMAC_TIGER",
                [IKEV2_PRF_AES128_XCBC] = "AES128_XCBC",
                [IKEV2_PRF_HMAC_SHA2_256] = "HMAC_SHA2_256",
                [IKEV2_PRF_HMAC_SHA2_384] = "HMAC_SHA2_384",
                [IKEV2_PRF_HMAC_SHA2_512] = "HMAC_SHA2_512",
                [IKEV2_PRF_AES128_CMAC] = "AES128_CMAC",
        };
        return LOOKUP(names, 0, v, buf);
}

const char *ikev2_integ_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
#define I(x) [IKEV2_INTEG_##x] = #x
                I(NONE),
                I(HMAC_MD5_96),
                I(HMAC_SHA1_96),
                I(DES_MAC),
                I(KPDK_MD5),
                I(AES_XCBC_96),
                I(HMAC_MD5_128),
                I(HMAC_SHA1_160),
                I(AES_CMAC_96),
                I(AES_128_GMAC),
                I(AES_192_GMAC),
                I(AES_256_GMAC),
                I(HMAC_SHA2_256_128),
                I(HMAC_SHA2_384_192),
                I(HMAC_SHA2_512_256),
#undef I
        };
        return LOOKUP(names, 0, v, buf);
}

const char *ikev2_dh_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
#define D(x) [IKEV2_DH_##x] = #x
                D(NONE),
                D(MODP768),
                D(MODP1024),
                D(MODP1536),
                D(MODP2048),
                D(MODP3072),
                D(MODP4096),
                D(MODP6144),
                D(MODP8192),
                D(ECP256),
                D(ECP384),
                D(ECP521),
                D(MODP1024_160),
                D(MODP2048_224),
                D(MODP2048_256),
                D(ECP192),
                D(ECP224),
                D(BRAINPOOL224),
                D(BRAINPOOL256),
                D(BRAINPOOL384),
                D(BRAINPOOL512),
                D(CURVE25519),
                D(CURVE448),
#undef D
        };
        return LOOKUP(names, 0, v, buf);
}

const char *ikev2_esn_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
                [IKEV2_ESN_NO] = "NO_ESN",
                [IKEV2_ESN_YES] = "ESN",
        };
        return LOOKUP(names, 0, v, buf);
}

const char *ikev2_transform_id_name(uint32_t type, uint32_t id, char buf[static IKEV2_NAME_BUF])
{
        switch (type) {
        case IKEV2_TRANSFORM_ENCR:
                return ikev2_encr_name(id, buf);
        case IKEV2_TRANSFORM_PRF:
                return ikev2_prf_name(id, buf);
        case IKEV2_TRANSFORM_INTEG:
                return ikev2_integ_name(id, buf);
        case IKEV2_TRANSFORM_ESN:
                return ikev2_esn_name(id, buf);
        default:
                if (type == IKEV2_TRANSFORM_DH ||
                    (type >= IKEV2_TRANSFORM_ADDKE1 && type <= IKEV2_TRANSFORM_ADDKE7))
                        return ikev2_dh_name(id, buf);
                snprintf(buf, IKEV2_NAME_BUF, "UNKNOWN(%u)", id);
                return buf;
        }
}

const char *ikev2_id_type_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
                [IKEV2_ID_IPV4_ADDR] = "ID_IPV4_ADDR",
                [IKEV2_ID_FQDN] = "ID_FQDN",
                [IKEV2_ID_RFC822_ADDR] = "ID_RFC822_ADDR",
                [IKEV2_ID_IPV6_ADDR] = "ID_IPV6_ADDR",
                [IKEV2_ID_DER_ASN1_DN] = "ID_DER_ASN1_DN",
                [IKEV2_ID_DER_ASN1_GN] = "ID_DER_ASN1_GN",
                [IKEV2_ID_KEY_ID] = "ID_KEY_ID",
                [IKEV2_ID_FC_NAME] = "ID_FC_NAME",
                [IKEV2_ID_NULL] = "ID_NULL",
        };
        return LOOKUP(names, 0, v, buf);
}

const char *ikev2_auth_method_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
                [IKEV2_AUTH_RSA_SIG] = "RSA_SIG",
                [IKEV2_AUTH_SHARED_KEY_MIC] = "SHARED_KEY_MIC",
                [IKEV2_AUTH_DSS_SIG] = "DSS_SIG",
                [IKEV2_AUTH_ECDSA_SHA256_P256] = "ECDSA_SHA256_P256",
                [IKEV2_AUTH_ECDSA_SHA384_P384] = "ECDSA_SHA384_P384",
                [IKEV2_AUTH_ECDSA_SHA512_P521] = "ECDSA_SHA512_P521",
                [IKEV2_AUTH_GSPAM] = "GSPAM",
                [IKEV2_AUTH_NULL] = "NULL",
                [IKEV2_AUTH_DIGITAL_SIGNATURE] = "DIGITAL_SIGNATURE",
        };
        return LOOKUP(names, 0, v, buf);
}

const char *ikev2_cert_encoding_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
                [IKEV2_CERT_PKCS7_X509] = "PKCS7_X509",
                [IKEV2_CERT_PGP] = "PGP",
                [IKEV2_CERT_DNS_SIGNED_KEY] = "DNS_SIGNED_KEY",
                [IKEV2_CERT_X509_SIGNATURE] = "X509_SIGNATURE",
                [IKEV2_CERT_KERBEROS] = "KERBEROS",
                [IKEV2_CERT_CRL] = "CRL",
                [IKEV2_CERT_ARL] = "ARL",
                [IKEV2_CERT_SPKI] = "SPKI",
                [IKEV2_CERT_X509_ATTRIBUTE] = "X509_ATTRIBUTE",
                [IKEV2_CERT_RAW_RSA_KEY] = "RAW_RSA_KEY",
                [IKEV2_CERT_HASH_URL_X509] = "HASH_URL_X509",
                [IKEV2_CERT_HASH_URL_BUNDLE] = "HASH_URL_BUNDLE",
                [IKEV2_CERT_OCSP_CONTENT] = "OCSP_CONTENT",
                [IKEV2_CERT_RAW_PUBLIC_KEY] = "RAW_PUBLIC_KEY",
        };
        return LOOKUP(names, 0, v, buf);
}

const char *ikev2_ts_type_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
                [IKEV2_TS_IPV4_ADDR_RANGE] = "TS_IPV4_ADDR_RANGE",
                [IKEV2_TS_IPV6_ADDR_RANGE] = "TS_IPV6_ADDR_RANGE",
                [IKEV2_TS_FC_ADDR_RANGE] = "TS_FC_ADDR_RANGE",
                [IKEV2_TS_SECLABEL] = "TS_SECLABEL",
        };
        return LOOKUP(names, 0, v, buf);
}

const char *ikev2_cfg_type_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
                [IKEV2_CFG_REQUEST] = "CFG_REQUEST",
                [IKEV2_CFG_REPLY] = "CFG_REPLY",
                [IKEV2_CFG_SET] = "CFG_SET",
                [IKEV2_CFG_ACK] = "CFG_ACK",
        };
        return LOOKUP(names, 0, v, buf);
}

const char *ikev2_cfg_attr_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
#define C(x) [IKEV2_CFG_##x] = #x
                C(INTERNAL_IP4_ADDRESS),
                C(INTERNAL_IP4_NETMASK),
                C(INTERNAL_IP4_DNS),
                C(INTERNAL_IP4_NBNS),
                C(INTERNAL_IP4_DHCP),
                C(APPLICATION_VERSION),
                C(INTERNAL_IP6_ADDRESS),
                C(INTERNAL_IP6_DNS),
                C(INTERNAL_IP6_DHCP),
                C(INTERNAL_IP4_SUBNET),
                C(SUPPORTED_ATTRIBUTES),
                C(INTERNAL_IP6_SUBNET),
                C(MIP6_HOME_PREFIX),
                C(INTERNAL_IP6_LINK),
                C(INTERNAL_IP6_PREFIX),
                C(HOME_AGENT_ADDRESS),
                C(P_CSCF_IP4_ADDRESS),
                C(P_CSCF_IP6_ADDRESS),
                C(FTT_KAT),
                C(EXTERNAL_SOURCE_IP4_NAT_INFO),
                C(TIMEOUT_PERIOD_FOR_LIVENESS_CHECK),
                C(INTERNAL_DNS_DOMAIN),
                C(INTERNAL_DNSSEC_TA),
#undef C
        };
        return LOOKUP(names, 0, v, buf);
}

const char *ikev2_hash_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
                [IKEV2_HASH_SHA1] = "SHA1",
                [IKEV2_HASH_SHA2_256] = "SHA2_256",
                [IKEV2_HASH_SHA2_384] = "SHA2_384",
                [IKEV2_HASH_SHA2_512] = "SHA2_512",
                [IKEV2_HASH_IDENTITY] = "IDENTITY",
        };
        return LOOKUP(names, 0, v, buf);
}

const char *eap_code_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
                [EAP_CODE_REQUEST] = "Request",
                [EAP_CODE_RESPONSE] = "Response",
                [EAP_CODE_SUCCESS] = "Success",
                [EAP_CODE_FAILURE] = "Failure",
                [EAP_CODE_INITIATE] = "Initiate",
                [EAP_CODE_FINISH] = "Finish",
        };
        return LOOKUP(names, 0, v, buf);
}

const char *eap_type_name(uint32_t v, char buf[static IKEV2_NAME_BUF])
{
        static const char *const names[] = {
                [EAP_TYPE_IDENTITY] = "Identity",
                [EAP_TYPE_NOTIFICATION] = "Notification",
                [EAP_TYPE_NAK] = "Nak",
                [EAP_TYPE_MD5] = "MD5-Challenge",
                [EAP_TYPE_OTP] = "OTP",
                [EAP_TYPE_GTC] = "GTC",
                [EAP_TYPE_TLS] = "EAP-TLS",
                [EAP_TYPE_SIM] = "EAP-SIM",
                [EAP_TYPE_TTLS] = "EAP-TTLS",
                [EAP_TYPE_AKA] = "EAP-AKA",
                [EAP_TYPE_PEAP] = "PEAP",
                [EAP_TYPE_MSCHAPV2] = "EAP-MSCHAPv2",
                [EAP_TYPE_AKA_PRIME] = "EAP-AKA'",
                [EAP_TYPE_EXPANDED] = "Expanded",
        };
        return LOOKUP(names, 0, v, buf);
}
