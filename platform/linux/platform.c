/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * platform_apply / platform_revert / platform_recover: the order of the
 * changes, the journal around them, and rollback.
 *
 * Order of apply (each step journaled first):
 *   1. kill switch (so nothing leaks while the rest is set up)
 *   2. link: MTU and up (the old values are journaled)
 *   3. addresses
 *   4. routes in table T, then the policy rules pointing at it
 *   5. DNS
 * Revert and recovery walk the journal backwards.
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/common/macro.h"
#include "platform/linux/dns.h"
#include "platform/linux/journal.h"
#include "platform/linux/killswitch.h"
#include "platform/linux/netconf.h"
#include "platform/linux/nl.h"
#include "platform/linux/plan.h"
#include "platform/linux/hooks.h"

struct platform_state {
        char *state_dir;
        GDBusConnection *bus; /* as given; NULL: the system bus when needed */
        struct journal *journal;
        bool kill_switch;
        bool always_on;
};

/* A test hook: stop (raise SIGKILL on ourselves via the callback) after N
 * journaled steps, to test crash recovery at every point. */
static platform_step_hook step_hook;
static void *step_hook_data;

void platform_set_step_hook(platform_step_hook hook, void *userdata)
{
        step_hook = hook;
        step_hook_data = userdata;
}

static void step_done(const char *what)
{
        if (step_hook)
                step_hook(what, step_hook_data);
}

void platform_config_init(struct platform_config *cfg)
{
        *cfg = (struct platform_config){
                .state_dir = PLATFORM_STATE_DIR,
                .resolv_conf = PLATFORM_RESOLV_CONF,
                .fwmark = PLATFORM_FWMARK_DEFAULT,
                .table = PLATFORM_TABLE_DEFAULT,
                .rule_priority = PLATFORM_PRIORITY_DEFAULT,
                .mode = PLATFORM_TUNNEL_FULL,
                .kill_switch = true,
                .dns_backend = PLATFORM_DNS_AUTO,
                .gateway_port = 4500,
        };
}

void platform_state_free(struct platform_state *state)
{
        if (!state)
                return;
        journal_free(state->journal);
        g_clear_object(&state->bus);
        g_free(state->state_dir);
        g_free(state);
}

const char *platform_state_journal_path(const struct platform_state *state)
{
        return journal_path(state->journal);
}

/* Undoes one journaled operation. */
static int undo_op(struct nl *nl, GDBusConnection *bus, const struct op *op, GError **error)
{
        g_autoptr(GDBusConnection) b = NULL;
        g_autoptr(GError) e = NULL;
        int r;

        switch (op->kind) {
        case OP_LINK:
                r = netconf_link_set(nl, op->ifindex, op->old_mtu, op->old_up, &e);
                if (r == -ENODEV)
                        return 0; /* the device is gone, and its settings with it */
                if (r < 0)
                        g_propagate_error(error, g_steal_pointer(&e));
                return r;
        case OP_ADDR:
        case OP_ROUTE:
        case OP_RULE:
                return netconf_undo(nl, op, error);
        case OP_DNS_RESOLVED:
                b = dns_bus(bus, error);
                if (!b)
                        return -EIO;
                return resolved_revert(b, op->ifindex, error);
        case OP_DNS_RESOLVCONF:
                return resolvconf_restore(op, error);
        case OP_RP_FILTER:
                return rpfilter_restore(op, error);
        }
        return 0;
}

/* Undoes ops newest first. Everything is tried; the first failure is
 * reported and the ops that failed stay in the journal (rewritten), else the
 * journal is removed. */
static int undo_all(struct nl *nl, GDBusConnection *bus, struct journal *j, GArray *ops,
                    GError **error)
{
        g_autoptr(GArray) failed = op_list_new();
        int ret = 0;

        for (guint i = ops->len; i > 0; i--) {
                struct op *op = &g_array_index(ops, struct op, i - 1);
                g_autoptr(GError) e = NULL;
                int r = undo_op(nl, bus, op, &e);

                if (r < 0) {
                        struct op copy = *op;

                        copy.path = g_strdup(op->path);
                        copy.saved = g_strdup(op->saved);
                        g_array_prepend_val(failed, copy);
                        if (ret == 0) {
                                ret = r;
                                g_propagate_error(error, g_steal_pointer(&e));
                        }
                }
        }
        if (ret == 0)
                return journal_remove(j, error);
        /* Keep what could not be undone for the next recovery. */
        g_array_set_size(journal_ops(j), 0);
        for (guint i = 0; i < failed->len; i++)
                (void)journal_record(j, &g_array_index(failed, struct op, i), NULL);
        return ret;
}

static int record_and_do(struct nl *nl, struct journal *j, const struct op *op, GError **error)
{
        int r = journal_record(j, op, error);

        if (r < 0)
                return r;
        step_done("journaled");
        r = netconf_do(nl, op, error);
        if (r < 0)
                return r;
        step_done("applied");
        return 0;
}

static const struct dns_backend *pick_dns(const struct platform_config *cfg, GError **error)
{
        g_autoptr(GDBusConnection) bus = NULL;
        g_autoptr(GError) e = NULL;

        switch (cfg->dns_backend) {
        case PLATFORM_DNS_NONE:
                return NULL;
        case PLATFORM_DNS_RESOLVED:
                return &dns_backend_resolved;
        case PLATFORM_DNS_RESOLV_CONF:
                return &dns_backend_resolvconf;
        case PLATFORM_DNS_AUTO:
                break;
        }
        bus = dns_bus(cfg->bus, &e);
        if (bus && resolved_available(bus))
                return &dns_backend_resolved;
        return &dns_backend_resolvconf;
}

static int apply_steps(const struct platform_config *cfg, struct nl *nl,
                       struct platform_state *st, GError **error)
{
        g_autoptr(GArray) ops = op_list_new();
        const struct dns_backend *dns;
        struct op link = { .kind = OP_LINK, .ifindex = cfg->ifindex, .suppress = -1 };
        int r;

        if (cfg->kill_switch) {
                st->kill_switch = true;
                r = killswitch_apply(cfg, error);
                if (r < 0)
                        return r;
                step_done("kill switch");
        }

        r = netconf_link_get(nl, cfg->ifindex, &link.old_mtu, &link.old_up, error);
        if (r < 0)
                return r;
        r = journal_record(st->journal, &link, error);
        if (r < 0)
                return r;
        step_done("journaled");
        r = netconf_link_set(nl, cfg->ifindex, cfg->mtu, true, error);
        if (r < 0)
                return r;
        step_done("applied");

        if (cfg->has_ipv4) {
                struct op op = { .kind = OP_ADDR, .ifindex = cfg->ifindex, .suppress = -1,
                                 .pfx = { .addr = { .family = AF_INET, .v4 = cfg->ipv4 },
                                          .prefixlen = 32 } };

                r = record_and_do(nl, st->journal, &op, error);
                if (r < 0)
                        return r;
        }
        if (cfg->has_ipv6) {
                struct op op = { .kind = OP_ADDR, .ifindex = cfg->ifindex, .suppress = -1,
                                 .pfx = { .addr = { .family = AF_INET6, .v6 = cfg->ipv6 },
                                          .prefixlen = 128 } };

                r = record_and_do(nl, st->journal, &op, error);
                if (r < 0)
                        return r;
        }

        /* Before the rules that would make strict filtering drop the
         * gateway's answers. */
        if (cfg->mode == PLATFORM_TUNNEL_FULL) {
                struct op rp;

                r = rpfilter_loosen(&rp, error);
                if (r < 0)
                        return r;
                if (r > 0) {
                        r = journal_record(st->journal, &rp, error);
                        if (r < 0)
                                return r;
                        step_done("journaled");
                        r = rpfilter_set_loose(error);
                        if (r < 0)
                                return r;
                        step_done("applied");
                }
        }

        plan_routing(cfg, ops);
        for (guint i = 0; i < ops->len; i++) {
                r = record_and_do(nl, st->journal, &g_array_index(ops, struct op, i), error);
                if (r < 0)
                        return r;
        }

        dns = pick_dns(cfg, error);
        if (dns && (cfg->n_dns > 0 || cfg->mode == PLATFORM_TUNNEL_FULL)) {
                if (cfg->n_dns == 0) {
                        /* A full tunnel without DNS servers would leave the
                         * LAN's resolver in use: its queries then go into the
                         * tunnel (routing) or nowhere (kill switch). Nothing
                         * to configure. */
                        return 0;
                }
                r = dns->apply(cfg, st->journal, error);
                if (r < 0) {
                        g_prefix_error(error, "DNS through %s: ", dns->name);
                        return r;
                }
                step_done("dns");
        }
        return 0;
}

static void fill_defaults(struct platform_config *c)
{
        if (!c->state_dir)
                c->state_dir = PLATFORM_STATE_DIR;
        if (!c->resolv_conf)
                c->resolv_conf = PLATFORM_RESOLV_CONF;
        if (!c->fwmark)
                c->fwmark = PLATFORM_FWMARK_DEFAULT;
        if (!c->table)
                c->table = PLATFORM_TABLE_DEFAULT;
        if (!c->rule_priority)
                c->rule_priority = PLATFORM_PRIORITY_DEFAULT;
}

int platform_apply(const struct platform_config *config, struct platform_state **ret,
                   GError **error)
{
        struct platform_config cfg = *config;
        g_autoptr(platform_state) st = NULL;
        struct nl *nl = NULL;
        g_autoptr(GError) e = NULL;
        int r;

        fill_defaults(&cfg);
        r = plan_validate_config(&cfg, error);
        if (r < 0)
                return r;
        r = nl_open(0, &nl);
        if (r < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r),
                            "opening a netlink socket: %s", g_strerror(-r));
                return r;
        }
        st = g_new0(struct platform_state, 1);
        st->state_dir = g_strdup(cfg.state_dir);
        st->bus = cfg.bus ? g_object_ref(cfg.bus) : NULL;
        st->always_on = cfg.always_on;
        r = journal_new(cfg.state_dir, cfg.ifname, &st->journal, error);
        if (r < 0)
                goto out;

        r = apply_steps(&cfg, nl, st, &e);
        if (r < 0) {
                g_autoptr(GError) e2 = NULL;

                /* Roll back what was done; the first error is the one to tell. */
                (void)undo_all(nl, st->bus, st->journal, journal_ops(st->journal), &e2);
                if (st->kill_switch && !st->always_on)
                        (void)killswitch_remove(st->state_dir, NULL);
                g_propagate_prefixed_error(error, g_steal_pointer(&e), "setting up %s: ",
                                           cfg.ifname);
                goto out;
        }
        *ret = TAKE_PTR(st);
out:
        nl_close(nl);
        return r;
}

int platform_kill_switch_update(struct platform_state *st, const struct platform_config *config,
                                GError **error)
{
        struct platform_config cfg = *config;
        int r;

        if (!st || !st->kill_switch) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                            "no kill switch was set up with this configuration");
                return -ENOENT;
        }
        fill_defaults(&cfg);
        /* Its record stays where the first one is (recovery reads it there). */
        cfg.state_dir = st->state_dir;
        cfg.always_on = st->always_on;
        r = plan_validate_config(&cfg, error);
        if (r < 0)
                return r;
        return killswitch_apply(&cfg, error);
}

int platform_revert(struct platform_state *st, unsigned flags, GError **error)
{
        struct nl *nl = NULL;
        g_autoptr(GError) e = NULL;
        int r, ret = 0;

        if (!st)
                return 0;
        r = nl_open(0, &nl);
        if (r < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r),
                            "opening a netlink socket: %s", g_strerror(-r));
                platform_state_free(st);
                return r;
        }
        ret = undo_all(nl, st->bus, st->journal, journal_ops(st->journal), &e);
        if (st->kill_switch && !st->always_on && !(flags & PLATFORM_REVERT_KEEP_KILL_SWITCH)) {
                r = killswitch_remove(st->state_dir, e ? NULL : &e);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        if (e)
                g_propagate_error(error, g_steal_pointer(&e));
        nl_close(nl);
        platform_state_free(st);
        return ret;
}

static void keep_first(GError **first, GError *e)
{
        if (!*first)
                *first = e;
        else
                g_error_free(e);
}

int platform_recover(const char *state_dir, GDBusConnection *bus, unsigned flags,
                     GError **error)
{
        g_autoptr(GError) first = NULL;
        g_autoptr(GDir) dir = NULL;
        g_autofree char *saved = NULL;
        struct nl *nl = NULL;
        bool always_on = false;
        const char *name;
        int r;

        if (!state_dir)
                state_dir = PLATFORM_STATE_DIR;
        r = nl_open(0, &nl);
        if (r < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r),
                            "opening a netlink socket: %s", g_strerror(-r));
                return r;
        }

        dir = g_dir_open(state_dir, 0, NULL);
        while (dir && (name = g_dir_read_name(dir))) {
                g_autofree char *path = g_build_filename(state_dir, name, NULL);
                g_autoptr(GArray) ops = NULL;
                g_autoptr(GError) e = NULL;
                struct journal *j = NULL;

                if (strstr(name, ".tmp-")) {
                        /* A temp file of an interrupted atomic write. */
                        (void)unlink(path);
                        continue;
                }
                if (!g_str_has_suffix(name, JOURNAL_SUFFIX))
                        continue;
                r = journal_load(path, &ops, &e);
                if (r < 0) {
                        keep_first(&first, g_steal_pointer(&e));
                        continue;
                }
                {
                        g_autofree char *base = g_strndup(name, strlen(name) -
                                                                   strlen(JOURNAL_SUFFIX));

                        /* Re-open the same journal to rewrite or remove it. */
                        (void)unlink(path);
                        if (journal_new(state_dir, base, &j, &e) < 0) {
                                keep_first(&first, g_steal_pointer(&e));
                                continue;
                        }
                        for (guint i = 0; i < ops->len; i++)
                                (void)journal_record(j, &g_array_index(ops, struct op, i), NULL);
                }
                r = undo_all(nl, bus, j, journal_ops(j), &e);
                if (r < 0)
                        keep_first(&first, g_steal_pointer(&e));
                journal_free(j);
        }

        /* The kill switch: its record says whether it must stay. Without a
         * record, a table of that name is still ours to remove. */
        if (!killswitch_recorded(state_dir, &always_on) || !always_on ||
            (flags & PLATFORM_RECOVER_REMOVE_KILL_SWITCH)) {
                g_autoptr(GError) e = NULL;

                if (killswitch_remove(state_dir, &e) < 0)
                        keep_first(&first, g_steal_pointer(&e));
        }

        /* A copy of resolv.conf no journal named any more (crash between
         * saving it and journaling it): the original was never touched. */
        saved = g_build_filename(state_dir, "resolv.conf.saved", NULL);
        if (!first)
                (void)unlink(saved);

        {
                g_autoptr(GError) e = NULL;

                if (netconf_delete_tun_devices(nl, PLATFORM_TUN_PREFIX, &e) < 0)
                        keep_first(&first, g_steal_pointer(&e));
        }
        nl_close(nl);
        if (first) {
                g_propagate_prefixed_error(error, g_steal_pointer(&first),
                                           "recovering from %s: ", state_dir);
                return -EIO;
        }
        return 0;
}

const char *platform_net_event_to_string(enum platform_net_event event)
{
        switch (event) {
        case PLATFORM_NET_CHANGED:
                return "changed";
        case PLATFORM_NET_LOST:
                return "lost";
        }
        return "?";
}
