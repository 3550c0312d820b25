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
    local cmds="run validate params diff report compare show sweep calibrate merge
        sensitivity export help version"
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$cmds --help" -- "$cur"))
        return 0
    fi
    cmd=${COMP_WORDS[1]}
    case $prev in
    -o | --output)
        _aims_files h5
        return 0
        ;;
    -d | --dir)
        COMPREPLY=($(compgen -d -- "$cur"))
        return 0
        ;;
    -r | --replications | -s | --seed | -j | --threads | --max-reps | --bootstrap | --shard | \
        --set | --precision | --progress-interval | --max-array-size | --task-time | --simulate)
        return 0 # a value: nothing to offer
        ;;
    esac
    local opts ext
    case $cmd in
    run)
        opts="-o --output -d --dir -r --replications -s --seed -j --threads --set --precision
              --max-reps --progress-interval -f --force -q --quiet -h --help"
        ext=cfg
        ;;
    validate)
        opts="--set -h --help"
        ext=cfg
        ;;
    params | diff)
        opts="--set --csv -h --help"
        ext=cfg
        ;;
    report | compare)
        opts="--csv -h --help"
        ext=h5
        ;;
    show)
        opts="--scenario -h --help"
        ext=h5
        ;;
    sensitivity)
        opts="-o --output --csv --bootstrap -f --force -q --quiet -h --help"
        ext=h5
        ;;
    sweep)
        opts="-o --output -j --threads --shard --resume --progress-interval -f --force -q
              --quiet --plan --max-array-size --task-time -h --help"
        ext=cfg
        ;;
    calibrate)
        opts="-o --output -j --threads --shard --resume -f --force -q --quiet --simulate -r -s
              -h --help"
        ext=cfg
        ;;
    export)
        opts="-o --output --summaries --series --wide -f --force -h --help"
        ext=h5
        ;;
    merge)
        opts="-o --output -f --force -q --quiet -h --help"
        ext=h5
        ;;
    help)
        [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
        return 0
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
