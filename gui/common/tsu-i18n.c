/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <locale.h>

#include "tsu-i18n.h"

void tsu_i18n_init(void)
{
        const char *dir = g_getenv("TSUNAGU_LOCALEDIR");

        setlocale(LC_ALL, "");
        bindtextdomain(GETTEXT_PACKAGE, dir && *dir ? dir : LOCALEDIR);
        bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
        textdomain(GETTEXT_PACKAGE);
}
