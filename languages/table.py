"""The rows of the languages table: one per language, with its template, its commands and its Debian packages.

Choices that matter for speed and limits (docs/sandbox.md has the measurements):
- Java: javac and java with C1 only (-XX:TieredStopAtLevel=1), class data sharing and the serial GC on one
  processor: the JVM's start-up dominates a short program. Its heap is half the memory limit (-Xmx), metaspace,
  code cache and class space are bounded, so the whole JVM fits the RLIMIT_DATA limit (an address-space limit
  would not start it).
- Go: `go build` (not `go run`, which builds into a temporary dir and forks once more) with a private GOCACHE in
  /tmp; GOMEMLIMIT makes the garbage collector work harder before the memory limit is hit.
- Rust: rustc at opt-level 1 without debug info: a fraction of the time of a release build, far faster code than
  opt-level 0.
- TypeScript: Debian's tsc type-checks against the ES2020 library only (the DOM library alone doubles its time)
  plus a declaration of the few Node names a program reading stdin needs; node runs the output with source maps,
  so stack traces name the lines of main.ts.
- Templates and commands never wrap the document: the lines the tools report are the document's lines.
"""

from . import CompileCommand, Language, RunCommand

# What a TypeScript program may use of Node without @types/node (not a Debian package): enough to read stdin.
NODE_DECLARATIONS = '''declare var console: { log(...data: any[]): void; error(...data: any[]): void;
  warn(...data: any[]): void; info(...data: any[]): void; };
declare var process: any;
declare function require(name: string): any;
declare var module: any;
'''

JVM_FLAGS = ('-Xshare:auto', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:ActiveProcessorCount=1')

ROWS = (
    Language(
        'python', 'Python', 'py', 'python',
        'import sys\n\n\ndef main():\n    name = sys.stdin.readline().strip() or "world"\n'
        '    print(f"Hello, {name}!")\n\n\nif __name__ == "__main__":\n    main()\n',
        # -u: unbuffered, so output streams while the program runs; -B: no .pyc next to the program.
        RunCommand('python3', ('-u', '-B', '{file}'), 'Python', address_space_slack_mb=128),
        packages=('python3',)),
    Language(
        'javascript', 'JavaScript', 'js', 'javascript',
        'const input = require("fs").readFileSync(0, "utf8");\nconst name = input.split("\\n")[0].trim() || "world";'
        '\nconsole.log(`Hello, ${name}!`);\n',
        # A heap of three quarters of the memory limit: V8 then stops with "JavaScript heap out of memory"
        # before malloc fails somewhere less readable.
        RunCommand('node', ('--max-old-space-size={heap_mb}', '{file}'), 'Node.js', address_space_slack_mb=1024),
        packages=('nodejs',)),
    Language(
        'typescript', 'TypeScript', 'ts', 'typescript',
        'const input: string = require("fs").readFileSync(0, "utf8");\n'
        'const name: string = input.split("\\n")[0].trim() || "world";\nconsole.log(`Hello, ${name}!`);\n',
        RunCommand('node', ('--enable-source-maps', '--max-old-space-size={heap_mb}', '{stem}.js'), 'TypeScript',
                   address_space_slack_mb=1024, version=('tsc', '--version')),
        CompileCommand('tsc', ('--pretty', 'false', '--skipLibCheck', '--target', 'es2020', '--lib', 'es2020',
                               '--module', 'commonjs', '--sourceMap', '--outDir', '.', '{file}',
                               '{tmp}/pairpad-node.d.ts'),
                       support_files=(('pairpad-node.d.ts', NODE_DECLARATIONS),)),
        packages=('node-typescript', 'nodejs')),
    Language(
        'java', 'Java', 'java', 'java',
        'import java.util.Scanner;\n\npublic class Main {\n    public static void main(String[] args) {\n'
        '        Scanner in = new Scanner(System.in);\n'
        '        String name = in.hasNextLine() ? in.nextLine().trim() : "";\n'
        '        System.out.println("Hello, " + (name.isEmpty() ? "world" : name) + "!");\n    }\n}\n',
        RunCommand('java', (*JVM_FLAGS, '-Xmx{heap_mb}m', '-Xss1m', '-XX:MaxMetaspaceSize=64m',
                            '-XX:ReservedCodeCacheSize=32m', '-XX:CompressedClassSpaceSize=32m', '-cp', '.',
                            '{stem}'),
                   'Java', address_space_slack_mb=1024, heap_percent=50,
                   version=('javac', '-J-Xshare:auto', '-J-XX:+UseSerialGC', '-J-Xmx64m', '-version')),
        # {cache}: javac's own classes, archived once per server (runner.caches); absent, javac ignores it.
        CompileCommand('javac', tuple(f'-J{flag}' for flag in JVM_FLAGS) + (
            '-J-XX:SharedArchiveFile={cache}/javac.jsa', '-J-Xmx512m', '-encoding', 'UTF-8', '-d', '.', '{file}')),
        packages=('default-jdk-headless',), env=(('MALLOC_ARENA_MAX', '2'),), stem='Main', min_processes=32),
    Language(
        'c', 'C', 'c', 'cpp',
        '#include <stdio.h>\n#include <string.h>\n\nint main(void) {\n    char name[256];\n'
        '    if (scanf("%255s", name) != 1)\n        strcpy(name, "world");\n    printf("Hello, %s!\\n", name);\n'
        '    return 0;\n}\n',
        RunCommand('./main', (), 'GCC', address_space_slack_mb=64, version=('gcc', '-dumpfullversion')),
        CompileCommand('gcc', ('-std=gnu17', '-O2', '-Wall', '-o', 'main', '{file}', '-lm')),
        packages=('gcc', 'libc6-dev')),
    Language(
        'cpp', 'C++', 'cpp', 'cpp',
        '#include <iostream>\n#include <string>\n\nint main() {\n    std::string name;\n'
        '    if (!std::getline(std::cin, name) || name.empty())\n        name = "world";\n'
        '    std::cout << "Hello, " << name << "!" << std::endl;\n    return 0;\n}\n',
        RunCommand('./main', (), 'G++', address_space_slack_mb=64, version=('g++', '-dumpfullversion')),
        CompileCommand('g++', ('-std=gnu++17', '-O2', '-Wall', '-o', 'main', '{file}')),
        packages=('g++',)),
    Language(
        'go', 'Go', 'go', 'go',
        'package main\n\nimport (\n\t"bufio"\n\t"fmt"\n\t"os"\n\t"strings"\n)\n\nfunc main() {\n'
        '\tname, _ := bufio.NewReader(os.Stdin).ReadString(\'\\n\')\n\tname = strings.TrimSpace(name)\n'
        '\tif name == "" {\n\t\tname = "world"\n\t}\n\tfmt.Printf("Hello, %s!\\n", name)\n}\n',
        RunCommand('./main', (), 'Go', address_space_slack_mb=1024, version=('go', 'version')),
        CompileCommand('go', ('build', '-o', 'main', '{file}')),
        packages=('golang-go',),
        # GOCACHE: private to the run, filled from the server's prepared cache (runner.caches); no cgo, so the
        # build needs no C compiler; GOMEMLIMIT: the collector works harder before the memory limit is reached.
        env=(('GOCACHE', '{tmp}/go-build'), ('GOPATH', '{tmp}/go'), ('CGO_ENABLED', '0'),
             ('GOFLAGS', '-buildvcs=false'),
             ('GOMAXPROCS', '2'), ('GOMEMLIMIT', '{heap_mb}MiB'), ('GOTOOLCHAIN', 'local'))),
    Language(
        'rust', 'Rust', 'rs', 'rust',
        'use std::io::{self, BufRead};\n\nfn main() {\n    let mut line = String::new();\n'
        '    io::stdin().lock().read_line(&mut line).unwrap();\n'
        '    let name = match line.trim() {\n        "" => "world",\n        name => name,\n    };\n'
        '    println!("Hello, {}!", name);\n}\n',
        RunCommand('./main', (), 'Rust', address_space_slack_mb=128, version=('rustc', '--version')),
        CompileCommand('rustc', ('-C', 'opt-level=1', '-C', 'debuginfo=0', '-o', 'main', '{file}')),
        packages=('rustc',)),
    Language(
        'ruby', 'Ruby', 'rb', 'ruby',
        'name = ($stdin.gets || "").strip\nname = "world" if name.empty?\nputs "Hello, #{name}!"\n',
        RunCommand('ruby', ('{file}',), 'Ruby', address_space_slack_mb=256),
        packages=('ruby',)),
    Language(
        'bash', 'Bash', 'sh', 'shell',
        'read -r name || true\necho "Hello, ${name:-world}!"\n',
        RunCommand('bash', ('{file}',), 'Bash', address_space_slack_mb=64),
        packages=('bash',)),
    Language(
        'php', 'PHP', 'php', 'php',
        '<?php\n$name = trim(fgets(STDIN) ?: "");\necho "Hello, " . ($name === "" ? "world" : $name) . "!\\n";\n',
        # No php.ini in the sandbox; errors to stderr, and PHP's own memory limit below the sandbox's.
        RunCommand('php', ('-d', 'display_errors=stderr', '-d', 'memory_limit={heap_mb}M', '{file}'), 'PHP',
                   address_space_slack_mb=256),
        packages=('php-cli',)),
    Language(
        'sql', 'SQL (SQLite)', 'sql', 'sql',
        '-- Runs against a fresh in-memory SQLite database; result sets print as tables.\n'
        'CREATE TABLE people (name TEXT, role TEXT);\n'
        "INSERT INTO people VALUES ('Ada', 'candidate'), ('Grace', 'interviewer');\n"
        'SELECT name, role FROM people ORDER BY name;\n',
        # -bail: the first error ends the script, naming its line; -box: aligned tables with a header.
        RunCommand('sqlite3', ('-bail', '-header', '-box', ':memory:', '.read {file}'), 'SQLite',
                   address_space_slack_mb=64),
        packages=('sqlite3',)),
    Language('plaintext', 'Plain text', 'txt', 'plaintext', ''),
)
