#!/usr/bin/env python3
"""Runs a program in a pseudo-terminal, as an interactive shell runs in a terminal window, for tests of interactive pwsh.

usage: in_pty.py LOG TIMEOUT -- program args...

Prints the program's pid on its first stdout line. Lines read from stdin are typed into the terminal (a line
"^C" types Ctrl+C; a line "?text" waits until the program has written text, such as a prompt). Everything the program writes to the terminal goes to LOG; cursor-position queries are
answered, as a terminal answers them. Exits with the program's exit
status (128+N when a signal N ended it), or 124 when TIMEOUT seconds pass first (the program is then killed).
"""
import fcntl, os, pty, select, signal, struct, sys, termios, time

def main():
    log, timeout = sys.argv[1], float(sys.argv[2])
    argv = sys.argv[sys.argv.index('--') + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.setdefault('TERM', 'xterm-256color')
        os.execvp(argv[0], argv)
    # a terminal window of 160 x 50 (line editors divide by its width)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 50, 160, 0, 0))
    print(pid, flush=True)
    deadline = time.monotonic() + timeout
    stdin_open = True
    status = None
    seen = b''
    waiting_for = None
    pending = []      # lines read from stdin, not yet acted on (read with os.read: no hidden buffering)
    partial = b''
    with open(log, 'wb') as out:
        while status is None:
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return 124
            fds = [fd] + ([sys.stdin.fileno()] if stdin_open else [])
            r, _, _ = select.select(fds, [], [], 0.1)
            if fd in r:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    data = b''
                if data:
                    out.write(data)
                    out.flush()
                    seen = (seen + data)[-65536:]
                    if waiting_for is not None and waiting_for in seen:
                        waiting_for = None
                        seen = b''
                    # answer cursor-position queries as a terminal does (.NET's console waits for the answer)
                    for _ in range(data.count(b'\x1b[6n')):
                        os.write(fd, b'\x1b[1;1R')
            if stdin_open and sys.stdin.fileno() in r:
                chunk = os.read(sys.stdin.fileno(), 65536)
                if not chunk:
                    stdin_open = False
                partial += chunk
                while b'\n' in partial:
                    line, partial = partial.split(b'\n', 1)
                    pending.append(line.decode())
            while pending and waiting_for is None:
                line = pending.pop(0)
                if line.startswith('?'):
                    waiting_for = line[1:].encode()
                    if waiting_for in seen:
                        waiting_for = None
                        seen = b''
                elif line.strip() == '^C':
                    os.write(fd, b'\x03')
                else:
                    os.write(fd, line.encode() + b'\r')
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)

if __name__ == '__main__':
    sys.exit(main())
