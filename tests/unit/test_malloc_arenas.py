"""amazen.server.limit_malloc_arenas: glibc's malloc keeps at most two arenas in an app process, however
many threads waitress runs. Each case runs in a process of its own (the limit lasts a process's life),
where eight threads allocate at once and glibc's own report (malloc_info) counts the arenas."""

import platform
import subprocess
import sys

from amazen.server import limit_malloc_arenas

THREADS = """
import ctypes, sys, tempfile, threading
from amazen.server import limit_malloc_arenas

if sys.argv[1] == "limited":
    assert limit_malloc_arenas(2, environ={})
ready = threading.Barrier(8)

def allocate():
    buffers = [bytearray(64 * 1024) for _ in range(16)]  # under the mmap threshold: from an arena
    ready.wait()  # every thread holds its memory at once, so none takes over another's arena
    del buffers

threads = [threading.Thread(target=allocate) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
with tempfile.NamedTemporaryFile(suffix=".xml") as report:
    stream = ctypes.c_void_p(libc.fopen(report.name.encode(), b"w"))
    libc.malloc_info(0, stream)
    libc.fclose(stream)
    print(open(report.name).read().count("<heap nr="))
"""


def arenas(case):
    env = {"PATH": "/usr/bin:/bin"}  # no MALLOC_ARENA_MAX: glibc's default, unless the case sets the limit
    done = subprocess.run([sys.executable, "-c", THREADS, case], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


def test_the_app_process_keeps_two_arenas_where_glibc_would_give_each_thread_one():
    assert platform.libc_ver()[0] == "glibc"  # what the app runs on: Debian, in CI and in its image
    assert arenas("default") > 2
    assert arenas("limited") <= 2


def test_the_environment_decides_when_it_sets_malloc_arena_max():
    assert limit_malloc_arenas(2, environ={"MALLOC_ARENA_MAX": "4"}) is False
