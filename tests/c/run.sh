#!/usr/bin/env bash
# Build and run the C tests against an installed crypto_sessions (see ffi/ffi.mk).
#
#   tests/c/run.sh PREFIX WORKDIR
#
# Every program is compiled with -Wall -Wextra -Werror against PREFIX's header and
# pkg-config files, linked twice (statically and dynamically), run plainly, under
# valgrind memcheck, and (rebuilt) under AddressSanitizer + UBSan.
# CRYPTO_SESSIONS_VECTORS, when set, is passed through to test_vectors;
# CRYPTO_SESSIONS_V2_VECTORS to test_v2.
set -euo pipefail

prefix=$(cd "$1" && pwd)
work=$2
here=$(cd "$(dirname "$0")" && pwd)
vectors_default=$(cd "$here/../vectors" && pwd)/reference-1.1.10.json
v2_vectors_default=$(cd "$here/../vectors" && pwd)/v2.json
mkdir -p "$work"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"

cc=${CC:-cc}
cflags=(-std=c11 -Wall -Wextra -Werror -Wpedantic -g -O1 -pthread "-DCS_DEFAULT_VECTORS=\"$vectors_default\"" "-DCS_DEFAULT_V2_VECTORS=\"$v2_vectors_default\"")
read -r -a dynamic_flags <<<"$(pkg-config --cflags --libs crypto_sessions)"
read -r -a static_flags <<<"$(pkg-config --cflags --libs crypto_sessions_static)"
read -r -a include_flags <<<"$(pkg-config --cflags crypto_sessions)"
rpath=(-Wl,-rpath,"$prefix/lib")
programs=(test_vectors test_errors test_hostile test_v2)
valgrind=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible
          --errors-for-leak-kinds=definite,indirect,possible)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

step() { printf '\n== %s\n' "$*"; }

step "the installed header is C and C++, and declares exactly what the library exports"
printf '#include <crypto_sessions.h>\nint main(void) { return cs_abi_version() == CS_ABI_VERSION ? 0 : 1; }\n' \
    >"$work/header.c"
"$cc" "${cflags[@]}" -x c "$work/header.c" "${dynamic_flags[@]}" "${rpath[@]}" -o "$work/header"
"$work/header"
${CXX:-g++} -std=c++11 -Wall -Wextra -Werror -fsyntax-only -x c++ "$work/header.c" "${include_flags[@]}"
soname=$(readelf -d "$prefix/lib/libcrypto_sessions.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
abi=$(sed -n 's/^#define CS_ABI_VERSION \([0-9]*\)$/\1/p' "$prefix/include/crypto_sessions.h")
[[ "$soname" == "libcrypto_sessions.so.$abi" ]] || { echo "SONAME $soname does not carry ABI $abi"; exit 1; }
nm -D --defined-only "$prefix/lib/libcrypto_sessions.so" | awk '$2 == "T" {print $3}' | sort >"$work/exported"
grep -oE '\bcs_[a-z0-9_]+\(' "$prefix/include/crypto_sessions.h" | tr -d '(' | sort -u >"$work/declared"
if ! diff -u "$work/declared" "$work/exported"; then
    echo "the header's functions and the library's exported symbols differ"; exit 1
fi
if nm -D --defined-only "$prefix/lib/libcrypto_sessions.so" | awk '{print $3}' | grep -v '^cs_'; then
    echo "the library exports symbols without the cs_ prefix"; exit 1
fi
echo "$(wc -l <"$work/exported") functions, all cs_, SONAME $soname"

step "ffi/examples/exchange.c, built as the README says, runs clean under valgrind"
"$cc" -Wall -Wextra -Werror "$here/../../ffi/examples/exchange.c" "${dynamic_flags[@]}" "${rpath[@]}" \
    -o "$work/exchange"
"${valgrind[@]}" "$work/exchange" >"$work/exchange.out"
grep -q '^client: 200 pong!$' "$work/exchange.out" || { cat "$work/exchange.out"; exit 1; }
echo "exchange: 1 passed, 0 failed"

for p in "${programs[@]}"; do
    step "$p: build (static, dynamic, ASan)"
    "$cc" "${cflags[@]}" "$here/$p.c" "${static_flags[@]}" -o "$work/$p-static"
    "$cc" "${cflags[@]}" "$here/$p.c" "${dynamic_flags[@]}" "${rpath[@]}" -o "$work/$p-dynamic"
    "$cc" "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer "$here/$p.c" \
        "${static_flags[@]}" -o "$work/$p-asan"
    if readelf -d "$work/$p-static" | grep -q 'libcrypto_sessions'; then
        echo "$p-static needs the shared library"; exit 1
    fi
    readelf -d "$work/$p-dynamic" | grep -q "NEEDED.*\[$soname\]" || { echo "$p-dynamic does not load $soname"; exit 1; }

    step "$p: static";   "$work/$p-static"
    step "$p: dynamic";  "$work/$p-dynamic"
    step "$p: valgrind memcheck, static";  "${valgrind[@]}" "$work/$p-static"
    step "$p: valgrind memcheck, dynamic"; "${valgrind[@]}" "$work/$p-dynamic"
    step "$p: AddressSanitizer + UBSan";   "$work/$p-asan"
done
printf '\nC tests: all passed (%s; static, dynamic, valgrind, ASan)\n' "${programs[*]}"
