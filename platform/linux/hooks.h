/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test hooks of the platform layer (not for the daemon): a callback after
 * every step of platform_apply(), so a test can stop the process (kill -9)
 * at each point and check that platform_recover() cleans up.
 */
#pragma once

typedef void (*platform_step_hook)(const char *what, void *userdata);

void platform_set_step_hook(platform_step_hook hook, void *userdata);
