#compdef @PROG@
# zsh completion for @PROG@. Install: add this line to ~/.zshrc, after `compinit`
#     eval "$(@PROG@ completion zsh)"
# or save the output of `@PROG@ completion zsh` as _@PROG@ in a folder of $fpath
@FUNC@() {
    local line="${(j: :)words[1,CURRENT-1]} ${PREFIX}"
    local -a found folders words_
    found=("${(@f)$(@ENV@=zsh COMP_LINE="$line" "${words[1]}" 2>/dev/null)}")
    found=("${(@)found:#}")
    folders=("${(@M)found:#*/}")
    words_=("${(@)found:#*/}")
    (( ${#words_} )) && compadd -- "${words_[@]}"
    (( ${#folders} )) && compadd -S '' -- "${folders[@]}"
    return 0
}
if [[ "${funcstack[1]}" == "_@PROG@" ]]; then
    @FUNC@ "$@"
else
    compdef @FUNC@ @PROG@
fi
