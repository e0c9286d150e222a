#!/usr/bin/env bash
# What `make install DESTDIR=$1 PREFIX=$2 LIBDIR=$3` must have written (tests/dist/dist.mk).
set -euo pipefail
root=$1 prefix=$2 libdir=$3
abi=$(sed -n 's/^#define CS_ABI_VERSION \([0-9]*\)$/\1/p' include/crypto_sessions.h)
for f in "$libdir/libcrypto_sessions.a" "$libdir/libcrypto_sessions.so.$abi" \
         "$libdir/pkgconfig/crypto_sessions.pc" "$libdir/pkgconfig/crypto_sessions_static.pc" \
         "$prefix/include/crypto_sessions.h"; do
  test -f "$root$f" || { echo "make install did not write $f"; exit 1; }
done
test "$(readlink "$root$libdir/libcrypto_sessions.so")" = "libcrypto_sessions.so.$abi" \
  || { echo "libcrypto_sessions.so is not a link to libcrypto_sessions.so.$abi"; exit 1; }
# The pkg-config files name the final places, not the staging root.
pc="$root$libdir/pkgconfig/crypto_sessions.pc"
got=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs crypto_sessions | xargs)
test "$got" = "-I$prefix/include -L$libdir -lcrypto_sessions" \
  || { echo "pkg-config says: $got"; exit 1; }
if grep -rq "$root" "$root$libdir/pkgconfig"; then echo "the staging root leaked into a .pc file"; exit 1; fi
echo "install: $(cd "$root" && find . -type f -o -type l | sort | tr '\n' ' ')"
