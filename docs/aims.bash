# aims.bash -- bash completion for aims, installed by `make install` as
# PREFIX/share/bash-completion/completions/aims (bash-completion loads it on first use; or
# `source` it). Commands, each command's options (as `aims COMMAND --help` lists them), and
# file names: *.cfg for scenarios and sweeps, *.h5 for outputs, directories everywhere.

_aims_files() { # _aims_files EXT: complete file names ending in .EXT, and directories
    local IFS=$'\n'
    COMPREPLY+=($(compgen -f -X "!*.$1" -- "$cur") $(compgen -d -- "$cur"))
}

_aims() {
    local cur prev cmd
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "run validate report compare sweep merge sensitivity version
            help --help" -- "$cur"))
        return 0
    fi
    cmd=${COMP_WORDS[1]}
    case $prev in
    -o | --output)
        _aims_files h5
        return 0
        ;;
    -r | --replications | -s | --seed | -j | --threads | --max-reps | --bootstrap | --shard | \
        --set | --precision)
        return 0 # a value: nothing to offer
        ;;
    esac
    local opts ext
    case $cmd in
    run)
        opts="-o --output -r --replications -s --seed -j --threads --set --precision
              --max-reps --force --quiet --help"
        ext=cfg
        ;;
    validate)
        opts="--set --help"
        ext=cfg
        ;;
    report | sensitivity)
        opts="--csv --help"
        [ "$cmd" = sensitivity ] && opts="$opts --bootstrap"
        ext=h5
        ;;
    compare)
        opts="--csv --help"
        ext=h5
        ;;
    sweep)
        opts="-o --output -j --threads --shard --resume --force --quiet --help"
        ext=cfg
        ;;
    merge)
        opts="-o --output --force --help"
        ext=h5
        ;;
    *) return 0 ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        _aims_files "$ext"
    fi
    return 0
}
complete -o filenames -F _aims aims
