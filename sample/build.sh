#!/usr/bin/env bash
# Rebuilds the sample's PE images and PDBs in sample/bin from the C sources in sample/src, with
# clang and lld-link (Debian packages clang, lld). The output is deterministic: the same sources
# and toolchain give the same bytes wherever the tree is (run it twice and compare: ./build.sh
# --check). The built files are committed, so users need no compiler.
#
#   bin/ntstub.sys  + .pdb   a stand-in for ntoskrnl: exports KeAcquireSpinLockAtDpcLevel & co.
#   bin/sampdrv.sys + .pdb   the "kernel" driver: object table, system-service switch, SYSCALL entry
#   bin/samplib.dll + .pdb   user-mode library: request parser, cache, function-pointer dispatch
#   bin/sampapp.exe + .pdb   the program that runs a script of requests through samplib.dll
#
# The driver's calls into ntstub.sys are import calls laid out as the Windows kernel's import
# optimization expects them on disk: REX.W call [__imp_X] (48 FF 15 rel32) followed by a 5-byte
# NOP (0F 1F 44 00 00). clang emits the plain 6-byte FF 15 form, so the driver is compiled to
# assembly and those call sites are widened before assembling. lld-link writes no Dynamic Value
# Relocation Table (it has no /guard:retpoline), so the DVRT that lists these sites is added by
# the sample generator (see sample/README.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
check=0
[ "${1:-}" = "--check" ] && check=1

build() { # build OUTDIR: compile and link everything into OUTDIR/bin, objects in OUTDIR/obj
  local out="$1"
  mkdir -p "$out/bin" "$out/obj"
  # A copy of the sources and relative paths only (lld-link's /pdbsourcepath stands in for the
  # working directory), so no path of this machine reaches the outputs.
  rm -rf "$out/src"
  cp -r "$here/src" "$out/src"
  cd "$out"
  local cflags=(--target=x86_64-pc-windows-msvc -O1 -g -gcodeview -ffreestanding
    -fno-stack-protector -fno-ident -fdebug-compilation-dir=. -fcoverage-compilation-dir=. -fno-asynchronous-unwind-tables
    -Wall -Wextra -Werror -Wno-unused-parameter)
  local kflags=(-mno-red-zone -mcmodel=small)
  local o=obj b=bin

  clang "${cflags[@]}" "${kflags[@]}" -c src/kern/ntstub.c -o "$o/ntstub.obj"
  clang "${cflags[@]}" "${kflags[@]}" -S src/kern/sampdrv.c -o "$o/sampdrv.s"
  if grep -q 'jmpq[[:space:]]*\*__imp_' "$o/sampdrv.s"; then
    echo "build.sh: the driver tail-jumps through an import; only calls are laid out for import optimization" >&2
    exit 1
  fi
  sed -E 's/^([[:space:]]*)callq[[:space:]]+\*(__imp_[A-Za-z0-9_]+)\(%rip\)/\1.byte 0x48\n\1callq *\2(%rip)\n\1.byte 0x0f, 0x1f, 0x44, 0x00, 0x00/' \
    "$o/sampdrv.s" > "$o/sampdrv.importopt.s"
  # The .s already carries the CodeView directives; assemble it without adding debug info.
  clang --target=x86_64-pc-windows-msvc -Werror -c "$o/sampdrv.importopt.s" -o "$o/sampdrv.obj"
  clang "${cflags[@]}" -c src/user/samplib.c -o "$o/samplib.obj"
  clang "${cflags[@]}" -c src/user/sampapp.c -o "$o/sampapp.obj"

  local lflags=(/nodefaultlib /debug /Brepro /pdbaltpath:%_PDB% /pdbsourcepath:'C:\iptq\sample'
    /opt:ref /opt:noicf /incremental:no /machine:x64)
  lld-link "${lflags[@]}" /dll /driver /subsystem:native /entry:NtStubEntry /base:0x140000000 \
    /out:"$b/ntstub.sys" /pdb:"$b/ntstub.pdb" /implib:"$o/ntstub.lib" "$o/ntstub.obj"
  lld-link "${lflags[@]}" /driver /subsystem:native /entry:DriverEntry /base:0x1c0000000 \
    /out:"$b/sampdrv.sys" /pdb:"$b/sampdrv.pdb" "$o/sampdrv.obj" "$o/ntstub.lib"
  lld-link "${lflags[@]}" /dll /subsystem:windows /entry:SampLibEntry /base:0x180000000 \
    /out:"$b/samplib.dll" /pdb:"$b/samplib.pdb" /implib:"$o/samplib.lib" "$o/samplib.obj"
  lld-link "${lflags[@]}" /subsystem:console /entry:SampMain /base:0x140000000 \
    /out:"$b/sampapp.exe" /pdb:"$b/sampapp.pdb" "$o/sampapp.obj" "$o/samplib.lib"
  rm -f "$b"/*.lib "$b"/*.exp
}

if [ "$check" = 1 ]; then
  # Two builds in two different places must give identical bytes, equal to what is committed.
  t="$(mktemp -d)"
  trap 'rm -rf "$t"' EXIT
  build "$t/one"
  build "$t/two"
  cmp_all=0
  for f in "$t/one/bin"/*; do
    n="$(basename "$f")"
    cmp -s "$f" "$t/two/bin/$n" || { echo "not deterministic: $n"; cmp_all=1; }
    cmp -s "$f" "$here/bin/$n" || { echo "differs from committed: $n"; cmp_all=1; }
  done
  [ "$cmp_all" = 0 ] && echo "sample: deterministic, and equal to sample/bin"
  exit "$cmp_all"
fi

t="$(mktemp -d)"
trap 'rm -rf "$t"' EXIT
build "$t"
mkdir -p "$here/bin"
cp "$t/bin"/* "$here/bin/"
ls -l "$here/bin"
