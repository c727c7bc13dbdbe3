/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <gtk/gtk.h>

#include "gui/common/tsu-common-resources.h"
#include "tsu-common.h"

void tsu_common_init(void)
{
        /* A resource in a static library is registered by hand: nothing
         * would pull in a constructor-only object file. */
        tsu_common_register_resource();
        gtk_icon_theme_add_resource_path(gtk_icon_theme_get_default(), "/org/tsunagu/common/icons");
}
