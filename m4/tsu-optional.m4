dnl SPDX-License-Identifier: GPL-2.0-or-later
dnl
dnl TSU_OPTIONAL_PKG(NAME, VAR, MODULES, HELP)
dnl   An optional dependency: --enable-NAME / --disable-NAME, auto-detected by
dnl   default. --enable-NAME makes a missing MODULES a hard error. Defines
dnl   VAR_CFLAGS/VAR_LIBS, the automake conditional HAVE_VAR, the C macro
dnl   HAVE_VAR, and records the outcome for the configure summary.
AC_DEFUN([TSU_OPTIONAL_PKG], [
        AC_ARG_ENABLE([$1],
                [AS_HELP_STRING([--enable-$1], [$4 (default: auto)])],
                [tsu_want_$2=$enableval], [tsu_want_$2=auto])
        tsu_have_$2=no
        AS_IF([test "x$tsu_want_$2" != xno], [
                PKG_CHECK_MODULES([$2], [$3], [tsu_have_$2=yes], [
                        AS_IF([test "x$tsu_want_$2" = xyes],
                              [AC_MSG_ERROR([--enable-$1 was given but $3 was not found: $$2_PKG_ERRORS])])
                ])
        ])
        AS_IF([test "x$tsu_have_$2" = xyes],
              [AC_DEFINE([HAVE_$2], [1], [Define if $3 is available])])
        AM_CONDITIONAL([HAVE_$2], [test "x$tsu_have_$2" = xyes])
])
