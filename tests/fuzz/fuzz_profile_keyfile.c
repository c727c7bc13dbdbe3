/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: profile import, keyfile format (client/profile). */
#include "fuzz_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_profile(data, size, PROFILE_FORMAT_KEYFILE);
        return 0;
}
