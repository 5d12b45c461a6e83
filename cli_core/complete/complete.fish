# fish completion for @PROG@. Install: save the output of `@PROG@ completion fish` as
#     ~/.config/fish/completions/@PROG@.fish
# or, for this shell only: @PROG@ completion fish | source
function @FUNC@
    set -l line (commandline -cp)
    set -l tokens (commandline -opc)
    env @ENV@=fish COMP_LINE="$line" $tokens[1] 2>/dev/null
end
complete -c @PROG@ -f -a '(@FUNC@)'
