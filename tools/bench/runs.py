"""`python -m tools.bench.runs [--runs 5] [--languages python,go] [--json FILE] [--tests]`: how long Run takes per
language; with --tests, how long Run tests takes on a 5-case set (default language: Java).

For each language's hello-world template (it reads a name on stdin and greets it): the time from starting the run
to the first byte of output and to the end, median of N warm runs (one run first, not counted), in the real
sandbox through CodeRunner; and beside it, in the same run, the bare toolchain outside any sandbox (the same
compile and run commands, environment and stdin, in a private temporary directory). The ratio of the two is what
the sandbox itself costs (target <= 1.3); the absolute times have targets of their own (docs/benchmarks.md):
interpreted languages <= 0.5 s to output, compiled <= 2 s, Rust and Java <= 3 s.

--tests: the same template against 5 test cases (5 names on stdin), once as Run tests does it (questions.run_tests:
compiled once, runner.program) and once compiling per case (a plain run per case, as Run tests did before),
interleaved, median of N sets each; the ratio of the two is the gain of compiling once.
"""

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import tempfile
import time

from languages import LANGUAGES
from questions import TestCase, run_tests
from runner import CodeRunner
from runner.languages import Runtime

STDIN = 'Ada\n'
TARGETS = {'rust': 3.0, 'java': 3.0}  # seconds to first output; others: 2 s compiled, 0.5 s interpreted


def target(runtime: Runtime) -> float:
    return TARGETS.get(runtime.id, 2.0 if runtime.compiled else 0.5)


async def sandboxed(runner: CodeRunner, language: str) -> tuple[float, float]:
    """(seconds to the first output byte, seconds to the end) of one run in the sandbox."""
    started = time.monotonic()
    run = runner.start(LANGUAGES[language].template, language, stdin=STDIN)
    result = await run.wait()
    ended = time.monotonic()
    if not result.ok or run.first_output_at is None:
        raise RuntimeError(f'{language}: {result.reason}')
    return run.first_output_at - started, ended - started


async def bare(runtime: Runtime, runner: CodeRunner) -> tuple[float, float]:
    """The same compile and run outside the sandbox: no bwrap, no prlimit; same commands, stdin and nice value
    (the niceness is a scheduling choice, not the sandbox's cost: on a machine loaded by others it alone would
    make the sandbox look slower)."""
    # In memory like the sandbox's tmpfs: the comparison is then of the sandbox, not of the disk under /tmp.
    workdir = tempfile.mkdtemp(prefix='pairpad-bench-', dir='/dev/shm' if os.path.isdir('/dev/shm') else None)
    try:
        with open(os.path.join(workdir, runtime.file_name), 'w') as f:
            f.write(runtime.language.template)
        for name, content in runtime.support_files():
            with open(os.path.join(workdir, name), 'w') as f:
                f.write(content)
        limits = runtime.limits(runner.limits)
        env = {'PATH': '/usr/local/bin:/usr/bin:/bin', 'HOME': workdir, 'TMPDIR': workdir, 'LANG': 'C.UTF-8',
               **runtime.env(limits, tmp=workdir)}
        nice = ['nice', '-n', str(limits.niceness)]
        started = time.monotonic()
        cache = next(iter(getattr(runner._launcher, 'caches', {}).get(runtime.id, {})), None)
        if cache and 'GOCACHE' in env:  # Go: the same warm cache copy; javac: the same archive, read in place
            shutil.copytree(cache, env['GOCACHE'])
        if runtime.compiled:
            build = runtime.compile_command(limits, tmp=workdir, cache=cache)
            compiler = await asyncio.create_subprocess_exec(*nice, *build,
                                                            cwd=workdir, env=env, stdin=asyncio.subprocess.DEVNULL)
            if await compiler.wait() != 0:
                raise RuntimeError(f'{runtime.id}: the bare compile failed')
        program = await asyncio.create_subprocess_exec(*nice, *runtime.command(limits, tmp=workdir), cwd=workdir,
                                                       env=env,
                                                       stdin=asyncio.subprocess.PIPE,
                                                       stdout=asyncio.subprocess.PIPE)
        program.stdin.write(STDIN.encode())
        program.stdin.close()
        await program.stdout.read(1)
        first = time.monotonic() - started
        await program.stdout.read()
        await program.wait()
        return first, time.monotonic() - started
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


async def measure(runner: CodeRunner, language: str, runs: int) -> dict:
    runtime = runner._runtimes[language]
    await sandboxed(runner, language)  # warm: the page cache, the JVM's shared archive, Go's cache
    await bare(runtime, runner)
    box, plain = [], []
    for _ in range(runs):  # interleaved, so a burst of load elsewhere hits both sides alike
        box.append(await sandboxed(runner, language))
        plain.append(await bare(runtime, runner))
    first, end = (statistics.median(t[i] for t in box) for i in (0, 1))
    bare_first, bare_end = (statistics.median(t[i] for t in plain) for i in (0, 1))
    return {'language': language, 'version': runner.versions[language], 'compiled': runtime.compiled,
            'first_output_s': round(first, 3), 'end_s': round(end, 3), 'bare_first_output_s': round(bare_first, 3),
            'bare_end_s': round(bare_end, 3), 'overhead': round(end / bare_end, 2),
            'overhead_ms': round((end - bare_end) * 1000), 'target_s': target(runtime),
            'meets_time_target': first <= target(runtime), 'meets_overhead_target': end / bare_end <= 1.3,
            'runs': runs}


NAMES = ('Ada', 'Grace', 'Alan', 'Edsger', 'Barbara')


async def test_sets(runner: CodeRunner, language: str, runs: int) -> dict:
    """Seconds for a 5-case Run tests set, compiled once vs compiled per case (median of `runs` each)."""
    code = LANGUAGES[language].template
    first = await runner.run(code, language, stdin='Ada\n')  # warm, and a check that it runs at all
    if not first.ok:
        raise RuntimeError(f'{language}: {first.reason}')
    cases, out = [], []
    for name in NAMES:  # the expected output is the template's own, read from a plain run
        out.clear()
        await runner.run(code, language, lambda stream, text: stream == 'stdout' and out.append(text),
                         stdin=name + '\n')
        cases.append(TestCase(name=name, stdin=name + '\n', expected=''.join(out)))

    async def once() -> float:
        started = time.monotonic()
        result = await run_tests(runner, code, language, cases)
        if result.passed != len(cases):
            raise RuntimeError(f'{language}: {[case.reason for case in result.cases]}')
        return time.monotonic() - started

    async def per_case() -> float:
        started = time.monotonic()
        for case in cases:
            if not (await runner.run(code, language, stdin=case.stdin)).ok:
                raise RuntimeError(f'{language}: a per-case run failed')
        return time.monotonic() - started

    compiled_once, compiled_each = [], []
    for _ in range(runs):  # interleaved, like measure()
        compiled_once.append(await once())
        compiled_each.append(await per_case())
    a, b = statistics.median(compiled_once), statistics.median(compiled_each)
    return {'language': language, 'version': runner.versions[language], 'cases': len(cases),
            'compile_once_s': round(a, 2), 'compile_per_case_s': round(b, 2), 'ratio': round(b / a, 2), 'runs': runs}


def table(rows: list[dict]) -> str:
    lines = ['| language | toolchain | to first output (target) | to the end | bare toolchain: output / end | '
             'sandbox cost | ratio (target ≤ 1.3) |', '| --- | --- | ---: | ---: | ---: | ---: | ---: |']
    for r in rows:
        lines.append(f"| {r['language']} | {r['version']} | {r['first_output_s']:.2f} s (≤ {r['target_s']:g} s"
                     f"{'' if r['meets_time_target'] else ', missed'}) | {r['end_s']:.2f} s | "
                     f"{r['bare_first_output_s']:.2f} / {r['bare_end_s']:.2f} s | {r['overhead_ms']:+d} ms | "
                     f"{r['overhead']:.2f}×{'' if r['meets_overhead_target'] else ' (missed)'} |")
    return '\n'.join(lines)


async def main(args: argparse.Namespace) -> list[dict]:
    runner = CodeRunner()
    if runner.mode != 'sandbox':
        raise SystemExit(f'no sandbox here: {runner.status}')
    runner.wait_prepared()
    if args.tests:
        rows = []
        for language in (args.languages or 'java').split(','):
            rows.append(await test_sets(runner, language, args.runs))
            print(f"{language}: Run tests of {rows[-1]['cases']} cases {rows[-1]['compile_once_s']:.2f} s compiled "
                  f"once, {rows[-1]['compile_per_case_s']:.2f} s compiled per case: {rows[-1]['ratio']:.2f}x",
                  flush=True)
        return rows
    wanted = args.languages.split(',') if args.languages else runner.languages
    rows = []
    for language in wanted:
        if language not in runner.languages:
            print(f'{language}: skipped, {runner.refusal(language)}')
            continue
        rows.append(await measure(runner, language, args.runs))
        print(f"{language}: {rows[-1]['first_output_s']:.2f} s to output, {rows[-1]['end_s']:.2f} s in all, "
              f"bare {rows[-1]['bare_end_s']:.2f} s, overhead {rows[-1]['overhead']:.2f}", flush=True)
    return rows


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--languages', default='')
    parser.add_argument('--json', default='')
    parser.add_argument('--tests', action='store_true', help='Run tests of 5 cases: compiled once vs per case')
    arguments = parser.parse_args()
    rows = asyncio.run(main(arguments))
    print(f'\n{platform.node()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n')
    if not arguments.tests:
        print(table(rows))
    if arguments.json:
        with open(arguments.json, 'w') as f:
            json.dump({'runs': rows, 'load_average': os.getloadavg()}, f, indent=1)
