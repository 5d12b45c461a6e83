"""Shell completion: `clishape completion bash|zsh|fish` and the answers its scripts get.

The engine is tested in-process (what the candidates are); the scripts through the real shells:
bash (the function the script registers, called the way bash calls it), zsh (the script's
function with `compadd` recorded) and fish (`complete -C`, fish's own completion query). A
shell that is not installed skips its tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cli_core import complete
from cli_core.complete.engine import split_line
from cli_core.testing import run

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # where this environment's `clishape` is installed

SERVICE = """\
clishape: 1
service: toys
metadata:
  apiVersion: '2024-01-01'
  endpointPrefix: toys
  jsonVersion: '1.1'
  protocol: json
  serviceFullName: Toy Service
  serviceId: Toys
  signatureVersion: v4
  signingName: toys
  targetPrefix: Toys
  uid: toys-2024-01-01
documentation: Toys for completion tests.
shapes:
  Colour: {type: string, enum: [RED, GREEN, BLUE]}
  Name: {type: string}
waiters:
  toy-ready:
    command: describe-toy
    delay: 1
    maxAttempts: 2
    acceptors:
    - {state: success, matcher: path, argument: Colour, expected: GREEN}
"""

DESCRIBE = """\
clishape: 1
command: describe-toy
operation: DescribeToy
documentation: Describes a toy.
input:
  type: structure
  required: [Name]
  members:
    Name: {shape: Name}
    Colour: {shape: Colour}
    Colours:
      type: list
      member: {shape: Colour}
    Shiny: {type: boolean}
    Secret: {shape: Name, cli_hidden: true}
output:
  type: structure
  members:
    Colour: {shape: Colour}
"""

LIST = """\
clishape: 1
command: list-toys
operation: ListToys
documentation: Lists the toys.
pagination: {input_token: NextToken, output_token: NextToken, limit_key: MaxResults,
             result_key: Toys}
input:
  type: structure
  members:
    NextToken: {shape: Name}
    MaxResults: {type: integer}
output:
  type: structure
  members:
    Toys: {type: list, member: {shape: Name}}
    NextToken: {shape: Name}
"""

UPLOAD = """\
clishape: 1
command: upload-toy
operation: UploadToy
documentation: Uploads a toy's picture and answers with its thumbnail.
input:
  type: structure
  required: [Body]
  payload: Body
  members:
    Body: {type: blob, streaming: true}
    Label: {shape: Name}
output:
  type: structure
  payload: Thumbnail
  members:
    Thumbnail: {type: blob, streaming: true}
"""


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    root = tmp_path / "specs"
    folder = root / "toys"
    folder.mkdir(parents=True)
    (folder / "_service.yaml").write_text(SERVICE)
    (folder / "describe-toy.yaml").write_text(DESCRIBE)
    (folder / "list-toys.yaml").write_text(LIST)
    (folder / "upload-toy.yaml").write_text(UPLOAD)
    return root


@pytest.fixture
def env(tmp_path: Path, specs: Path) -> dict:
    """The environment of a completion: these specs, a cache, config files with profiles, and a
    working folder with a few files."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    config = home / ".aws" / "config"
    config.write_text(
        "[default]\nregion = us-east-1\n[profile dev]\noutput = text\n"
        "[profile  staging ]\n[sso-session corp]\nsso_region = us-east-1\n"
    )
    credentials = tmp_path / "creds"
    credentials.write_text("[prod]\naws_access_key_id = AKIDEXAMPLE\n[dev]\n")
    work = tmp_path / "work"
    (work / "docs").mkdir(parents=True)
    (work / "docs" / "notes.json").write_text("{}")
    (work / "data.json").write_text("{}")
    (work / "my file.txt").write_text("x")
    (work / ".hidden").write_text("x")
    return {
        "HOME": str(home),
        "CLISHAPE_SPEC_PATH": str(specs),
        "CLISHAPE_CACHE_DIR": str(tmp_path / "cache"),
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "LANG": "C.UTF-8",
        "WORK": str(work),
    }


def complete_line(line: str, env: dict, shell: str = "fish") -> list[str]:
    """What the program answers a completion script for ``line`` (the cursor at its end)."""
    environ = {**env, "COMP_LINE": line, complete.env_name("clishape"): shell}
    result = run([], env=environ)
    assert result.exit_code == 0 and result.stderr == ""
    return result.stdout.splitlines()


# -- the engine --------------------------------------------------------------------------------


def test_services_commands_and_waiters(env):
    assert "toys" in complete_line("clishape ", env)
    assert "voice-id" in complete_line("clishape ", env)  # the shipped specs too
    assert complete_line("clishape to", env) == ["toys"]
    assert complete_line("clishape toys ", env) == [
        "describe-toy", "list-toys", "upload-toy", "wait",
    ]  # fmt: skip
    assert complete_line("clishape toys l", env) == ["list-toys"]
    assert complete_line("clishape toys wait ", env) == ["toy-ready"]
    assert complete_line("clishape voice-id ", env)[:2] == ["associate-fraudster", "create-domain"]
    assert "wait" not in complete_line("clishape voice-id ", env)  # no waiters, no wait


def test_options_not_yet_given(env):
    options = complete_line("clishape toys describe-toy --", env)
    for name in ("--name", "--colour", "--colours", "--shiny", "--no-shiny", "--cli-input-json",
                 "--generate-cli-skeleton", "--output", "--region", "--profile"):  # fmt: skip
        assert name in options
    assert "--secret" not in options  # hidden in help, hidden here
    assert "--max-items" not in options  # not a paginated command
    given = complete_line("clishape --region eu-west-1 toys describe-toy --name n --shiny --", env)
    assert "--name" not in given and "--region" not in given
    assert "--shiny" not in given and "--no-shiny" not in given  # one of the pair was given
    assert "--colour" in given
    assert complete_line("clishape toys describe-toy --name=x --na", env) == []
    paged = complete_line("clishape toys list-toys --", env)
    assert {"--max-items", "--page-size", "--starting-token"} <= set(paged)
    assert complete_line("clishape toys wait toy-ready --n", env)[:2] == [
        "--name",
        "--no-cli-auto-prompt",
    ]


def test_option_values(env):
    assert complete_line("clishape toys describe-toy --colour ", env) == ["BLUE", "GREEN", "RED"]
    assert complete_line("clishape toys describe-toy --colour G", env) == ["GREEN"]
    assert complete_line("clishape toys describe-toy --colour=R", env) == ["--colour=RED"]
    # a list takes any number of values; a dash starts the next option
    assert complete_line("clishape toys describe-toy --colours RED B", env) == ["BLUE"]
    assert "--name" in complete_line("clishape toys describe-toy --colours RED --", env)
    assert complete_line("clishape toys describe-toy --generate-cli-skeleton y", env) == [
        "yaml-input"
    ]
    assert complete_line("clishape toys describe-toy --name ", env) == []  # free text: nothing


@pytest.mark.parametrize(
    ("option", "values"),
    [
        ("--output", ["json", "off", "table", "text", "yaml", "yaml-stream"]),
        ("--color", ["auto", "off", "on"]),
        ("--cli-binary-format", ["base64", "raw-in-base64-out"]),
        ("--cli-error-format", ["enhanced", "json", "legacy", "table", "text", "yaml"]),
    ],
)
def test_global_option_values(env, option, values):
    assert complete_line(f"clishape {option} ", env) == values
    assert complete_line(f"clishape toys list-toys {option} ", env) == values


def test_an_optional_value_or_the_rest_of_the_line(env):
    # --cli-dry-run takes http, or nothing: both the value and what may follow are offered
    assert complete_line("clishape --cli-dry-run h", env) == ["http"]
    after = complete_line("clishape --cli-dry-run ", env)
    assert "http" in after and "toys" in after
    assert "--name" in complete_line("clishape toys describe-toy --cli-dry-run --n", env)
    assert "--name" in complete_line("clishape toys describe-toy --cli-dry-run http --n", env)


def test_profiles_from_the_config_and_credentials_files(env):
    assert complete_line("clishape --profile ", env) == ["default", "dev", "prod", "staging"]
    assert complete_line("clishape toys list-toys --profile p", env) == ["prod"]
    gone = {**env, "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
    assert complete_line("clishape --profile ", gone) == []


def test_paths_after_file_prefixes(env):
    work = env["WORK"]
    assert complete_line(f"clishape toys describe-toy --cli-input-json file://{work}/d", env) == [
        f"file://{work}/data.json",
        f"file://{work}/docs/",
    ]
    assert complete_line(f"clishape toys describe-toy --name fileb://{work}/docs/", env) == [
        f"fileb://{work}/docs/notes.json"
    ]
    assert complete_line(f"clishape toys describe-toy --name file://{work}/.h", env) == [
        f"file://{work}/.hidden"
    ]  # hidden files only when asked for
    assert complete_line("clishape toys describe-toy --cli-input-json ", env) == [
        "file://",
        "fileb://",
    ]
    assert complete_line("clishape toys describe-toy --name fi", env) == ["file://", "fileb://"]
    home = complete_line("clishape toys describe-toy --cli-input-json file://~/.a", env)
    assert home == ["file://~/.aws/"]


def test_paths_of_streaming_blobs_and_outfile(env):
    work = env["WORK"]
    body = complete_line(f"clishape toys upload-toy --body {work}/m", env)
    assert body == [f"{work}/my file.txt"]  # a streaming blob is a plain path
    outfile = complete_line(f"clishape toys upload-toy --body x {work}/da", env)
    assert outfile == [f"{work}/data.json"]
    assert "--label" in complete_line("clishape toys upload-toy --body x --", env)


def test_completion_command_completes_shells(env):
    assert "completion" in complete_line("clishape ", env)
    assert complete_line("clishape completion ", env) == ["bash", "fish", "zsh"]


def test_nothing_to_complete_is_no_answer_and_no_error(env):
    assert complete_line("clishape nosuch ", env) == []
    assert complete_line("clishape toys nosuch --", env)[:1] == ["--ca-bundle"]  # globals still
    broken = {**env, "CLISHAPE_SPEC_PATH": str(Path(env["WORK"]) / "data.json")}
    assert complete_line("clishape ", broken) == []  # a bad spec path: silence, exit 0


def test_a_broken_spec_gives_no_options_and_no_traceback(env, specs):
    (specs / "toys" / "describe-toy.yaml").write_text("this: [is not yaml\n")
    assert "--name" not in complete_line("clishape toys describe-toy --", env)


def test_split_line_undoes_quotes_like_the_shell():
    assert split_line('clishape a \'b c\' "d\\"e" f\\ g ') == [
        "clishape",
        "a",
        "b c",
        'd"e',
        "f g",
        "",
    ]
    assert split_line("clishape --name 'half") == ["clishape", "--name", "half"]


def test_bash_answers_only_the_part_after_a_word_break(env):
    """bash replaces the text after the last ``:`` or ``=`` of a word: the answer is cut there,
    and characters bash reads specially are escaped."""
    work = env["WORK"]
    assert complete_line("clishape --output=t", env, "bash") == ["table", "text"]
    assert complete_line(f"clishape toys describe-toy --name file://{work}/my", env, "bash") == [
        f"//{work}/my\\ file.txt"
    ]


def test_no_botocore_or_other_heavy_import_when_answering(env):
    probe = textwrap.dedent(
        """
        import io, json, sys
        from cli_core.driver import IO, main
        out = io.StringIO()
        main([], IO(stdin=io.StringIO(), stdout=out, stderr=io.StringIO(), environ=dict(
            __import__("os").environ)))
        heavy = {"botocore", "jsonschema", "jmespath", "argparse", "urllib3", "awscrt"}
        print(json.dumps([out.getvalue(), sorted(heavy & set(sys.modules))]))
        """
    )
    for line in ("clishape toys describe-toy --", "clishape ", "clishape --profile "):
        environ = {**os.environ, **env, "COMP_LINE": line, "_CLISHAPE_COMPLETE": "bash"}
        for _ in range(2):  # the first run compiles the spec into the cache
            done = subprocess.run(
                [sys.executable, "-c", probe], capture_output=True, text=True, env=environ
            )
        import json

        answer, heavy = json.loads(done.stdout)
        assert answer and heavy == [], (line, heavy)


# -- the command and its scripts ---------------------------------------------------------------


def test_completion_command_prints_each_script():
    for shell in complete.SHELLS:
        result = run(["completion", shell])
        assert result.exit_code == 0
        assert "_CLISHAPE_COMPLETE" in result.stdout and "clishape" in result.stdout


def test_completion_command_errors():
    missing = run(["completion"])
    assert missing.exit_code == 252
    assert "the following arguments are required: <shell> (one of bash, zsh, fish)" in (
        missing.stderr
    )
    bad = run(["completion", "tcsh"])
    assert bad.exit_code == 252
    assert "invalid shell 'tcsh' after 'completion': expected one of bash, zsh, fish" in bad.stderr
    helped = run(["completion", "help"])
    assert helped.exit_code == 0 and 'eval "$(clishape completion bash)"' in helped.stdout


def test_scripts_are_named_after_the_program():
    """Any app gets completion under its own name (``prog``), with its own variable."""
    for shell in complete.SHELLS:
        text = complete.script(shell, "my-tool")
        assert "_MY_TOOL_COMPLETE" in text and "my-tool" in text
        assert "clishape" not in text
        assert not any(mark in text for mark in ("@PROG@", "@FUNC@", "@ENV@"))
    assert complete.env_name("my-tool") == "_MY_TOOL_COMPLETE"


# -- through the real shells -------------------------------------------------------------------

BASH_DRIVER = r"""
compopt() { OPTIONS="$1 $2"; }  # outside a real completion bash refuses compopt: record it
eval "$(clishape completion bash)"
complete -p clishape
COMP_LINE="$1"
COMP_POINT=${#COMP_LINE}
read -ra COMP_WORDS <<< "$COMP_LINE"
[[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_clishape_complete clishape "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
[[ $OPTIONS == "-o nospace" ]] && echo '<nospace>'
true
"""


def bash(line: str, env: dict) -> list[str]:
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", BASH_DRIVER, "bash", line],
        capture_output=True,
        text=True,
        env=env,
        cwd=env["WORK"],
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "complete -F _clishape_complete clishape"
    return [x for x in lines[1:] if x]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash(env):
    assert bash("clishape toys ", env) == ["describe-toy", "list-toys", "upload-toy", "wait"]
    assert bash("clishape toys wait t", env) == ["toy-ready"]
    assert bash("clishape toys describe-toy --colour ", env) == ["BLUE", "GREEN", "RED"]
    assert bash("clishape --output y", env) == ["yaml", "yaml-stream"]
    assert bash("clishape --profile s", env) == ["staging"]
    assert "--colours" in bash("clishape toys describe-toy --name x --col", env)
    assert bash("clishape toys describe-toy --cli-input-json file://do", env) == [
        "//docs/", "<nospace>",
    ]  # fmt: skip
    assert bash("clishape toys upload-toy --body my", env) == ["my\\ file.txt"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_without_the_program_on_path_stays_quiet(env):
    quiet = {**env, "PATH": "/nonexistent"}
    done = subprocess.run(
        [shutil.which("bash"), "--norc", "-c", f"{complete.script('bash', 'clishape')}\n"
         'COMP_LINE="clishape "; COMP_POINT=9; COMP_WORDS=(clishape ""); COMP_CWORD=1\n'
         '_clishape_complete; echo "n=${#COMPREPLY[@]}"'],
        capture_output=True, text=True, env=quiet,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout == "n=0\n" and done.stderr == ""


ZSH_DRIVER = r"""
compdef() { print -r -- "compdef $*"; }
compadd() {
    local suffix=" "
    while [[ $1 == -* && $1 != -- ]]; do
        [[ $1 == -S ]] && { suffix=$2; shift; }
        shift
    done
    [[ $1 == -- ]] && shift
    local w
    for w in "$@"; do print -r -- "$w|$suffix"; done
}
eval "$(clishape completion zsh)"
words=(${(z)1})
[[ $1 == *" " ]] && words+=("")
CURRENT=${#words}
PREFIX=${words[CURRENT]}
_clishape_complete
"""


def zsh(line: str, env: dict) -> list[str]:
    done = subprocess.run(
        ["zsh", "-f", "-c", ZSH_DRIVER, "zsh", line],
        capture_output=True,
        text=True,
        env=env,
        cwd=env["WORK"],
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "compdef _clishape_complete clishape"
    return lines[1:]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh(env):
    """The zsh script's function, with zsh's ``compadd`` recorded (``word|suffix``)."""
    assert zsh("clishape toys ", env) == [
        "describe-toy| ", "list-toys| ", "upload-toy| ", "wait| ",
    ]  # fmt: skip
    assert zsh("clishape toys describe-toy --colour G", env) == ["GREEN| "]
    assert zsh("clishape --output=y", env) == ["--output=yaml| ", "--output=yaml-stream| "]
    assert zsh("clishape toys describe-toy --name file://do", env) == ["file://docs/|"]
    assert zsh("clishape --profile d", env) == ["default| ", "dev| "]


def fish(line: str, env: dict) -> list[str]:
    script = complete.script("fish", "clishape")
    done = subprocess.run(
        ["fish", "--no-config", "-c", f"{script}\ncomplete -C {fish_quote(line)}"],
        capture_output=True,
        text=True,
        env=env,
        cwd=env["WORK"],
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish(env):
    """fish's own completion query (``complete -C``) over the installed script."""
    assert fish("clishape toys ", env) == ["describe-toy", "list-toys", "upload-toy", "wait"]
    assert fish("clishape toys describe-toy --colour ", env) == ["BLUE", "GREEN", "RED"]
    assert fish("clishape --cli-binary-format r", env) == ["raw-in-base64-out"]
    assert fish("clishape toys describe-toy --cli-input-json file://do", env) == ["file://docs/"]
    assert fish("clishape toys upload-toy --body 'my", env) == ["my file.txt"]


# -- at the keyboard: an interactive shell in a terminal, keys typed, TAB pressed ----------------


def keyboard(shell: list[str], setup: str, keys: str, env: dict) -> str:
    """Start ``shell`` in a pseudo-terminal, run ``setup``, type ``keys`` (TAB included), then
    go to the start of the line and turn it into ``echo RESULT: ...``: the line as completion
    left it. (The shell reads the keys in order: each TAB is done before the next key.)"""
    import pty
    import re
    import select
    import time

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        shell, stdin=slave, stdout=slave, stderr=slave, env={**env, "TERM": "xterm"},
        cwd=env["WORK"], start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    out = b""

    def lines() -> list[str]:
        text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[>=]", "", out.decode(errors="replace"))
        return re.split(r"[\r\n]+", text)

    def read_until(done, limit: float = 30.0) -> None:
        nonlocal out
        end = time.monotonic() + limit  # a hung shell fails the test instead of hanging it
        while not done() and time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    return
                if not chunk:
                    return
                out += chunk

    try:
        os.write(master, setup.encode() + b"\n")
        os.write(master, keys.encode() + b"\x01echo RESULT:\n")
        read_until(lambda: _echoed(lines()) is not None)
    finally:
        proc.kill()
        proc.wait()
        os.close(master)
    found = _echoed(lines())
    assert found is not None, lines()
    return found


def _echoed(lines: list[str]) -> str | None:
    """What ``echo RESULT: ...`` printed: a line starting with it, with the next prompt after."""
    for i, line in enumerate(lines):
        if line.startswith("RESULT:") and any("READY> " in later for later in lines[i + 1 :]):
            return line[len("RESULT:") :]
    return None


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_at_the_keyboard(env):
    shell = ["bash", "--norc", "--noprofile", "-i"]
    setup = 'PS1="READY> "; bind "set bell-style none"; eval "$(clishape completion bash)"'

    def typed(keys: str) -> str:
        return keyboard(shell, setup, keys, env)

    assert typed("clishape toys wait to\tX") == "clishape toys wait toy-ready X"
    assert typed("clishape toys describe-toy --colour=G\tX") == (
        "clishape toys describe-toy --colour=GREEN X"
    )
    assert typed("clishape --output yaml-\tX") == "clishape --output yaml-stream X"
    # a folder is not a finished word: no space after it
    assert typed("clishape toys describe-toy --cli-input-json file://do\tX") == (
        "clishape toys describe-toy --cli-input-json file://docs/X"
    )
    # a name with a space: escaped, or left as it is inside the quote the user opened
    assert typed("clishape toys upload-toy --body my\t| cat") == (
        "clishape toys upload-toy --body my file.txt"
    )
    assert typed("clishape toys upload-toy --body 'my\t| cat") == (
        "clishape toys upload-toy --body my file.txt"
    )


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_at_the_keyboard(env):
    shell = ["zsh", "-f", "-i"]
    setup = (
        'PS1="READY> "; bindkey -e; autoload -U compinit; compinit -u; '
        'eval "$(clishape completion zsh)"'
    )

    def typed(keys: str) -> str:
        return keyboard(shell, setup, keys, env)

    assert typed("clishape toys wait to\tX") == "clishape toys wait toy-ready X"
    assert typed("clishape --profile st\tX") == "clishape --profile staging X"
    assert typed("clishape toys describe-toy --output=ta\tX") == (
        "clishape toys describe-toy --output=table X"
    )
    assert typed("clishape toys describe-toy --cli-input-json file://do\tX") == (
        "clishape toys describe-toy --cli-input-json file://docs/X"
    )
    assert typed("clishape toys upload-toy --body my\t| cat") == (
        "clishape toys upload-toy --body my file.txt"
    )


def test_the_variable_alone_does_not_hijack_a_command_line(env):
    """Only the script's call (no arguments) answers completions; a real command still runs."""
    environ = {**env, "_CLISHAPE_COMPLETE": "bash", "COMP_LINE": "clishape "}
    result = run(["completion", "bash"], env=environ)
    assert result.exit_code == 0 and result.stdout.startswith("# bash completion for clishape")
    assert run([], env={**environ, "_CLISHAPE_COMPLETE": "tcsh"}).exit_code == 252  # not a shell


def test_any_app_completes_under_its_own_name(env, specs):
    """An app built on the engine: its name, its variable, its spec folders, its options."""
    from cli_core.app import App

    app = App(name="my-tool", specs=[specs], families=("core",))
    script = run(["completion", "bash"], app=app)
    assert script.exit_code == 0 and "complete -F _my_tool_complete my-tool" in script.stdout

    config = Path(env["HOME"]) / "my-tool.ini"
    config.write_text("[default]\n[profile lab]\n")

    def answer(line: str) -> list[str]:
        environ = {
            "_MY_TOOL_COMPLETE": "fish",
            "COMP_LINE": line,
            "MY_TOOL_CONFIG_FILE": str(config),
        }
        result = run([], env=environ, app=app)
        assert result.exit_code == 0 and result.stderr == ""
        return result.stdout.splitlines()

    assert answer("my-tool ") == ["completion", "toys"]  # its own specs only
    options = answer("my-tool toys describe-toy --")
    assert "--colour" in options and "--output" in options
    assert "--region" not in options and "--endpoint-url" not in options  # not its families
    assert answer("my-tool --profile ") == ["default", "lab"]  # its own config file
    assert answer("my-tool ") == answer("my-tool ")  # the clishape variable means nothing to it
    assert run([], env={"_CLISHAPE_COMPLETE": "fish", "COMP_LINE": "my-tool "}, app=app).exit_code
