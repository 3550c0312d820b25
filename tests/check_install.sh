#!/bin/sh
# check_install.sh SOURCE TMP -- `make install` as a user meets it (tests/test_install.c runs
# this; a few seconds):
#
#  - make install PREFIX=TMP/x puts aims, the scenarios (with market/ and slurm/), the man
#    page, the bash completion and plot.py where scripts/install says;
#  - from another directory, the installed aims runs the installed baseline.cfg (its
#    @include of market/ resolves beside it) and validates the installed sweep (its scenario
#    resolves beside it);
#  - man -l shows the page, and it names every command `aims help` lists and every long
#    option `aims help` and `aims COMMAND --help` print;
#  - the completion completes every command `aims help` lists;
#  - make uninstall removes all of it: TMP/x is gone; in a prefix that held a file of its
#    own before, that file and its folder stay.
#
# The release build must exist (make check builds it first); make is told not to remake it
# (-o), so the test never starts a build. Prints what failed and exits 1, else "ok".
set -u
src=$1
tmp=$2
p=$tmp/x
fail=0
no() {
    echo "check_install: $*" >&2
    fail=1
}
mk() { make -s --no-print-directory -C "$src" -o build/aims "$@"; }

mk install PREFIX="$p" >"$tmp/install.log" 2>&1 || {
    cat "$tmp/install.log" >&2
    no "make install PREFIX=$p failed"
    exit 1
}
for f in bin/aims bin/aims-plot share/aims/python/plot.py share/aims/python/plot_labels.py \
    share/aims/scenarios/baseline.cfg share/aims/scenarios/market/china_2026.cfg \
    share/aims/scenarios/sweep_enforcement.cfg share/aims/scenarios/slurm/sweep.sbatch \
    share/man/man1/aims.1 share/bash-completion/completions/aims; do
    [ -e "$p/$f" ] || no "$p/$f not installed"
done
[ -x "$p/bin/aims" ] || no "$p/bin/aims is not executable"
for f in "$src"/scenarios/*.cfg; do
    [ -f "$p/share/aims/scenarios/$(basename "$f")" ] || no "scenario $(basename "$f") not installed"
done

# From another directory, with nothing of the source tree on hand.
mkdir -p "$tmp/elsewhere"
(cd "$tmp/elsewhere" && "$p/bin/aims" run "$p/share/aims/scenarios/baseline.cfg" -o out.h5 \
    -r 2 --quiet) >"$tmp/run.log" 2>&1 || {
    cat "$tmp/run.log" >&2
    no "the installed aims did not run the installed baseline.cfg"
}
[ -s "$tmp/elsewhere/out.h5" ] || no "no out.h5 from the installed run"
(cd "$tmp/elsewhere" && "$p/bin/aims" validate "$p/share/aims/scenarios/sweep_enforcement.cfg") \
    >"$tmp/validate.log" 2>&1 || {
    cat "$tmp/validate.log" >&2
    no "the installed sweep_enforcement.cfg does not validate from elsewhere"
}

# The man page: rendered by man -l (ASCII, so hyphens stay hyphens), and checked against the
# help texts. Commands are looked up in the rendered page, long options in the source with
# roff's \- undone (a rendered line may break inside --max-reps).
page=$tmp/aims.txt
LC_ALL=C MANWIDTH=100 man -P cat -l "$p/share/man/man1/aims.1" >"$page" 2>"$tmp/man.err" ||
    no "man -l $p/share/man/man1/aims.1 failed: $(cat "$tmp/man.err")"
grep -q '^NAME' "$page" || no "man -l shows no NAME section"
grep -q 'aims - simulate' "$page" || no "man -l shows no NAME line"
[ -s "$tmp/man.err" ] && no "man -l warned: $(cat "$tmp/man.err")"
roff=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$p/share/man/man1/aims.1")
"$p/bin/aims" help >"$tmp/help.txt" 2>&1
cmds=$(sed -n 's/^  \([a-z][a-z]*\)\( .*\)\{0,1\}$/\1/p' "$tmp/help.txt" | sort -u)
[ -n "$cmds" ] || no "no commands found in 'aims help'"
for c in $cmds help; do
    grep -Eq "^   $c( |\$)" "$page" || no "command '$c' (aims help) has no section in the man page"
done
for c in $cmds; do
    "$p/bin/aims" "$c" --help >>"$tmp/help.txt" 2>&1
done
for o in $(grep -Eo -- '--[a-z][a-z-]*' "$tmp/help.txt" | sort -u); do
    case $o in --help) continue ;; esac
    printf '%s\n' "$roff" | grep -q -- "$o" || no "option $o (aims help) is not in the man page"
done

# The completion: every command of `aims help`, each completed from its first two letters
# to itself among the candidates.
comp=$p/share/bash-completion/completions/aims
for c in $cmds; do
    pre=$(printf '%s' "$c" | cut -c1-2)
    got=$(bash -c '. "$1"; COMP_WORDS=(aims "$2"); COMP_CWORD=1; _aims; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$comp" "$pre")
    printf '%s\n' "$got" | grep -qx "$c" || no "completion of '$pre' does not offer '$c' (got: $got)"
done
got=$(bash -c '. "$1"; COMP_WORDS=(aims run --rep); COMP_CWORD=2; _aims; printf "%s\n" "${COMPREPLY[@]}"' _ "$comp")
[ "$got" = --replications ] || no "completion of 'aims run --rep' gave '$got'"

# plot.py through its link in bin/ (it finds plot_labels.py beside the file linked to).
if /usr/bin/python3 -c 'import h5py, matplotlib, scipy' 2>/dev/null; then
    "$p/bin/aims-plot" "$tmp/elsewhere/out.h5" -o "$tmp/elsewhere/png" >"$tmp/plot.log" 2>&1 ||
        no "aims-plot failed: $(cat "$tmp/plot.log")"
    [ -f "$tmp/elsewhere/png/frontier_access.png" ] || no "aims-plot drew no frontier_access.png"
fi

mk uninstall PREFIX="$p" >"$tmp/uninstall.log" 2>&1 || no "make uninstall failed: $(cat "$tmp/uninstall.log")"
[ -e "$p" ] && no "make uninstall left $p: $(find "$p" | head -5 | tr '\n' ' ')"

# A prefix with a file of its own: uninstall takes only what install put.
q=$tmp/y
mkdir -p "$q/bin" && : >"$q/bin/mine"
mk install PREFIX="$q" >/dev/null 2>&1 || no "make install PREFIX=$q failed"
mk uninstall PREFIX="$q" >/dev/null 2>&1 || no "make uninstall PREFIX=$q failed"
left=$(cd "$q" && find . | sort | tr '\n' ' ')
[ "$left" = ". ./bin ./bin/mine " ] || no "uninstall from a used prefix left: $left"

[ "$fail" -eq 0 ] || exit 1
echo ok
