/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netlink.h>

#include "client/common/macro.h"
#include "platform/linux/nl.h"

/* A request never exceeds one page; dumps are read in 32 KiB chunks
 * (MNL_SOCKET_BUFFER_SIZE is 8 KiB, small for big route dumps). */
#define NL_REQ_SIZE  4096
#define NL_RECV_SIZE 32768

struct nl {
        struct mnl_socket *sock;
        uint32_t portid;
        uint32_t seq;
        uint8_t req[NL_REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
        uint8_t buf[NL_RECV_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
};

void nl_close(struct nl *nl)
{
        if (!nl)
                return;
        if (nl->sock)
                mnl_socket_close(nl->sock);
        free(nl);
}

int nl_open(unsigned groups, struct nl **ret)
{
        struct nl *nl;
        int one = 1, r;

        nl = calloc(1, sizeof(*nl));
        if (!nl)
                return -ENOMEM;
        nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
        if (!nl->sock)
                goto fail;
        /* Best effort: old kernels lack them and we still work without. */
        (void)mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
        (void)mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
        if (mnl_socket_bind(nl->sock, groups, MNL_SOCKET_AUTOPID) < 0)
                goto fail;
        nl->portid = mnl_socket_get_portid(nl->sock);
        /* Sequence numbers only need to differ from an earlier socket's. */
        nl->seq = (uint32_t)time(NULL);
        *ret = nl;
        return 0;
fail:
        r = errno > 0 ? -errno : -EIO;
        nl_close(nl);
        return r;
}

int nl_fd(const struct nl *nl)
{
        return mnl_socket_get_fd(nl->sock);
}

struct nlmsghdr *nl_msg(struct nl *nl, uint16_t type, uint16_t flags)
{
        struct nlmsghdr *nlh;

        memset(nl->req, 0, sizeof(nl->req));
        nlh = mnl_nlmsg_put_header(nl->req);
        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
        nlh->nlmsg_seq = ++nl->seq;
        return nlh;
}

/* The extended ack TLVs follow the error payload: the struct nlmsgerr and,
 * without NLM_F_CAPPED, the whole original request. */
static char *extack_message(const struct nlmsghdr *nlh)
{
        const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
        size_t off = sizeof(*err);
        const struct nlattr *attr;

        if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
                return NULL;
        if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
                off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
        if (off > mnl_nlmsg_get_payload_len(nlh))
                return NULL;
        mnl_attr_for_each(attr, nlh, off)
        {
                if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
                    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
                        return strdup(mnl_attr_get_str(attr));
        }
        return NULL;
}

/* Reads answers to sequence number seq until the ack (or NLMSG_DONE for a
 * dump), handing other messages to cb. */
static int nl_wait(struct nl *nl, uint32_t seq, mnl_cb_t cb, void *data, char **ret_extack)
{
        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
                const struct nlmsghdr *nlh;
                int len;

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                len = (int)n;
                for (nlh = (const struct nlmsghdr *)nl->buf; mnl_nlmsg_ok(nlh, len);
                     nlh = mnl_nlmsg_next(nlh, &len)) {
                        if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != nl->portid)
                                continue; /* a stale answer to an earlier request */
                        if (nlh->nlmsg_type == NLMSG_ERROR) {
                                const struct nlmsgerr *err;

                                if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
                                        return -EBADMSG;
                                err = mnl_nlmsg_get_payload(nlh);
                                if (err->error == 0)
                                        return 0;
                                if (ret_extack)
                                        *ret_extack = extack_message(nlh);
                                return err->error < 0 ? err->error : -EPROTO;
                        }
                        if (nlh->nlmsg_type == NLMSG_DONE)
                                return 0;
                        if (nlh->nlmsg_type == NLMSG_NOOP || nlh->nlmsg_type == NLMSG_OVERRUN)
                                continue;
                        if (cb) {
                                int r = cb(nlh, data);

                                if (r == MNL_CB_ERROR)
                                        return errno > 0 ? -errno : -EIO;
                                if (r == MNL_CB_STOP)
                                        cb = NULL; /* keep reading up to DONE */
                        }
                }
        }
}

int nl_call(struct nl *nl, char **ret_extack)
{
        struct nlmsghdr *nlh = (struct nlmsghdr *)nl->req;

        if (ret_extack)
                *ret_extack = NULL;
        if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
                return -errno;
        return nl_wait(nl, nlh->nlmsg_seq, NULL, NULL, ret_extack);
}

int nl_dump(struct nl *nl, mnl_cb_t cb, void *data, char **ret_extack)
{
        struct nlmsghdr *nlh = (struct nlmsghdr *)nl->req;

        if (ret_extack)
                *ret_extack = NULL;
        nlh->nlmsg_flags |= NLM_F_DUMP;
        if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
                return -errno;
        return nl_wait(nl, nlh->nlmsg_seq, cb, data, ret_extack);
}

int nl_read_events(struct nl *nl, mnl_cb_t cb, void *data)
{
        bool any = false;

        for (;;) {
                ssize_t n = recv(nl_fd(nl), nl->buf, sizeof(nl->buf), MSG_DONTWAIT);
                const struct nlmsghdr *nlh;
                int len;

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return any ? 0 : -EAGAIN;
                        return -errno;
                }
                any = true;
                len = (int)n;
                for (nlh = (const struct nlmsghdr *)nl->buf; mnl_nlmsg_ok(nlh, len);
                     nlh = mnl_nlmsg_next(nlh, &len)) {
                        if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
                                continue;
                        if (cb(nlh, data) == MNL_CB_ERROR)
                                return errno > 0 ? -errno : -EIO;
                }
        }
}
