/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CMS-signed .mobileconfig files (cms.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/common/bytes.h"

struct import_ctx;

/* A DER SignedData, by its first bytes. */
bool cms_looks_signed(const uint8_t *data, size_t len);

/* Verifies the signature and extracts the signed content. Sets
 * c->report->signature and ->signer. Returns 0 (trusted or untrusted, a
 * warning for the latter), -EBADMSG (not SignedData, or the signature does
 * not verify: an error reported), -ENOMEM. */
int cms_unwrap(const uint8_t *data, size_t len, struct import_ctx *c, struct bytes *ret_content);
