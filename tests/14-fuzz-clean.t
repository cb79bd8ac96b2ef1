#!/bin/sh
# 14-fuzz-clean.t: `make fuzz` leaves `git status` clean: the corpus a
# run grows and the inputs it finds (crash-*, leak-*, timeout-*) go to a
# scratch directory (FUZZ_DIR, default build/fuzz, ignored), and the
# tracked seeds (tests/fuzz/seeds/NAME) are read, never written. Run on
# a copy of the tree (a git repository of its own) with a stand-in for a
# libFuzzer binary that writes what libFuzzer writes: a new input in its
# first corpus directory, a crash input at -artifact_prefix (default:
# the current directory). No clang needed.
. "$(dirname "$0")/lib.sh"

W="$T/tree"
mkdir -p "$W/tests/fixtures" "$W/tests/fuzz" "$W/tests/bench" "$W/.ci" "$W/bin"
cp "$OWL_ROOT/Makefile" "$OWL_ROOT/.gitignore" "$W/"
cp -r "$OWL_ROOT/tests/fixtures/payloads" "$W/tests/fixtures/"
cp -r "$OWL_ROOT/tests/fuzz/seeds" "$W/tests/fuzz/"
cp -r "$OWL_ROOT/runbooks" "$W/"
cp -r "$OWL_ROOT/tests/bench/runbooks" "$W/tests/bench/"
printf '#!/bin/sh\nexit 0\n' >"$W/.ci/deps" # clang is not needed here
cat >"$W/bin/fake" <<'SH'
#!/bin/sh
# libFuzzer's writes: the first corpus directory, and the artifact prefix
prefix=./ first=
for a in "$@"; do
	case "$a" in
	-artifact_prefix=*) prefix=${a#-artifact_prefix=} ;;
	-*) ;;
	*) [ -z "$first" ] && first=$a ;;
	esac
done
[ -d "$first" ] || { echo "fake: no corpus directory" >&2; exit 1; }
echo found >"$first/5f0e1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f"
echo boom >"${prefix}crash-0123456789abcdef0123456789abcdef01234567"
SH
chmod +x "$W/bin/fake"
for n in fuzz_broker fuzz_ingest; do cp "$W/bin/fake" "$W/bin/$n"; done
git -C "$W" init -q -b main &&
	git -C "$W" -c user.name=t -c user.email=t@example.com add -A &&
	git -C "$W" -c user.name=t -c user.email=t@example.com commit -qm tree
ok $? "a copy of the tree, committed"
seeds_before=$(cd "$W" && find tests/fuzz/seeds -type f | sort | xargs sha256sum)

run make -s -C "$W" fuzz FUZZ_BIN= FUZZ_SECONDS=1 \
	FUZZ_RUN="$W/bin/fuzz_broker $W/bin/fuzz_ingest"
is "$RC" 0 "make fuzz with two (stand-in) fuzzers: exit 0"
like "$OUT" "fuzz .*fuzz_broker for 1 s" "it ran fuzz_broker"
is "$(git -C "$W" status --porcelain --untracked-files=all)" "" \
	"git status is clean after the run"
is "$(cd "$W" && find tests/fuzz/seeds -type f | sort | xargs sha256sum)" \
	"$seeds_before" "the tracked seeds are unchanged"
ok "$([ -s "$W/build/fuzz/corpus-fuzz_broker/5f0e1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f" ]; echo $?)" \
	"the new input went to the scratch corpus"
ok "$([ -s "$W/build/fuzz/artifacts-fuzz_broker/crash-0123456789abcdef0123456789abcdef01234567" ]; echo $?)" \
	"the crash input went to the scratch directory, named in the output"
like "$OUT" "findings build/fuzz/artifacts-fuzz_broker/" \
	"the output says where findings go"

run make -s -C "$W" fuzz FUZZ_BIN= FUZZ_SECONDS=1 FUZZ_DIR="$T/scratch" \
	FUZZ_RUN="$W/bin/fuzz_broker"
is "$RC" 0 "FUZZ_DIR elsewhere: exit 0"
ok "$([ -s "$T/scratch/artifacts-fuzz_broker/crash-0123456789abcdef0123456789abcdef01234567" ]; echo $?)" \
	"FUZZ_DIR picks the scratch directory"
is "$(git -C "$W" status --porcelain --untracked-files=all)" "" \
	"git status still clean"
done_testing
