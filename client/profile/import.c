/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Format detection and the one import entry point. */
#include <errno.h>
#include <string.h>

#include "cms.h"
#include "internal.h"

enum profile_format profile_detect_format(const void *data, size_t len, const char *filename)
{
        const uint8_t *d = data;
        size_t i = 0;

        if (len >= 8 && memcmp(d, "bplist00", 8) == 0)
                return PROFILE_FORMAT_MOBILECONFIG;
        if (cms_looks_signed(d, len))
                return PROFILE_FORMAT_MOBILECONFIG;
        if (len >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0)
                i = 3;
        while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
                i++;
        if (i < len) {
                switch (d[i]) {
                case '<':
                        return PROFILE_FORMAT_MOBILECONFIG;
                case '{':
                        return PROFILE_FORMAT_SSWAN;
                case '[':
                        /* A keyfile group, or a JSON array (an invalid .sswan). */
                        if (filename && (g_str_has_suffix(filename, ".sswan") ||
                                         g_str_has_suffix(filename, ".json")))
                                return PROFILE_FORMAT_SSWAN;
                        return PROFILE_FORMAT_KEYFILE;
                case '#':
                        return PROFILE_FORMAT_KEYFILE;
                default:
                        break;
                }
        }
        if (filename) {
                if (g_str_has_suffix(filename, ".sswan") || g_str_has_suffix(filename, ".json"))
                        return PROFILE_FORMAT_SSWAN;
                if (g_str_has_suffix(filename, ".mobileconfig") ||
                    g_str_has_suffix(filename, ".plist"))
                        return PROFILE_FORMAT_MOBILECONFIG;
        }
        return PROFILE_FORMAT_KEYFILE;
}

int profile_import(const void *data, size_t len, const struct profile_import_options *opts,
                   struct profile **ret, struct profile_report *report)
{
        static const struct profile_import_options no_options = { 0 };
        struct profile *p = NULL;
        struct import_ctx c;
        enum profile_format fmt;
        bool text;
        int r;

        if (!opts)
                opts = &no_options;
        if (!report->diags)
                profile_report_init(report);
        if (!report->file)
                report->file = g_strdup(opts->filename ? opts->filename : "profile");
        fmt = opts->format != PROFILE_FORMAT_AUTO ? opts->format
                                                  : profile_detect_format(data, len, opts->filename);
        report->format = fmt;
        /* Binary plists and DER signatures are checked by their own parsers. */
        text = !(fmt == PROFILE_FORMAT_MOBILECONFIG &&
                 ((len >= 8 && memcmp(data, "bplist00", 8) == 0) || cms_looks_signed(data, len)));
        r = check_file_bytes(report, data, len, text);
        if (r < 0)
                return r;

        import_ctx_init(&c, report, opts);
        switch (fmt) {
        case PROFILE_FORMAT_SSWAN:
                r = sswan_import(data, len, &c, &p);
                break;
        case PROFILE_FORMAT_MOBILECONFIG:
                r = mobileconfig_import(data, len, &c, &p);
                break;
        default:
                r = keyfile_import(data, len, &c, &p);
                break;
        }
        import_ctx_clear(&c);
        if (r < 0) {
                /* All or nothing: a failed import hands back nothing. */
                profile_free(p);
                if (report->n_errors == 0)
                        report_error(report, PROFILE_E_INTERNAL, "", "import failed (%s)",
                                     g_strerror(-r));
                return r;
        }
        *ret = p;
        return 0;
}
