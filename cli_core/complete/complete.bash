# bash completion for @PROG@. Install: add this line to ~/.bashrc
#     eval "$(@PROG@ completion bash)"
# or save the output of `@PROG@ completion bash` in ~/.local/share/bash-completion/completions/@PROG@
@FUNC@() {
    local IFS=$'\n'
    COMPREPLY=($(@ENV@=bash COMP_LINE="${COMP_LINE:0:COMP_POINT}" \
        COMP_WORDBREAKS="$COMP_WORDBREAKS" "${COMP_WORDS[0]}" 2>/dev/null))
    # A folder (or a file:// prefix) is not a finished word: no space after it.
    if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == */ ]]; then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}
complete -F @FUNC@ @PROG@
