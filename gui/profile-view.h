/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TsuProfileView: the right-hand side of the window for one profile: the
 * connect switch, the live status of its session, its settings (read only),
 * the helper's log, export and remove. Emits "message" (GtkMessageType,
 * text) for the window's info bar.
 */
#pragma once

#include <gtk/gtk.h>

#include "gui/common/tsu-client.h"

#define TSU_TYPE_PROFILE_VIEW (tsu_profile_view_get_type())
G_DECLARE_FINAL_TYPE(TsuProfileView, tsu_profile_view, TSU, PROFILE_VIEW, GtkBox)

void tsu_profile_view_set_client(TsuProfileView *v, TsuClient *client);
/* p may be NULL: the placeholder text is shown. */
void tsu_profile_view_set_profile(TsuProfileView *v, TsuProfile *p);
TsuProfile *tsu_profile_view_get_profile(TsuProfileView *v);
void tsu_profile_view_set_placeholder(TsuProfileView *v, const char *text);
/* The profile or its session changed. */
void tsu_profile_view_update(TsuProfileView *v);
