"""Hostile programs in the compiled and the newer languages, each in the real sandbox (docs/sandbox.md lists what
was observed): an infinite loop and a fork bomb in C, memory hogs in Java, Go and C, a C++ template bomb stopped by
the compile limit, /etc/shadow and the app's database out of reach from Rust and Ruby, sockets refused from Go and
PHP. Each test also checks that nothing of the run is left on the host.
"""

import asyncio
import os
import sqlite3
import time

import pytest

from runner import CodeRunner, Outcome, RunLimits, RunnerSettings
from tests.unit.test_runner import ROOT, Console, LoopLag, assert_nothing_left, leftovers
from tests.sandbox import sandboxed_runner

SMALL = RunLimits(cpu_seconds=1, wall_seconds=20, memory_bytes=128 * 1024 * 1024, max_processes=16,
                  compile_seconds=60)


@pytest.fixture(scope='module')
def runner() -> CodeRunner:
    return sandboxed_runner(RunnerSettings(max_concurrent=8), SMALL)


def require(runner: CodeRunner, *languages: str) -> None:
    for language in languages:
        if (refusal := runner.refusal(language)) is not None:
            if os.environ.get('PAIRPAD_REQUIRE_SANDBOX') == '1':
                pytest.fail(refusal)
            pytest.skip(refusal)


async def run(runner: CodeRunner, code: str, language: str, limits: RunLimits = SMALL):
    require(runner, language)
    console, since = Console(), time.time()
    result = await runner.run(code, language, console, limits=limits)
    await assert_nothing_left(result.run_id, since)
    return result, console


async def test_c_infinite_loop_is_ended_by_the_cpu_limit(runner):
    result, _ = await run(runner, 'int main(void) {\n    for (;;) {}\n}\n', 'c')
    assert result.outcome is Outcome.CPU_LIMIT and result.reason == 'CPU time limit of 1 s exceeded', result


C_FORK_BOMB = r'''#include <stdio.h>
#include <time.h>
#include <unistd.h>
int main(void) {
    pid_t me = getpid();
    long ok = 0, refused = 0;
    time_t start = time(NULL);
    int told = 0;
    for (;;) {  /* every process forks for ever */
        if (fork() < 0) refused++; else ok++;
        /* the first fork the cap refuses, or after 2 s: a starved bomb (a busy host, the run's niceness) may not
           have reached the cap within a second, and the count is the evidence */
        if (getpid() == me && !told && (refused > 0 || time(NULL) - start >= 2)) {
            printf("forks: %ld ok, %ld refused\n", ok, refused);
            fflush(stdout);
            told = 1;
        }
    }
}
'''


async def test_c_fork_bomb_is_contained_and_the_server_stays_responsive(runner):
    require(runner, 'c')
    limits = RunLimits(cpu_seconds=5, wall_seconds=4, max_processes=16, compile_seconds=60)
    console, since, most = Console(), time.time(), 0
    async with LoopLag() as lag:
        bombing = runner.start(C_FORK_BOMB, 'c', console, limits=limits)
        while not bombing.done:  # count the sandbox's processes on the host while it runs
            # in a thread: psutil reading every process of a busy machine would stall this loop, not the runner
            most = max(most, len(await asyncio.to_thread(leftovers, bombing.id, since)))
            await asyncio.sleep(0.05)
        result = await bombing.wait()
    await assert_nothing_left(result.run_id, since)
    assert result.outcome is Outcome.TIMED_OUT and result.reason.startswith('wall-clock limit of 4 s exceeded'), result
    assert 'refused' in console.text() and ' 0 refused' not in console.text(), console.text()
    # the compile step may count a few more (bash, gcc's helpers); the program's own processes stay within 16
    assert 0 < most <= limits.max_processes + 2, most
    assert lag.worst < 0.5, f'during the fork bomb {lag}'


@pytest.mark.parametrize('language,code', [
    ('java', 'import java.util.*;\n\npublic class Main {\n    public static void main(String[] args) {\n'
             '        List<long[]> hog = new ArrayList<>();\n'
             '        while (true) hog.add(new long[1 << 20]);\n    }\n}\n'),
    ('go', 'package main\n\nfunc main() {\n\tvar hog [][]byte\n\tfor {\n\t\tb := make([]byte, 1<<24)\n'
           '\t\tfor i := range b {\n\t\t\tb[i] = 1\n\t\t}\n\t\thog = append(hog, b)\n\t}\n}\n'),
    ('c', '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\nint main(void) {\n    for (;;) {\n'
          '        char *p = malloc(1 << 24);\n        if (!p) { perror("malloc"); return 1; }\n'
          '        memset(p, 1, 1 << 24);\n    }\n}\n'),
])
async def test_memory_hog_is_stopped_by_the_memory_limit(runner, language, code):
    result, console = await run(runner, code, language, RunLimits(cpu_seconds=10, wall_seconds=30,
                                                                  memory_bytes=128 * 1024 * 1024,
                                                                  max_processes=16, compile_seconds=60))
    assert result.outcome is Outcome.MEMORY_LIMIT, (result, console.text()[-500:])
    assert result.reason == 'memory limit of 128 MB exceeded'


# Every F<a, b, c> with a, b, c <= 120 is instantiated once: 1.7 million classes, far more than any machine compiles
# in 3 s (two parameters, F<440, 440>, compiled within the limit on a fast machine), within g++'s template depth.
CPP_TEMPLATE_BOMB = '''template <int A, int B, int C> struct F {
    static const unsigned long v = F<A - 1, B, C>::v + F<A, B - 1, C>::v + F<A, B, C - 1>::v; };
template <int B, int C> struct F<0, B, C> { static const unsigned long v = 1; };
template <int A, int C> struct F<A, 0, C> { static const unsigned long v = 1; };
template <int A, int B> struct F<A, B, 0> { static const unsigned long v = 1; };
template <int C> struct F<0, 0, C> { static const unsigned long v = 1; };
template <int B> struct F<0, B, 0> { static const unsigned long v = 1; };
template <int A> struct F<A, 0, 0> { static const unsigned long v = 1; };
template <> struct F<0, 0, 0> { static const unsigned long v = 1; };
int main() { return (int)F<120, 120, 120>::v; }
'''


async def test_cpp_template_bomb_is_stopped_by_the_compile_limit(runner):
    limits = RunLimits(cpu_seconds=1, wall_seconds=10, compile_seconds=3)
    started = time.monotonic()
    result, _ = await run(runner, CPP_TEMPLATE_BOMB, 'cpp', limits)
    assert result.outcome is Outcome.COMPILE_ERROR, result
    assert result.reason in ('compile error: the compile CPU time limit of 3 s was exceeded',
                             'compile error: the compile time limit of 3 s was exceeded'), result
    assert time.monotonic() - started < 10


async def test_rust_and_ruby_cannot_read_etc_shadow_or_the_apps_database(runner, tmp_path):
    database = tmp_path / 'pairpad.db'
    with sqlite3.connect(database) as db:
        db.execute('CREATE TABLE secret (x)')
        db.execute("INSERT INTO secret VALUES ('interview notes')")
    paths = ['/etc/shadow', str(database), str(ROOT / 'data' / 'pairpad.db'), str(ROOT / 'config.py')]
    rust = ('fn main() {\n    for path in [' + ', '.join(f'"{p}"' for p in paths) + '] {\n'
            '        match std::fs::read(path) {\n            Ok(bytes) => println!("READ {} {}", path, bytes.len()),\n'
            '            Err(e) => println!("refused {} {}", path, e),\n        }\n    }\n}\n')
    ruby = (f'{paths!r}.each do |path|\n  begin\n    puts "READ #{{path}} #{{File.binread(path).size}}"\n'
            '  rescue SystemCallError => e\n    puts "refused #{path} #{e.class}"\n  end\nend\n')
    for language, code in (('rust', rust), ('ruby', ruby)):
        result, console = await run(runner, code, language)
        out = console.text()
        assert result.ok and 'READ' not in out and out.count('refused') == len(paths), (language, result, out)
        assert 'No such file or directory' in out or 'ENOENT' in out, out


async def test_go_and_php_sockets_are_refused(runner):
    accepted = []
    server = await asyncio.start_server(lambda r, w: accepted.append(w), '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    go = ('package main\n\nimport (\n\t"fmt"\n\t"net"\n\t"time"\n)\n\nfunc main() {\n'
          f'\tfor _, addr := range []string{{"127.0.0.1:{port}", "1.1.1.1:53"}} {{\n'
          '\t\tif _, err := net.DialTimeout("tcp", addr, 3*time.Second); err != nil {\n'
          '\t\t\tfmt.Println("refused:", err)\n\t\t} else {\n\t\t\tfmt.Println("CONNECTED", addr)\n\t\t}\n\t}\n}\n')
    php = ('<?php\nforeach (["127.0.0.1:' + str(port) + '", "1.1.1.1:53"] as $addr) {\n'
           '    $s = @stream_socket_client("tcp://$addr", $errno, $errstr, 3);\n'
           '    echo $s ? "CONNECTED $addr\\n" : "refused: $errstr\\n";\n}\n')
    try:
        for language, code in (('go', go), ('php', php)):
            result, console = await run(runner, code, language)
            out = console.text()
            assert result.ok and 'CONNECTED' not in out and out.count('refused:') == 2, (language, result, out)
            assert 'connection refused' in out.lower() and 'network is unreachable' in out.lower(), out
    finally:
        server.close()
    assert accepted == []
